import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import type { V1TraceResponse } from '../../server/src/query/v1-api/v1-types.js';
import { startClickhouseTestServer, type ClickhouseTestServer } from '../support/clickhouse-server.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { buildTraces, MINUTE_NS, postSpans, SERVICE } from '../support/latency-payloads.js';

/**
 * Two stateless Threadline nodes on one ClickHouse, as behind a load balancer: both start
 * at once on an empty database, each takes half of every trace's spans, and either one
 * answers for the whole trace.
 */

let clickhouse: ClickhouseTestServer;
let nodes: TestServer[] = [];
const database = `two_nodes_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  clickhouse = await startClickhouseTestServer();
  const onClickhouse = { storage: 'clickhouse' as const, clickhouseUrl: clickhouse.url, clickhouseDatabase: database };
  // At once, on a database that does not exist yet: schema creation must be idempotent.
  nodes = await Promise.all([startTestServer(onClickhouse), startTestServer(onClickhouse)]);
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await clickhouse?.stop();
});

describe('two Threadline nodes sharing one ClickHouse', () => {
  it('reads back every trace whole from either node when half of its spans went to each', async () => {
    const start = (BigInt(Date.now()) * 1_000_000n / MINUTE_NS - 30n) * MINUTE_NS;
    const spans = buildTraces(7, 40, start, 20n * MINUTE_NS);
    const [a, b] = nodes as [TestServer, TestServer];
    // Alternate spans: every trace has spans on both nodes (3 per trace, so 2 + 1 or 1 + 2).
    await Promise.all([postSpans(a.otlpHttp, spans.filter((_, i) => i % 2 === 0)), postSpans(b.otlpHttp, spans.filter((_, i) => i % 2 === 1))]);

    for (const traceId of [...new Set(spans.map((s) => s.traceId))]) {
      const expected = spans.filter((s) => s.traceId === traceId).map((s) => s.spanId).sort();
      for (const node of nodes) {
        const jaeger = await getJson<JaegerResponse<JaegerTrace[]>>(`${node.http}/api/traces/${traceId}`);
        expect(jaeger.status).toBe(200);
        expect(jaeger.body.data[0]!.spans.map((s) => s.spanID).sort()).toEqual(expected);
        const v1 = await getJson<V1TraceResponse>(`${node.http}/api/v1/traces/${traceId}`);
        expect(v1.body.spans.map((s) => s.spanId).sort()).toEqual(expected);
      }
    }
  });

  it('answers search and the catalog from either node over both nodes\' spans', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    for (const node of [a, b]) {
      expect((await getJson<JaegerResponse<string[]>>(`${node.http}/api/services`)).body.data).toEqual([SERVICE]);
      const found = await getJson<JaegerResponse<JaegerTrace[]>>(`${node.http}/api/traces?service=${SERVICE}&limit=100&lookback=2h`);
      expect(found.body.data).toHaveLength(40);
      for (const trace of found.body.data) expect(trace.spans).toHaveLength(3);
    }
  });

  it('refuses to start on a schema newer than it knows, with a clear message', async () => {
    const newer = `newer_${randomBytes(4).toString('hex')}`;
    const node = await startTestServer({ storage: 'clickhouse', clickhouseUrl: clickhouse.url, clickhouseDatabase: newer });
    await node.stop();
    // stop() dropped the database; bring back only its version table, from a future Threadline.
    const run = async (sql: string) => {
      const res = await fetch(clickhouse.url, { method: 'POST', body: sql });
      expect(res.status, await res.text()).toBe(200);
    };
    await run(`CREATE DATABASE ${newer}`);
    await run(`CREATE TABLE ${newer}.schema_versions (version UInt32, created_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version`);
    await run(`INSERT INTO ${newer}.schema_versions (version) VALUES (99)`);
    await expect(startTestServer({ storage: 'clickhouse', clickhouseUrl: clickhouse.url, clickhouseDatabase: newer })).rejects.toThrow(
      new RegExp(`ClickHouse database ${newer} has schema version 99, newer than this Threadline supports`),
    );
    await run(`DROP DATABASE ${newer}`);
  });
});
