import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/**
 * Real OTLP payloads made by the OpenTelemetry JS SDK's own serializers, so tests
 * exercise the bytes an exporter really sends rather than our idea of them.
 */
export function recordSpans(count: number, service = 'checkout'): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'host.name': 'h1', 'service.version': '1.4.2' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('payloads', '0.1.0');
  const root = tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER });
  let parent = root;
  for (let i = 1; i < count; i++) {
    const span = tracer.startSpan(`op-${i % 20}`, {
      kind: i % 2 ? SpanKind.CLIENT : SpanKind.INTERNAL,
      attributes: {
        'rpc.system': 'grpc', 'rpc.service': 'orders.Orders', 'rpc.method': 'Checkout', 'net.peer.name': 'orders',
        'net.peer.port': 9090, 'http.status_code': 200, 'app.item': `item-${i}`, 'app.qty': i, 'app.ratio': i / 7, 'app.ok': true,
      },
    }, trace.setSpan(context.active(), parent));
    span.addEvent('message', { 'message.type': 'SENT', 'message.id': i });
    if (i % 50 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.end();
    if (i % 10 === 0) parent = span;
  }
  root.end();
  return exporter.getFinishedSpans();
}

export function protobufPayload(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('serializer returned nothing');
  return bytes;
}

export function jsonPayload(spans: ReadableSpan[]): Uint8Array {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('serializer returned nothing');
  return bytes;
}

export function decodeProtobufResponse(bytes: Uint8Array) {
  return ProtobufTraceSerializer.deserializeResponse(bytes);
}
