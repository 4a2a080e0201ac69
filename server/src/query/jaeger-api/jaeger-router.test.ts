import express from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JaegerTrace } from '@threadline/shared';
import { AppError } from '../../app-error.js';
import { MemoryStore } from '../test-support/memory-store.js';
import { ALL_SAMPLE_SPANS, TRACE_C } from '../test-support/sample-traces.js';
import { buildSpan, TRACE_A, TRACE_B } from '../test-support/span-builder.js';
import { RecordingLogger } from '../test-support/test-logger.js';
import { createJaegerRouter } from './jaeger-router.js';

const NOW_NS = 1_712_346_000_000_000_000n;
const DAY_NS = 86_400_000_000_000n;

let store: MemoryStore;
let logger: RecordingLogger;
let app: express.Express;

beforeEach(() => {
  store = new MemoryStore(ALL_SAMPLE_SPANS);
  logger = new RecordingLogger();
  app = express();
  app.use('/api', createJaegerRouter(store, { logger, now: () => NOW_NS }));
});

const ok = (data: unknown, total = 0) => ({ data, total, limit: 0, offset: 0, errors: null });
const failure = (code: number, msg: string) => ({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] });

describe('GET /api/services', () => {
  it('lists services in the Jaeger envelope', async () => {
    const res = await request(app).get('/api/services').expect(200).expect('content-type', /json/);
    expect(res.body).toEqual(ok(['backend', 'frontend', 'legacy'], 3));
  });
});

describe('GET /api/services/:service/operations', () => {
  it('lists operation names once each, whatever their kinds', async () => {
    const res = await request(app).get('/api/services/frontend/operations').expect(200);
    expect(res.body).toEqual(ok(['GET /orders', 'orders.Get'], 2));
  });

  it('decodes the service name, slashes included', async () => {
    await store.writeBatch([buildSpan({ spanId: 'e000000000000001', serviceName: 'ns/svc a', name: 'op' })]);
    const res = await request(app).get('/api/services/ns%2Fsvc%20a/operations').expect(200);
    expect(res.body).toEqual(ok(['op'], 1));
  });

  it('answers data: null for a service it does not know, as Jaeger does', async () => {
    const res = await request(app).get('/api/services/nobody/operations').expect(200);
    expect(res.body).toEqual(ok(null, 0));
  });

  it('answers a malformed percent-encoding with a 400 envelope', async () => {
    const res = await request(app).get('/api/services/%E0%A4%A/operations').expect(400);
    expect(res.body).toMatchObject({ data: null, errors: [{ code: 400 }] });
  });
});

describe('GET /api/operations', () => {
  it('lists operations with their span kinds', async () => {
    const res = await request(app).get('/api/operations?service=frontend').expect(200);
    expect(res.body).toEqual(
      ok(
        [
          { name: 'GET /orders', spanKind: 'server' },
          { name: 'orders.Get', spanKind: 'client' },
        ],
        2,
      ),
    );
  });

  it('names the unspecified span kind "" as Jaeger does', async () => {
    await store.writeBatch([buildSpan({ spanId: 'e000000000000002', serviceName: 'raw', name: 'op', kind: 0 })]);
    const res = await request(app).get('/api/operations?service=raw').expect(200);
    expect(res.body).toEqual(ok([{ name: 'op', spanKind: '' }], 1));
  });

  it('narrows to one span kind', async () => {
    const res = await request(app).get('/api/operations?service=frontend&spanKind=client').expect(200);
    expect(res.body).toEqual(ok([{ name: 'orders.Get', spanKind: 'client' }], 1));
  });

  it('requires service', async () => {
    const res = await request(app).get('/api/operations').expect(400);
    expect(res.body).toEqual(failure(400, "parameter 'service' is required"));
  });

  it('rejects an unknown span kind', async () => {
    const res = await request(app).get('/api/operations?service=frontend&spanKind=sideways').expect(400);
    expect(res.body.errors[0].msg).toMatch(/^invalid spanKind "sideways": expected one of unspecified, internal/);
  });
});

describe('GET /api/traces/:traceId', () => {
  it('returns the whole trace in the Jaeger UI model', async () => {
    const res = await request(app).get(`/api/traces/${TRACE_A}`).expect(200);
    expect(res.body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    const [trace] = res.body.data as JaegerTrace[];
    expect(res.body.data).toHaveLength(1);
    expect(trace?.traceID).toBe(TRACE_A);
    expect(trace?.processes).toEqual({
      p1: { serviceName: 'frontend', tags: [{ key: 'host.name', type: 'string', value: 'web-1' }] },
      p2: { serviceName: 'backend', tags: [{ key: 'host.name', type: 'string', value: 'db-1' }] },
    });
    expect(trace?.spans.map((s) => [s.spanID, s.processID, s.references.map((r) => r.spanID)])).toEqual([
      ['a000000000000001', 'p1', []],
      ['a000000000000002', 'p1', ['a000000000000001']],
      ['a000000000000003', 'p2', ['a000000000000002']],
    ]);
    expect(trace?.spans[0]).toMatchObject({ startTime: 1712345678000000, duration: 300000, flags: 1, warnings: null });
    expect(trace?.spans[2]?.tags).toContainEqual({ key: 'error', type: 'bool', value: true });
  });

  it('accepts an uppercase ID', async () => {
    const res = await request(app).get(`/api/traces/${TRACE_A.toUpperCase()}`).expect(200);
    expect(res.body.data[0].traceID).toBe(TRACE_A);
  });

  it('pads a 64-bit Zipkin trace ID to 32 hex digits', async () => {
    const res = await request(app).get('/api/traces/a3ce929d0e0e4736').expect(200);
    expect(res.body.data[0].traceID).toBe(TRACE_C);
  });

  it('answers an unknown trace with 404 and Jaeger\'s message', async () => {
    const res = await request(app).get('/api/traces/ffffffffffffffffffffffffffffffff').expect(404);
    expect(res.body).toEqual(failure(404, 'trace not found'));
  });

  it.each(['not-hex', '0', `${TRACE_A}00`])('rejects trace ID %j with 400', async (id) => {
    const res = await request(app).get(`/api/traces/${id}`).expect(400);
    expect(res.body.errors[0].msg).toMatch(/^invalid trace ID/);
    expect(res.body.data).toBeNull();
  });
});

describe('GET /api/traces (search)', () => {
  it('searches and loads each trace, most recent first', async () => {
    const res = await request(app).get('/api/traces?service=backend&limit=20').expect(200);
    expect(res.body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    expect(res.body.data.map((t: JaegerTrace) => [t.traceID, t.spans.length])).toEqual([
      [TRACE_B, 1],
      [TRACE_A, 3],
    ]);
    expect(store.traceQueries).toEqual([{ service: 'backend', tags: [], limit: 20 }]);
  });

  it('passes every filter to the store', async () => {
    const qs =
      'service=frontend&operation=GET+%2Forders&start=1712345677000000&end=1712345679000000' +
      '&minDuration=100ms&maxDuration=1s&limit=5&tag=http.method:GET&tags=%7B%22http.status_code%22%3A%22500%22%7D';
    const res = await request(app).get(`/api/traces?${qs}`).expect(200);
    expect(res.body.data.map((t: JaegerTrace) => t.traceID)).toEqual([TRACE_A]);
    expect(store.traceQueries).toEqual([
      {
        service: 'frontend',
        operation: 'GET /orders',
        startNs: 1712345677000000000n,
        endNs: 1712345679000000000n,
        minDurationNs: 100_000_000n,
        maxDurationNs: 1_000_000_000n,
        limit: 5,
        tags: [
          { key: 'http.method', value: 'GET' },
          { key: 'http.status_code', value: '500' },
        ],
      },
    ]);
  });

  it('turns the Jaeger UI lookback into a start time when start is missing', async () => {
    await request(app).get('/api/traces?service=backend&lookback=2d').expect(200);
    expect(store.traceQueries[0]?.startNs).toBe(NOW_NS - 2n * DAY_NS);
  });

  it('returns an empty list when nothing matches', async () => {
    const res = await request(app).get('/api/traces?service=nobody').expect(200);
    expect(res.body).toEqual(ok([]));
  });

  it('loads traceID=… lists and reports the missing ones in errors', async () => {
    const unknown = 'ffffffffffffffffffffffffffffffff';
    const res = await request(app).get(`/api/traces?traceID=${TRACE_B}&traceID=${unknown}&traceID=${TRACE_A.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((t: JaegerTrace) => t.traceID)).toEqual([TRACE_B, TRACE_A]);
    expect(res.body.errors).toEqual([{ code: 404, msg: 'trace not found', traceID: unknown }]);
    expect(store.traceQueries).toEqual([]);
  });

  it('writes, a trace at a time, the very text one JSON document of the traces would be', async () => {
    const unknown = 'ffffffffffffffffffffffffffffffff';
    const res = await request(app).get(`/api/traces?traceID=${TRACE_B}&traceID=${unknown}&traceID=${TRACE_A}`).expect(200).expect('content-type', 'application/json; charset=utf-8');
    const one = async (id: string) => ((await request(app).get(`/api/traces/${id}`).expect(200)).body as { data: JaegerTrace[] }).data[0];
    const whole = { ...ok([await one(TRACE_B), await one(TRACE_A)]), errors: [{ code: 404, msg: 'trace not found', traceID: unknown }] };
    expect(res.text).toBe(JSON.stringify(whole));
    const searched = await request(app).get('/api/traces?service=backend&limit=20').expect(200);
    expect(searched.text).toBe(JSON.stringify(ok([await one(TRACE_B), await one(TRACE_A)])));
  });

  it('cuts the connection when reading a trace fails after the answer began, and logs it', async () => {
    const getTrace = store.getTrace.bind(store);
    store.getTrace = async (id: string) => {
      if (id === TRACE_A) throw new Error('disk gone');
      return getTrace(id);
    };
    await expect(request(app).get(`/api/traces?traceID=${TRACE_B}&traceID=${TRACE_A}`)).rejects.toThrow();
    expect(logger.entries).toHaveLength(1);
  });

  it.each([
    ['minDuration=12x', 'invalid minDuration "12x": unknown unit "x"; expected a Go duration like 1.2s or 300ms'],
    ['limit=-1', 'invalid limit "-1": expected a positive integer'],
    ['tags=%7Bbroken', 'invalid tags "{broken": expected a JSON object of strings like {"http.status_code":"500"}'],
    ['traceID=zz', 'invalid trace ID "zz": expected 1 to 32 hex digits, not all zero'],
  ])('answers %s with a 400 envelope', async (qs, msg) => {
    const res = await request(app).get(`/api/traces?service=frontend&${qs}`).expect(400);
    expect(res.body).toEqual(failure(400, msg));
  });
});

describe('GET /api/dependencies', () => {
  it('reads the window from endTs and lookback in milliseconds', async () => {
    const res = await request(app).get('/api/dependencies?endTs=1712345680000&lookback=3600000').expect(200);
    expect(res.body).toEqual(ok([{ parent: 'frontend', child: 'backend', callCount: 1 }]));
    expect(store.dependencyWindows).toEqual([{ startNs: 1712342080000000000n, endNs: 1712345680000000000n }]);
  });

  it('defaults to the last 24 hours', async () => {
    await request(app).get('/api/dependencies').expect(200);
    expect(store.dependencyWindows).toEqual([{ startNs: NOW_NS - DAY_NS, endNs: NOW_NS }]);
  });

  it('sums duplicate edges and filters by service, as Jaeger does', async () => {
    store.getDependencies = async () => [
      { parent: 'a', child: 'b', callCount: 2 },
      { parent: 'c', child: 'd', callCount: 7 },
      { parent: 'a', child: 'b', callCount: 3 },
    ];
    const all = await request(app).get('/api/dependencies').expect(200);
    expect(all.body.data).toEqual([
      { parent: 'a', child: 'b', callCount: 5 },
      { parent: 'c', child: 'd', callCount: 7 },
    ]);
    const onlyB = await request(app).get('/api/dependencies?service=b').expect(200);
    expect(onlyB.body.data).toEqual([{ parent: 'a', child: 'b', callCount: 5 }]);
  });

  it('answers bad parameters with a 400 envelope', async () => {
    const res = await request(app).get('/api/dependencies?endTs=soon').expect(400);
    expect(res.body).toEqual(failure(400, 'invalid endTs "soon": expected Unix milliseconds'));
  });
});

describe('errors', () => {
  it('answers an unknown path under /api with a 404 envelope', async () => {
    const res = await request(app).get('/api/nope').expect(404);
    expect(res.body).toEqual(failure(404, 'no Jaeger API endpoint GET /api/nope'));
  });

  it('hides internal errors behind a generic 500 and logs them', async () => {
    store.getServices = async () => {
      throw new Error('SQLITE_CORRUPT: /var/lib/threadline/db');
    };
    const res = await request(app).get('/api/services').expect(500);
    expect(res.body).toEqual(failure(500, 'internal server error'));
    expect(JSON.stringify(res.body)).not.toContain('SQLITE');
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]?.details).toEqual({ err: expect.objectContaining({ message: 'SQLITE_CORRUPT: /var/lib/threadline/db' }) });
  });

  it('keeps the status and headers of an AppError from the store', async () => {
    store.getTrace = async () => {
      throw new AppError(503, 'store_busy', 'store is busy, retry shortly', { 'Retry-After': '1' });
    };
    const res = await request(app).get(`/api/traces/${TRACE_A}`).expect(503).expect('retry-after', '1');
    expect(res.body).toEqual(failure(503, 'store is busy, retry shortly'));
    expect(logger.entries).toEqual([]);
  });
});
