import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { startClickhouseTestServer, type ClickhouseTestServer } from '../support/clickhouse-server.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { buildTraces, MINUTE_NS, toOtlpJson, type SentSpan } from '../support/latency-payloads.js';
import { protobufPayload, recordSpans } from '../support/otlp-payloads.js';

/**
 * ClickHouse killed (SIGKILL) while a sender keeps exporting, then started again on its
 * data: while it is down, ingest answers 503 with Retry-After (gRPC UNAVAILABLE), /readyz
 * fails and queries answer 503; once it is back the node recovers by itself, and every batch it
 * acknowledged is there, whole.
 */

let clickhouse: ClickhouseTestServer;
let node: TestServer;

beforeAll(async () => {
  clickhouse = await startClickhouseTestServer();
  node = await startTestServer({ storage: 'clickhouse', clickhouseUrl: clickhouse.url, clickhouseDatabase: `restart_${randomBytes(4).toString('hex')}` });
});

afterAll(async () => {
  await node?.stop();
  await clickhouse?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

interface Outcome {
  status: number;
  retryAfter: string | null;
}

/** One OTLP/gRPC Export; resolves with its status code. */
function grpcExport(url: string, payload: Uint8Array): Promise<number> {
  const client = new grpc.Client(url.replace('http://', ''), grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      payload,
      (err) => {
        client.close();
        resolve(err ? err.code : grpc.status.OK);
      },
    );
  });
}

async function send(batch: readonly SentSpan[]): Promise<Outcome> {
  try {
    const res = await fetch(`${node.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: toOtlpJson(batch) });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

describe('ClickHouse stopped mid-ingest and restarted', () => {
  it('refuses with 503 while it is down, recovers by itself, and loses nothing it acknowledged', async () => {
    const start = (BigInt(Date.now()) * 1_000_000n / MINUTE_NS - 30n) * MINUTE_NS;
    const spans = buildTraces(11, 200, start, 20n * MINUTE_NS);
    const batches: SentSpan[][] = [];
    for (let i = 0; i < spans.length; i += 20) batches.push(spans.slice(i, i + 20));

    const acknowledged: SentSpan[][] = [];
    const refusals: Outcome[] = [];
    let sending = true;
    // An exporter: each batch until it is accepted, waiting a moment after a refusal.
    const sender = (async () => {
      for (const batch of batches) {
        for (;;) {
          const outcome = await send(batch);
          if (outcome.status === 200) {
            acknowledged.push(batch);
            break;
          }
          refusals.push(outcome);
          await sleep(200);
        }
      }
      sending = false;
    })();

    await until('some batches were acknowledged', async () => acknowledged.length >= 3);
    await clickhouse.kill();

    // While ClickHouse is away: ingest refuses with Retry-After, /readyz fails, queries say why.
    await until('ingest is refused', async () => refusals.some((r) => r.status === 503));
    expect(refusals.filter((r) => r.status === 503).every((r) => r.retryAfter !== null)).toBe(true);
    await until('/readyz fails', async () => (await fetch(`${node.http}/readyz`)).status === 503);
    const services = await fetch(`${node.http}/api/services`);
    expect(services.status).toBe(503);
    expect(services.headers.get('retry-after')).not.toBeNull();
    expect(JSON.stringify(await services.json())).toMatch(/ClickHouse is unavailable|ClickHouse\) is unavailable/);
    expect(await grpcExport(node.otlpGrpc, protobufPayload(recordSpans(2, 'grpc-while-down')))).toBe(grpc.status.UNAVAILABLE);
    const acknowledgedWhileDown = acknowledged.length;
    await sleep(1_000);
    expect(acknowledged.length).toBe(acknowledgedWhileDown);

    await clickhouse.restart();
    await until('/readyz passes again', async () => (await fetch(`${node.http}/readyz`)).status === 200);
    await sender;
    expect(sending).toBe(false);
    expect(acknowledged).toHaveLength(batches.length);

    // Every acknowledged span, once each, whatever was retried.
    const byTrace = new Map<string, string[]>();
    for (const s of acknowledged.flat()) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s.spanId]);
    for (const [traceId, spanIds] of byTrace) {
      const res = await getJson<JaegerResponse<JaegerTrace[]>>(`${node.http}/api/traces/${traceId}`);
      expect(res.status).toBe(200);
      expect(res.body.data[0]!.spans.map((s) => s.spanID).sort()).toEqual([...spanIds].sort());
    }
    const summaries = await getJson<JaegerResponse<JaegerTrace[]>>(`${node.http}/api/traces?service=checkout&limit=1000&lookback=2h`);
    expect(summaries.body.data).toHaveLength(byTrace.size);
  });
});
