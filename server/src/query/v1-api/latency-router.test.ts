import express from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../test-support/memory-store.js';
import { buildSpan } from '../test-support/span-builder.js';
import { RecordingLogger } from '../test-support/test-logger.js';
import { createV1Router } from './v1-router.js';

/** A whole minute, and "now" ten minutes later. */
const T0 = 28_539_095n * 60_000_000_000n;
const NOW = T0 + 600_000_000_000n;

function spanAt(n: number, durationMs: number, fields: { name?: string; error?: boolean } = {}) {
  const start = T0 + BigInt(n) * 1_000_000_000n;
  return buildSpan({
    traceId: n.toString(16).padStart(32, 'a'),
    spanId: n.toString(16).padStart(16, 'b'),
    serviceName: 'api',
    name: fields.name ?? 'GET /orders',
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(durationMs) * 1_000_000n),
    status: { code: fields.error ? 2 : 0, message: '' },
  });
}

let app: express.Express;
beforeEach(() => {
  const spans = Array.from({ length: 100 }, (_, i) => spanAt(i, i + 1, { error: i % 10 === 0 }));
  spans.push(spanAt(200, 5, { name: 'SELECT' }));
  app = express();
  app.use('/api/v1', createV1Router(new MemoryStore(spans), { logger: new RecordingLogger(), now: () => NOW }));
});

const get = (path: string) => request(app).get(path);
const error = (code: string, message: string) => ({ error: { code, message } });

describe('GET /api/v1/percentiles', () => {
  it('answers the fixed contract shape, in the last hour by default', async () => {
    const res = await get('/api/v1/percentiles?service=api&operation=GET%20%2Forders&q=0.5,0.99').expect(200);
    expect(res.body).toEqual({
      service: 'api',
      operation: 'GET /orders',
      count: 100,
      errorCount: 10,
      quantiles: [
        { q: 0.5, durationNano: expect.stringMatching(/^\d+$/) },
        { q: 0.99, durationNano: expect.stringMatching(/^\d+$/) },
      ],
    });
    expect(Number(res.body.quantiles[0].durationNano) / 50e6).toBeCloseTo(1, 1);
  });

  it('covers every operation without one, with operation null', async () => {
    const res = await get('/api/v1/percentiles?service=api').expect(200);
    expect(res.body).toMatchObject({ operation: null, count: 101 });
    expect(res.body.quantiles.map((q: { q: number }) => q.q)).toEqual([0.5, 0.9, 0.95, 0.99]);
  });

  it('gives null durations for a known operation without spans in the window', async () => {
    const res = await get(`/api/v1/percentiles?service=api&start=${NOW - 60_000_000_000n}&end=${NOW}&q=0.5`).expect(200);
    expect(res.body).toEqual({ service: 'api', operation: null, count: 0, errorCount: 0, quantiles: [{ q: 0.5, durationNano: null }] });
  });

  it('answers 404 for an unknown service or operation and 400 for bad parameters', async () => {
    expect((await get('/api/v1/percentiles?service=nope').expect(404)).body).toEqual(
      error('not_found', 'service "nope" not found'),
    );
    expect((await get('/api/v1/percentiles?service=api&operation=x').expect(404)).body).toEqual(
      error('not_found', 'operation "x" of service "api" not found'),
    );
    expect((await get('/api/v1/percentiles').expect(400)).body).toEqual(error('bad_request', 'service is required'));
    expect((await get('/api/v1/percentiles?service=api&q=2').expect(400)).body.error.message).toMatch(/invalid q "2"/);
  });
});

describe('GET /api/v1/slow-spans', () => {
  it('lists spans above the percentile, slowest first, with a cursor for more', async () => {
    const res = await get('/api/v1/slow-spans?service=api&operation=GET%20%2Forders&percentile=95&limit=3').expect(200);
    expect(Number(res.body.thresholdNano) / 95e6).toBeCloseTo(1, 1);
    expect(res.body.spans.map((s: { durationNano: string }) => s.durationNano)).toEqual(['100000000', '99000000', '98000000']);
    expect(Object.keys(res.body.spans[0]).sort()).toEqual(
      ['durationNano', 'error', 'operation', 'service', 'spanId', 'startTimeUnixNano', 'traceId'].sort(),
    );
    const next = await get(`/api/v1/slow-spans?service=api&operation=GET%20%2Forders&percentile=95&limit=3&cursor=${res.body.nextCursor}`);
    // The threshold is the sketch's p95, within 1% of 95 ms: the spans at or above it.
    const expected = ['97000000', '96000000', '95000000'].filter((d) => BigInt(d) >= BigInt(res.body.thresholdNano));
    expect(next.body.spans.map((s: { durationNano: string }) => s.durationNano)).toEqual(expected);
  });

  it('has a null threshold and no spans for an empty window', async () => {
    const res = await get(`/api/v1/slow-spans?service=api&start=${NOW}&end=${NOW}`).expect(200);
    expect(res.body).toEqual({ thresholdNano: null, spans: [] });
  });
});

describe('other latency endpoints', () => {
  it('GET /api/v1/spans lists a duration box', async () => {
    const res = await get('/api/v1/spans?service=api&minDuration=10ms&maxDuration=12000000&errorsOnly=true').expect(200);
    expect(res.body.spans.map((s: { durationNano: string }) => s.durationNano)).toEqual(['11000000']);
  });

  it('GET /api/v1/operations/stats gives rates, error rates, percentiles and a series', async () => {
    const res = await get(`/api/v1/operations/stats?service=api&start=${T0}&end=${T0 + 599_000_000_000n}&buckets=5`).expect(200);
    // Two-minute buckets on the clock: T0 is an odd minute, so six of them.
    expect(res.body.bucketStarts).toHaveLength(6);
    const [orders, select] = res.body.operations;
    expect(orders).toMatchObject({ name: 'GET /orders', spanKind: 'server', count: 100, errorCount: 10, errorRate: 0.1 });
    expect(orders.rate).toBeCloseTo(100 / 600, 6);
    expect(orders.p99Series).toEqual([expect.any(String), expect.any(String), null, null, null, null]);
    expect(select.p99Nano).toBe('5000000');
  });

  it('GET /api/v1/latency/histogram and /heatmap count every span once', async () => {
    const histogram = await get('/api/v1/latency/histogram?service=api&buckets=8').expect(200);
    expect(histogram.body.buckets.length).toBeLessThanOrEqual(8);
    expect([histogram.body.count, histogram.body.errorCount]).toEqual([101, 10]);
    const heatmap = await get(`/api/v1/latency/heatmap?service=api&start=${T0}&end=${NOW - 1n}&timeBuckets=10`).expect(200);
    expect(heatmap.body.timeBuckets).toHaveLength(10);
    expect(heatmap.body.cells.flat().reduce((a: number, b: number) => a + b, 0)).toBe(101);
    expect(heatmap.body.errorCells.flat().reduce((a: number, b: number) => a + b, 0)).toBe(10);
  });
});
