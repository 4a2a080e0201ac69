import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { V1PercentilesResponse } from '../../server/src/query/v1-api/latency-types.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { buildTraces, MINUTE_NS, postSpans, SERVICE } from '../support/latency-payloads.js';

/** Retention through a real server with small limits and a short sweep interval. */

const HOUR_NS = 60n * MINUTE_NS;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function query<T>(dbPath: string, sql: string, ...params: unknown[]): T {
  const db = new Database(dbPath, { readonly: true });
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
    await until('old spans and sketches are gone', () => {
      const spans = query<bigint>(s.dbPath, 'SELECT count(*) FROM span_index WHERE start_ns < ?', now - HOUR_NS);
      const sketches = query<bigint>(s.dbPath, 'SELECT count(*) FROM latency_sketches WHERE minute < ?', cutoffMinute);
      return spans === 0n && sketches === 0n;
    });
    expect(query<bigint>(s.dbPath, 'SELECT count(*) FROM span_index')).toBe(BigInt(recent.length));
    expect(query<bigint>(s.dbPath, 'SELECT count(*) FROM trace_summaries')).toBe(100n);
    expect(query<bigint>(s.dbPath, 'SELECT count(*) FROM tag_postings WHERE hour < ?', (now - HOUR_NS) / HOUR_NS)).toBe(0n);

    const oldWindow = await percentiles(s, oldStart, oldStart + 30n * MINUTE_NS);
    expect(oldWindow.body).toMatchObject({ count: 0, quantiles: [{ q: 0.5, durationNano: null }] });
    const recentWindow = await percentiles(s, recentStart, recentStart + 10n * MINUTE_NS - 1n);
    expect(recentWindow.body.count).toBe(recent.length);
    expect((await getJson(`${s.http}/api/v1/traces/${old[0]!.traceId}`)).status).toBe(404);
    expect((await getJson(`${s.http}/api/v1/traces/${recent[0]!.traceId}`)).status).toBe(200);
  });

  it('deletes the oldest traces while the data is larger than --max-db-size', async () => {
    // The empty schema takes about 300 KB (a few pages per table and index); the data several times that.
    const limit = 2_500_000;
    const s = (server = await startTestServer({ maxDbSizeBytes: limit }, { retentionIntervalMs: 200 }));
    const start = (BigInt(Date.now()) * 1_000_000n / MINUTE_NS - 120n) * MINUTE_NS;
    const traces = buildTraces(3, 12_000, start, 100n * MINUTE_NS);
    await postSpans(s.otlpHttp, traces);

    const pagesInUse = () =>
      query<bigint>(s.dbPath, 'SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count)') *
      8192n;
    await until('the data fits the limit', () => pagesInUse() <= BigInt(limit));
    // Oldest first: the first trace went, the last one is whole.
    expect((await getJson(`${s.http}/api/v1/traces/${traces[0]!.traceId}`)).status).toBe(404);
    const last = await getJson<{ spans: unknown[] }>(`${s.http}/api/v1/traces/${traces.at(-1)!.traceId}`);
    expect(last.body.spans).toHaveLength(3);
    const left = query<bigint>(s.dbPath, 'SELECT count(*) FROM span_index');
    expect(left).toBeGreaterThan(0n);
    expect(left).toBeLessThan(BigInt(traces.length));
    // Sketches older than every trace left went with them.
    const oldestMinute = query<bigint>(s.dbPath, 'SELECT min(start_ns) FROM trace_summaries') / MINUTE_NS;
    expect(query<bigint>(s.dbPath, 'SELECT count(*) FROM latency_sketches WHERE minute < ?', oldestMinute)).toBe(0n);
    // /metrics reports the evictions: every trace not left was evicted (once the round under way, if any, is done).
    const evictedTraces = async () => Number(/^threadline_db_size_evicted_traces_total (\d+)$/m.exec(await (await fetch(`${s.http}/metrics`)).text())?.[1]);
    const gone = () => 12_000 - Number(query<bigint>(s.dbPath, 'SELECT count(*) FROM trace_summaries'));
    let reported = 0;
    await until('the evictions are reported', async () => (reported = await evictedTraces()) === gone());
    expect(reported).toBeGreaterThan(0);
  });
});
