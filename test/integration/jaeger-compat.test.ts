import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { JaegerOperation, JaegerResponse, JaegerTrace } from '@threadline/shared';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';

/**
 * Where a Jaeger client could depend on Jaeger's answers (Grafana's Jaeger data source,
 * Jaeger tooling on api_v3), Threadline answers the same, over HTTP, for data sent with
 * the OpenTelemetry JS exporter. The deliberate remaining differences are in docs/api.md.
 */

const TRACES = 105;

function manyTraces(): ReadableSpan[] {
  const recorded = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'many' }), spanProcessors: [new SimpleSpanProcessor(recorded)] });
  const tracer = provider.getTracer('jaeger-compat');
  for (let i = 0; i < TRACES; i++) tracer.startSpan(`op-${i % 3}`, { kind: SpanKind.SERVER }).end();
  return recorded.getFinishedSpans();
}

describe('Jaeger query API compatibility', () => {
  let server: TestServer;
  let spans: ReadableSpan[];

  beforeAll(async () => {
    server = await startTestServer();
    spans = manyTraces();
    const exporter = new OTLPTraceExporter({ url: `${server.otlpHttp}/v1/traces` });
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
    expect(result.code, String(result.error)).toBe(0);
    await exporter.shutdown();
    // A span of unspecified kind, which the JS SDK cannot make (its INTERNAL is OTLP's 1).
    const raw = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] },
        scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'legacy op', kind: 0, startTimeUnixNano: '1712345678000000000', endTimeUnixNano: '1712345679000000000' }] }],
      }],
    };
    const res = await fetch(`${server.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(raw) });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('/api/traces without limit returns up to 100 traces, like Jaeger', async () => {
    const { body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=many&lookback=1h`);
    expect(body.data).toHaveLength(100);
    const limited = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=many&lookback=1h&limit=20`);
    expect(limited.body.data).toHaveLength(20);
  });

  it('/api/operations names the unspecified span kind "" like Jaeger', async () => {
    const { body } = await getJson<JaegerResponse<JaegerOperation[]>>(`${server.http}/api/operations?service=raw`);
    expect(body.data).toEqual([{ name: 'legacy op', spanKind: '' }]);
  });

  it('/api/services/{unknown}/operations answers data: null like Jaeger', async () => {
    const { status, body } = await getJson(`${server.http}/api/services/nobody/operations`);
    expect([status, body]).toEqual([200, { data: null, total: 0, limit: 0, offset: 0, errors: null }]);
  });

  it('api_v3: services, operations, a trace by ID and a query.* search in OTLP/JSON', async () => {
    const services = await getJson<{ services: string[] }>(`${server.http}/api/v3/services`);
    expect(services.body.services).toEqual(['many', 'raw']);
    const ops = await getJson<{ operations: JaegerOperation[] }>(`${server.http}/api/v3/operations?service=many&span_kind=server`);
    expect(ops.body.operations.map((o) => o.name).sort()).toEqual(['op-0', 'op-1', 'op-2']);

    const one = spans[0]!.spanContext();
    const byId = await getJson<{ result: { resourceSpans: Array<{ scopeSpans: Array<{ scope: { name: string }; spans: Array<{ spanId: string; kind: number }> }> }> } }>(`${server.http}/api/v3/traces/${one.traceId}`);
    expect(byId.status).toBe(200);
    const scope = byId.body.result.resourceSpans[0]!.scopeSpans[0]!;
    expect([scope.scope.name, scope.spans.map((s) => [s.spanId, s.kind])]).toEqual(['jaeger-compat', [[one.spanId, 2]]]);

    const now = new Date();
    const window = `query.start_time_min=${new Date(now.getTime() - 3600_000).toISOString()}&query.start_time_max=${new Date(now.getTime() + 60_000).toISOString()}`;
    const found = await getJson<{ result: { resourceSpans: unknown[] } }>(`${server.http}/api/v3/traces?query.service_name=many&${window}&query.num_traces=30`);
    expect(found.status).toBe(200);
    expect(found.body.result.resourceSpans).toHaveLength(30);
  });
});
