import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1NettraceFamiliesResponse, V1NettraceRequestsResponse } from '../../server/src/query/v1-api/v1-types.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
let n = 0;

function request(family: string, elapsedMs: number, fields: Record<string, unknown> = {}) {
  return {
    type: 'trace', recordId: `fam${(n++).toString(16).padStart(13, '0')}`, seq: 1, family, title: 't',
    startTimeUnixNano: String(nowNs() - 5_000_000_000n), elapsedNano: String(BigInt(elapsedMs) * 1_000_000n),
    state: 'finished', error: false, maxEvents: 10, discardedEvents: 0, events: [], ...fields,
  };
}

function eventLog(family: string, errorAgoMs: number | null) {
  const t = nowNs();
  return {
    type: 'eventLog', recordId: `log${(n++).toString(16).padStart(13, '0')}`, seq: 1, family, title: 'pool',
    startTimeUnixNano: String(t - 60_000_000_000n), elapsedNano: '60000000000', state: 'active', error: errorAgoMs !== null,
    maxEvents: 100, discardedEvents: 0,
    events: errorAgoMs === null ? [{ timeUnixNano: String(t), message: 'ok', sensitive: false, error: false }]
      : [{ timeUnixNano: String(t - BigInt(errorAgoMs) * 1_000_000n), message: 'dial failed', sensitive: false, error: true }],
  };
}

describe('GET /api/v1/nettrace/families', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const records = [
      request('grpc.Recv.Pay', 10), request('grpc.Recv.Pay', 60), request('grpc.Recv.Pay', 250, { error: true }),
      request('grpc.Recv.Pay', 2000), request('grpc.Recv.Pay', 5, { state: 'active' }), request('http.Inventory', 120),
      eventLog('db.Pool', 5_000), eventLog('db.Pool', 30 * 60_000), eventLog('db.Pool', null),
    ];
    const res = await fetch(`${server.http}/v1/nettrace`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resource: { 'service.name': 'pay', 'service.instance.id': 'pay-1' }, records }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => server?.stop());

  it('counts requests per /debug/requests column and event-log errors per /debug/events period', async () => {
    const { status, body } = await getJson<V1NettraceFamiliesResponse>(`${server.http}/api/v1/nettrace/families?service=pay`);
    expect(status).toBe(200);
    const pay = body.requestFamilies.find((f) => f.family === 'grpc.Recv.Pay')!;
    expect(pay.active).toBe(1);
    expect(pay.errors).toBe(1);
    expect(pay.buckets.map((b) => [b.minNano, b.count])).toEqual([
      ['0', 4], ['50000000', 3], ['100000000', 2], ['200000000', 2], ['500000000', 1], ['1000000000', 1], ['10000000000', 0], ['100000000000', 0],
    ]);
    expect(body.requestFamilies.find((f) => f.family === 'http.Inventory')!.buckets[2]!.count).toBe(1);
    expect(body.eventLogFamilies).toEqual([{ family: 'db.Pool', total: 3, errors: { '10s': 1, '1m': 1, '10m': 1, '1h': 2, '10h': 2 } }]);
  });

  it('filters by instance, and lists the requests of a cell with active and instance filters', async () => {
    const other = await getJson<V1NettraceFamiliesResponse>(`${server.http}/api/v1/nettrace/families?instance=pay-2`);
    expect(other.body).toEqual({ requestFamilies: [], eventLogFamilies: [] });
    const active = await getJson<V1NettraceRequestsResponse>(`${server.http}/api/v1/nettrace/requests?family=grpc.Recv.Pay&instance=pay-1&active=true`);
    expect(active.body.requests.map((r) => r.state)).toEqual(['active']);
    const finished = await getJson<V1NettraceRequestsResponse>(`${server.http}/api/v1/nettrace/requests?family=grpc.Recv.Pay&active=false&minDuration=200ms`);
    expect(finished.body.requests).toHaveLength(2);
    const bad = await getJson(`${server.http}/api/v1/nettrace/families?start=yesterday`);
    expect(bad.status).toBe(400);
  });
});
