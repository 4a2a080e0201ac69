import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1EventLogsResponse, V1NettraceRequestsResponse } from '../../server/src/query/v1-api/v1-types.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';

/**
 * Paging the net/trace lists (requests and event logs) by cursor: every record once, in the
 * documented order, ties on time broken by service then record ID. Runs on SQLite and on
 * ClickHouse (vitest project `clickhouse`), which must answer the same.
 */
const BASE_NS = BigInt(Date.now() - 600_000) * 1_000_000n;
const SERVICES = ['alpha', 'beta'] as const;

interface Sent {
  service: string;
  recordId: string;
  ns: bigint;
  error: boolean;
}

/** Descending by (ns, service, recordId): the lists' order. */
function listOrder(a: Sent, b: Sent): number {
  if (a.ns !== b.ns) return a.ns > b.ns ? -1 : 1;
  if (a.service !== b.service) return a.service > b.service ? -1 : 1;
  return a.recordId > b.recordId ? -1 : a.recordId < b.recordId ? 1 : 0;
}

function makeRecords(service: string) {
  const requests: Sent[] = [];
  const logs: Sent[] = [];
  const records: unknown[] = [];
  for (let i = 0; i < 13; i++) {
    // Three records share each start, in both services: ties the order must break the same way every time.
    const ns = BASE_NS + BigInt(Math.floor(i / 3)) * 1_000_000_000n;
    const recordId = `r${service}${String((i * 37) % 13).padStart(2, '0')}`;
    const error = i % 4 === 0;
    requests.push({ service, recordId, ns, error });
    records.push({
      type: 'trace', recordId, seq: 1, family: 'http.Server', title: `GET /${i}`, startTimeUnixNano: String(ns), elapsedNano: '2000000',
      state: 'finished', error, maxEvents: 10, discardedEvents: 0, events: [{ timeUnixNano: String(ns + 1000n), message: `call ${i}`, sensitive: false, error: false }],
    });
  }
  for (let i = 0; i < 7; i++) {
    const start = BASE_NS - BigInt(i) * 1_000_000_000n;
    // Ends (start + elapsed) tie in pairs although the starts differ.
    const elapsed = BigInt(i) * 1_000_000_000n + BigInt(Math.floor(i / 2)) * 5_000_000_000n;
    const recordId = `l${service}${i}`;
    logs.push({ service, recordId, ns: start + elapsed, error: false });
    records.push({
      type: 'eventLog', recordId, seq: 1, family: 'db.Pool', title: 'pool', startTimeUnixNano: String(start), elapsedNano: String(elapsed),
      state: 'active', error: false, maxEvents: 100, discardedEvents: 0, events: [{ timeUnixNano: String(start), message: 'dial', sensitive: false, error: false }],
    });
  }
  return { requests, logs, body: JSON.stringify({ resource: { 'service.name': service, 'service.instance.id': `${service}-1` }, records }) };
}

describe('paging the net/trace lists', () => {
  let server: TestServer;
  const sentRequests: Sent[] = [];
  const sentLogs: Sent[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    for (const service of SERVICES) {
      const { requests, logs, body } = makeRecords(service);
      sentRequests.push(...requests);
      sentLogs.push(...logs);
      const res = await fetch(`${server.otlpHttp}/v1/nettrace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => server?.stop());

  /** Follows nextCursor from the first page to the last; returns each page's record keys. */
  async function allPages<T extends { nextCursor?: string }>(path: string, items: (body: T) => Array<{ service: string; recordId: string }>) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const url = `${server.http}${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, body } = await getJson<T>(url);
      expect(status).toBe(200);
      pages.push(items(body).map((r) => `${r.service}/${r.recordId}`));
      cursor = body.nextCursor;
      expect(pages.length).toBeLessThan(50);
    } while (cursor);
    return pages;
  }
  const keys = (sent: Sent[]) => [...sent].sort(listOrder).map((s) => `${s.service}/${s.recordId}`);

  it('pages through every request trace once, newest start first, ties by service and record ID', async () => {
    const pages = await allPages<V1NettraceRequestsResponse>('/api/v1/nettrace/requests?limit=4', (b) => b.requests);
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 4, 4, 4, 2]);
    expect(pages.flat()).toEqual(keys(sentRequests));
  });

  it('keeps the filters on every page', async () => {
    const pages = await allPages<V1NettraceRequestsResponse>('/api/v1/nettrace/requests?service=beta&errorsOnly=true&limit=2', (b) => b.requests);
    expect(pages.flat()).toEqual(keys(sentRequests.filter((r) => r.service === 'beta' && r.error)));
    expect(pages.length).toBe(2);
  });

  it('gives no cursor when the page holds the rest', async () => {
    const { body } = await getJson<V1NettraceRequestsResponse>(`${server.http}/api/v1/nettrace/requests?limit=${sentRequests.length}`);
    expect(body.requests).toHaveLength(sentRequests.length);
    expect(body.nextCursor).toBeUndefined();
  });

  it('pages through the event logs, most recently updated first, the families on every page', async () => {
    const families: number[] = [];
    const pages = await allPages<V1EventLogsResponse>('/api/v1/nettrace/event-logs?limit=3', (b) => {
      families.push(b.families.reduce((sum, f) => sum + f.logCount, 0));
      return b.logs;
    });
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 3, 2]);
    expect(pages.flat()).toEqual(keys(sentLogs));
    expect(new Set(families)).toEqual(new Set([sentLogs.length]));
  });

  it('refuses a cursor it did not make', async () => {
    const bad = await getJson<{ error: { code: string; message: string } }>(`${server.http}/api/v1/nettrace/requests?cursor=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('invalid cursor');
    const long = await getJson<{ error: { message: string } }>(`${server.http}/api/v1/nettrace/event-logs?cursor=${'a'.repeat(12_001)}`);
    expect(long.status).toBe(400);
    expect(long.body.error.message).toBe('invalid cursor: too long');
  });
});
