import { afterEach, describe, expect, it } from 'vitest';
import type { V1PercentilesResponse } from '../../server/src/query/v1-api/latency-types.js';
import Database from 'better-sqlite3';
import { getJson, startTestServer, testStorage, type TestServer } from '../support/in-process-server.js';
import { countStoredSpans, countStoredTraces, oldestStoredStart, storedBytes } from '../support/stored-data.js';
import { buildTraces, MINUTE_NS, postSpans, SERVICE } from '../support/latency-payloads.js';

/** Retention through a real server with small limits and a short sweep interval. */

const HOUR_NS = 60n * MINUTE_NS;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** SQLite-only checks of derived rows (sketches, postings): ClickHouse derives none, it computes them from spans. */
function sqliteQuery<T>(s: TestServer, sql: string, ...params: unknown[]): T | undefined {
  if (s.storage !== 'sqlite') return undefined;
  const db = new Database(s.dbPath, { readonly: true });
  try {
    return db.prepare(sql).safeIntegers(true).pluck().get(...params) as T;
  } finally {
    db.close();
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const percentiles = (s: TestServer, startNs: bigint, endNs: bigint) =>
  getJson<V1PercentilesResponse>(`${s.http}/api/v1/percentiles?service=${SERVICE}&start=${startNs}&end=${endNs}&q=0.5`);

describe('retention', () => {
  it('deletes spans older than --retention together with their sketches, and keeps the rest', async () => {
    const s = (server = await startTestServer({ retentionNs: HOUR_NS }, { retentionIntervalMs: 200 }));
    const now = (BigInt(Date.now()) * 1_000_000n / MINUTE_NS) * MINUTE_NS;
    const oldStart = now - 3n * HOUR_NS;
    const recentStart = now - 20n * MINUTE_NS;
    const old = buildTraces(1, 300, oldStart, 30n * MINUTE_NS);
    const recent = buildTraces(2, 100, recentStart, 10n * MINUTE_NS, 10_000);
    await postSpans(s.otlpHttp, [...old, ...recent]);
    // Acknowledged spans wait in the ingest log for a moment; any search has them indexed first.
    await fetch(`${s.http}/api/services`);

    const cutoffMinute = (now - HOUR_NS) / MINUTE_NS;
    await until('old spans and sketches are gone', async () => {
      const spans = await countStoredSpans(s, now - HOUR_NS);
      const sketches = sqliteQuery<bigint>(s, 'SELECT count(*) FROM latency_sketches WHERE minute < ?', cutoffMinute) ?? 0n;
      return spans === 0n && sketches === 0n;
    });
    expect(await countStoredSpans(s)).toBe(BigInt(recent.length));
    expect(await countStoredTraces(s)).toBe(100n);
    expect(sqliteQuery<bigint>(s, 'SELECT count(*) FROM tag_posting_lists WHERE hour < ?', (now - HOUR_NS) / HOUR_NS) ?? 0n).toBe(0n);

    const oldWindow = await percentiles(s, oldStart, oldStart + 30n * MINUTE_NS);
    expect(oldWindow.body).toMatchObject({ count: 0, quantiles: [{ q: 0.5, durationNano: null }] });
    const recentWindow = await percentiles(s, recentStart, recentStart + 10n * MINUTE_NS - 1n);
    expect(recentWindow.body.count).toBe(recent.length);
    expect((await getJson(`${s.http}/api/v1/traces/${old[0]!.traceId}`)).status).toBe(404);
    expect((await getJson(`${s.http}/api/v1/traces/${recent[0]!.traceId}`)).status).toBe(200);
  });

  it('deletes the oldest traces while the data is larger than --max-db-size', async () => {
    // SQLite: the empty schema takes about 420 KB (a page or more per table and index,
    // profiles' included), its writer evicts from 85% of the limit and keeps a WAL reserve;
    // the data several times that. ClickHouse compresses these spans to about 1.2 MB in all.
    const limit = testStorage === 'clickhouse' ? 600_000 : 2_500_000;
    const s = (server = await startTestServer({ maxDbSizeBytes: limit }, { retentionIntervalMs: 200 }));
    const start = (BigInt(Date.now()) * 1_000_000n / MINUTE_NS - 120n) * MINUTE_NS;
    const traces = buildTraces(3, 12_000, start, 100n * MINUTE_NS);
    await postSpans(s.otlpHttp, traces);

    // Acknowledged spans reach the database within a moment (SQLite indexes its ingest log in passes).
    const firstGone = async () => (await getJson(`${s.http}/api/v1/traces/${traces[0]!.traceId}`)).status === 404;
    await until('the oldest trace went and the data fits the limit', async () => (await storedBytes(s)) <= BigInt(limit) && (await firstGone()));
    // Oldest first: the last one is whole.
    const last = await getJson<{ spans: unknown[] }>(`${s.http}/api/v1/traces/${traces.at(-1)!.traceId}`);
    expect(last.body.spans).toHaveLength(3);
    const left = await countStoredSpans(s);
    expect(left).toBeGreaterThan(0n);
    expect(left).toBeLessThan(BigInt(traces.length));
    // Sketches older than every trace left went with them.
    const oldestMinute = (await oldestStoredStart(s)) / MINUTE_NS;
    expect(sqliteQuery<bigint>(s, 'SELECT count(*) FROM latency_sketches WHERE minute < ?', oldestMinute) ?? 0n).toBe(0n);
    if (testStorage !== 'clickhouse') {
      // /metrics reports the SQLite writer's evictions: every trace not left was evicted (once the round under way, if any, is done).
      const evictedTraces = async () => Number(/^threadline_db_size_evicted_traces_total (\d+)$/m.exec(await (await fetch(`${s.http}/metrics`)).text())?.[1]);
      const gone = () => 12_000 - Number(sqliteQuery<bigint>(s, 'SELECT count(*) FROM trace_summaries'));
      let reported = 0;
      await until('the evictions are reported', async () => (reported = await evictedTraces()) === gone());
      expect(reported).toBeGreaterThan(0);
    }
  });
});
