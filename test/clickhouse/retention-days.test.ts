import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { buildTraces, MINUTE_NS, postSpans } from '../support/latency-payloads.js';
import { clickhouseRows, countStoredSpans } from '../support/stored-data.js';

/** Retention by age on ClickHouse drops the days wholly before the cutoff as partitions. */

const HOUR_NS = 60n * MINUTE_NS;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ retentionNs: 24n * HOUR_NS }, { retentionIntervalMs: 200 });
});
afterAll(async () => server?.stop());

const partitions = async () =>
  (
    await clickhouseRows<{ partition_id: string }>(
      server,
      'SELECT DISTINCT partition_id FROM system.parts WHERE active AND database = {db:String} AND table = {t:String} ORDER BY partition_id',
      { db: server.config.clickhouseDatabase, t: 'spans' },
    )
  ).map((p) => p.partition_id);

describe('retention by age on ClickHouse', () => {
  it('drops the partitions of days before the cutoff and keeps the recent spans whole', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    // Two days back is always a day wholly before the cutoff (now − 24 h).
    const old = buildTraces(21, 50, now - 48n * HOUR_NS, 10n * MINUTE_NS);
    const recent = buildTraces(22, 50, now - HOUR_NS, 10n * MINUTE_NS, 10_000);
    await postSpans(server.otlpHttp, [...old, ...recent]);
    const oldDay = new Date(Number((now - 48n * HOUR_NS) / 1_000_000n)).toISOString().slice(0, 10).replaceAll('-', '');

    const deadline = Date.now() + 30_000;
    while ((await partitions()).includes(oldDay)) {
      if (Date.now() > deadline) throw new Error(`partition ${oldDay} is still there`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await countStoredSpans(server)).toBe(BigInt(recent.length));
    expect((await getJson(`${server.http}/api/v1/traces/${old[0]!.traceId}`)).status).toBe(404);
    const kept = await getJson<{ spans: unknown[] }>(`${server.http}/api/v1/traces/${recent[0]!.traceId}`);
    expect(kept.body.spans).toHaveLength(3);
  });
});
