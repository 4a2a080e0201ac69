import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';

/**
 * Two "services" share one trace: `frontend` exports OTLP protobuf to the OTLP/HTTP
 * port, `orders` exports OTLP JSON to the main port. Both arrive in separate requests;
 * the Jaeger API must return them as one trace with correct parent links.
 */
function provider(service: string, exporter: SpanExporter) {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'host.name': `${service}-host`, 'service.instance.id': `${service}-1` }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

describe('interop with the OpenTelemetry JS exporters', () => {
  let server: TestServer;
  let frontend: BasicTracerProvider;
  let orders: BasicTracerProvider;
  let traceId: string;
  let rootSpanId: string;
  let childSpanId: string;

  beforeAll(async () => {
    server = await startTestServer();
    frontend = provider('frontend', new ProtoExporter({ url: `${server.otlpHttp}/v1/traces` }));
    orders = provider('orders', new JsonExporter({ url: `${server.http}/v1/traces` }));
    const ft: Tracer = frontend.getTracer('frontend-http', '1.2.3');
    const ot: Tracer = orders.getTracer('orders-grpc');

    const root = ft.startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET', 'http.status_code': 200, retries: 2, ratio: 0.5, cached: false, tags: ['a', 'b'] } });
    root.addEvent('cache miss', { key: 'cart:42' });
    const child = ot.startSpan('orders.Checkout', { kind: SpanKind.SERVER, attributes: { 'customer.tier': 'gold' } }, trace.setSpan(context.active(), root));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' });
    child.end();
    root.end();
    traceId = root.spanContext().traceId;
    rootSpanId = root.spanContext().spanId;
    childSpanId = child.spanContext().spanId;
    await Promise.all([frontend.forceFlush(), orders.forceFlush()]);
  });

  afterAll(async () => {
    await Promise.all([frontend?.shutdown(), orders?.shutdown()]);
    await server?.stop();
  });

  it('returns both services\' spans as one trace with a CHILD_OF link across processes', async () => {
    const { status, body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${traceId}`);
    expect(status).toBe(200);
    expect(body.data).toHaveLength(1);
    const t = body.data[0]!;
    expect(t.traceID).toBe(traceId);
    expect(t.spans).toHaveLength(2);
    const services = Object.values(t.processes).map((p) => p.serviceName).sort();
    expect(services).toEqual(['frontend', 'orders']);

    const root = t.spans.find((s) => s.spanID === rootSpanId)!;
    const child = t.spans.find((s) => s.spanID === childSpanId)!;
    expect(root.operationName).toBe('GET /checkout');
    expect(root.references).toEqual([]);
    expect(child.references).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: rootSpanId }]);
    expect(t.processes[root.processID]!.serviceName).toBe('frontend');
    expect(t.processes[child.processID]!.serviceName).toBe('orders');
    expect(t.processes[root.processID]!.tags).toContainEqual({ key: 'host.name', type: 'string', value: 'frontend-host' });

    const tag = (key: string) => root.tags.find((x) => x.key === key);
    expect(tag('http.method')).toMatchObject({ type: 'string', value: 'GET' });
    expect(tag('http.status_code')).toMatchObject({ type: 'int64', value: 200 });
    expect(tag('ratio')).toMatchObject({ type: 'float64', value: 0.5 });
    expect(tag('cached')).toMatchObject({ type: 'bool', value: false });
    expect(root.logs[0]!.fields).toContainEqual({ key: 'key', type: 'string', value: 'cart:42' });
    expect(child.tags).toContainEqual(expect.objectContaining({ key: 'error', value: true }));
  });

  it('finds the trace through search by service, operation and tag', async () => {
    const byService = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=orders&limit=5`);
    expect(byService.body.data.map((t) => t.traceID)).toContain(traceId);
    const byTag = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=orders&tags=${encodeURIComponent('{"customer.tier":"gold"}')}`);
    expect(byTag.body.data.map((t) => t.traceID)).toEqual([traceId]);
    const byOp = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=frontend&operation=${encodeURIComponent('GET /checkout')}&tag=http.method:GET`);
    expect(byOp.body.data.map((t) => t.traceID)).toEqual([traceId]);
    const none = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=frontend&tag=http.method:POST`);
    expect(none.body.data).toEqual([]);
  });

  it('lists services, operations and the dependency between them', async () => {
    expect((await getJson(`${server.http}/api/services`)).body).toEqual({ data: ['frontend', 'orders'], total: 2, limit: 0, offset: 0, errors: null });
    expect((await getJson(`${server.http}/api/services/orders/operations`)).body.data).toEqual(['orders.Checkout']);
    expect((await getJson(`${server.http}/api/operations?service=frontend&spanKind=server`)).body.data).toEqual([{ name: 'GET /checkout', spanKind: 'server' }]);
    const deps = await getJson(`${server.http}/api/dependencies?endTs=${Date.now() + 60_000}&lookback=3600000`);
    expect(deps.body.data).toEqual([{ parent: 'frontend', child: 'orders', callCount: 1 }]);
  });
});
