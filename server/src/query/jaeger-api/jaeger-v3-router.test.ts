import express from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../test-support/memory-store.js';
import { ALL_SAMPLE_SPANS } from '../test-support/sample-traces.js';
import { buildSpan, TRACE_A, TRACE_B } from '../test-support/span-builder.js';
import { RecordingLogger } from '../test-support/test-logger.js';
import { createJaegerV3Router } from './jaeger-v3-router.js';

let store: MemoryStore;
let app: express.Express;

beforeEach(() => {
  store = new MemoryStore(ALL_SAMPLE_SPANS);
  app = express();
  app.use('/api/v3', createJaegerV3Router(store, { logger: new RecordingLogger() }));
});

const WINDOW = 'query.start_time_min=2024-04-05T00:00:00Z&query.start_time_max=2024-04-06T00:00:00Z';
const spanIdsOf = (result: { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ spanId: string }> }> }> }) =>
  result.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.spanId)));

describe('api_v3', () => {
  it('GET /services lists the services', async () => {
    const res = await request(app).get('/api/v3/services').expect(200);
    expect(res.body).toEqual({ services: ['backend', 'frontend', 'legacy'] });
  });

  it('GET /operations takes service and span_kind', async () => {
    await store.writeBatch([buildSpan({ spanId: 'e000000000000003', serviceName: 'frontend', name: 'raw op', kind: 0 })]);
    const all = await request(app).get('/api/v3/operations?service=frontend').expect(200);
    expect(all.body.operations).toContainEqual({ name: 'raw op', spanKind: '' });
    const clients = await request(app).get('/api/v3/operations?service=frontend&span_kind=client').expect(200);
    expect(clients.body).toEqual({ operations: [{ name: 'orders.Get', spanKind: 'client' }] });
    const bad = await request(app).get('/api/v3/operations?service=frontend&span_kind=up').expect(400);
    expect(bad.body).toEqual({ error: { httpCode: 400, message: expect.stringMatching(/^invalid span_kind "up"/) } });
  });

  it('GET /traces/{id} answers OTLP/JSON in result, grouped by resource and scope', async () => {
    const res = await request(app).get(`/api/v3/traces/${TRACE_A}`).expect(200);
    const { resourceSpans } = res.body.result;
    expect(resourceSpans.map((r: { resource: { attributes: Array<{ key: string; value: unknown }> } }) => r.resource.attributes.find((a) => a.key === 'service.name')?.value)).toEqual([
      { stringValue: 'frontend' },
      { stringValue: 'backend' },
    ]);
    const span = resourceSpans[0].scopeSpans[0].spans[0];
    expect(span).toMatchObject({ traceId: TRACE_A, kind: 2, startTimeUnixNano: expect.stringMatching(/^\d+$/) });
    expect(span).not.toHaveProperty('serviceName');
    expect(new Set(spanIdsOf(res.body.result)).size).toBe(store.spans.filter((s) => s.traceId === TRACE_A).length);
  });

  it('GET /traces/{id} of an unknown trace is a 404 in the gRPC-gateway error form', async () => {
    const res = await request(app).get('/api/v3/traces/0123456789abcdef0123456789abcdef').expect(404);
    expect(res.body).toEqual({ error: { httpCode: 404, message: 'No traces found' } });
    const bad = await request(app).get('/api/v3/traces/xyz').expect(400);
    expect(bad.body.error.httpCode).toBe(400);
  });

  it('GET /traces searches with query.* parameters and answers every trace in one result', async () => {
    const res = await request(app).get(`/api/v3/traces?${WINDOW}&query.service_name=backend`).expect(200);
    expect(store.traceQueries.at(-1)).toMatchObject({ service: 'backend', limit: 100 });
    const traceIds = new Set(res.body.result.resourceSpans.flatMap((r: { scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.traceId))));
    expect([...traceIds].sort()).toEqual([TRACE_A, TRACE_B].sort());
  });

  it('GET /traces writes, a trace at a time, the very text of one document holding every trace', async () => {
    const res = await request(app).get(`/api/v3/traces?${WINDOW}&query.service_name=backend`).expect(200).expect('content-type', 'application/json; charset=utf-8');
    const one = async (id: string) => (await request(app).get(`/api/v3/traces/${id}`).expect(200)).body.result.resourceSpans as unknown[];
    expect(res.text).toBe(JSON.stringify({ result: { resourceSpans: [...(await one(TRACE_B)), ...(await one(TRACE_A))] } }));
  });

  it('GET /traces without a time window, or finding nothing, answers as Jaeger does', async () => {
    const missing = await request(app).get('/api/v3/traces?query.service_name=backend').expect(400);
    expect(missing.body).toEqual({ error: { httpCode: 400, message: 'query.start_time_min and query.start_time_max are required' } });
    const none = await request(app).get(`/api/v3/traces?${WINDOW}&query.service_name=nobody`).expect(404);
    expect(none.body).toEqual({ error: { httpCode: 404, message: 'No traces found' } });
  });
});
