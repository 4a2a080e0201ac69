import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace, SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { derivedSharedSpanId } from '../../server/src/receivers/zipkin/zipkin-to-spans.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';

/**
 * One request through three services, each reporting its own way:
 * gateway (OTel JS → OTLP/HTTP protobuf) calls orders (OTel JS → OTLP/gRPC), which calls
 * inventory over B3; inventory is a zipkin-go service that joins the caller's span
 * (shared) and uploads Zipkin v2 JSON. The query API must return one tree.
 */
function provider(service: string, exporter: SpanExporter) {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

describe('one trace over OTLP/HTTP, OTLP/gRPC and Zipkin', () => {
  let server: TestServer;
  let gateway: BasicTracerProvider;
  let orders: BasicTracerProvider;
  const ids: Record<string, string> = {};
  let traceId: string;

  beforeAll(async () => {
    server = await startTestServer();
    gateway = provider('gateway', new ProtoExporter({ url: `${server.otlpHttp}/v1/traces` }));
    orders = provider('orders', new GrpcExporter({ url: server.otlpGrpc }));

    const gt = gateway.getTracer('gateway');
    const ot = orders.getTracer('orders');
    const root = gt.startSpan('GET /order/42', { kind: SpanKind.SERVER });
    const callOrders = gt.startSpan('orders.Get', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), root));
    const ordersServer = ot.startSpan('orders.Get', { kind: SpanKind.SERVER }, trace.setSpan(context.active(), callOrders));
    const callInventory = ot.startSpan('GET /stock', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), ordersServer));
    traceId = root.spanContext().traceId;
    Object.assign(ids, {
      root: root.spanContext().spanId,
      callOrders: callOrders.spanContext().spanId,
      ordersServer: ordersServer.spanContext().spanId,
      callInventory: callInventory.spanContext().spanId,
    });

    // inventory joins the B3 context it received: X-B3-SpanId = callInventory, X-B3-ParentSpanId = ordersServer.
    const start = Date.now() * 1000;
    const res = await fetch(`${server.zipkin}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { traceId, id: 'c0ffee0000000001', parentId: ids.callInventory, name: 'stock lookup', timestamp: start + 300, duration: 900, localEndpoint: { serviceName: 'inventory' } },
        { traceId, id: ids.callInventory, parentId: ids.ordersServer, shared: true, kind: 'SERVER', name: 'get /stock', timestamp: start + 100, duration: 1500, localEndpoint: { serviceName: 'inventory', ipv4: '10.1.0.3' } },
      ]),
    });
    expect(res.status).toBe(202);

    for (const s of [callInventory, ordersServer, callOrders, root]) s.end();
    await Promise.all([gateway.forceFlush(), orders.forceFlush()]);
  });

  afterAll(async () => {
    await Promise.all([gateway?.shutdown(), orders?.shutdown()]);
    await server?.stop();
  });

  it('returns every span in one trace with the right CHILD_OF references', async () => {
    const { status, body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${traceId}`);
    expect(status).toBe(200);
    const t = body.data[0]!;
    const inventoryServer = derivedSharedSpanId(traceId, ids.callInventory!);
    const parentOf = Object.fromEntries(t.spans.map((s) => [s.spanID, s.references.map((r) => `${r.refType}:${r.spanID}`)]));
    expect(parentOf).toEqual({
      [ids.root!]: [],
      [ids.callOrders!]: [`CHILD_OF:${ids.root}`],
      [ids.ordersServer!]: [`CHILD_OF:${ids.callOrders}`],
      [ids.callInventory!]: [`CHILD_OF:${ids.ordersServer}`],
      [inventoryServer]: [`CHILD_OF:${ids.callInventory}`],
      c0ffee0000000001: [`CHILD_OF:${inventoryServer}`],
    });
    const serviceOf = Object.fromEntries(t.spans.map((s) => [s.spanID, t.processes[s.processID]!.serviceName]));
    expect(serviceOf[ids.callOrders!]).toBe('gateway');
    expect(serviceOf[ids.callInventory!]).toBe('orders');
    expect(serviceOf[inventoryServer]).toBe('inventory');
    expect(t.spans.every((s) => s.warnings === null)).toBe(true);
  });

  it('draws the dependencies across all three protocols', async () => {
    const deps = await getJson(`${server.http}/api/dependencies?endTs=${Date.now() + 60_000}&lookback=3600000`);
    expect(deps.body.data).toEqual(expect.arrayContaining([
      { parent: 'gateway', child: 'orders', callCount: 1 },
      { parent: 'orders', child: 'inventory', callCount: 1 },
    ]));
  });
});
