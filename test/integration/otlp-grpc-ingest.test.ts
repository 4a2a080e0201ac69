import { Client, Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { protobufPayload, recordSpans } from '../support/otlp-payloads.js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

/** A raw grpc-js client with an identity serializer: sends bytes no exporter would. */
function exportRaw(url: string, bytes: Uint8Array): Promise<{ error: ServiceError | null }> {
  const client = new Client(new URL(url).host, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(EXPORT_PATH, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, bytes, new Metadata(), {}, (error) => {
      client.close();
      resolve({ error });
    });
  });
}

describe('OTLP/gRPC ingest', () => {
  let server: TestServer;
  const getTrace = (traceId: string) => getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${traceId}`);

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('lists the gRPC listener with an http:// URL', () => {
    const listener = server.handle.listeners.find((l) => l.name === 'otlp-grpc');
    expect(listener?.url).toBe(`http://127.0.0.1:${listener!.port}`);
    expect(server.otlpGrpc).toBe(listener!.url);
  });

  it.each([
    ['uncompressed', {}],
    ['gzip', { compression: 'gzip' as ExporterConfig['compression'] }],
  ])('stores what the real OpenTelemetry gRPC exporter sends (%s)', async (_name, extra: Partial<ExporterConfig>) => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'grpc-svc', 'host.name': 'h1' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: server.otlpGrpc, ...extra }))],
    });
    try {
      const tracer = provider.getTracer('grpc-test', '1.0.0');
      const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'http.status_code': 200, big: 'x'.repeat(4096) } });
      const child = tracer.startSpan('orders.Lookup', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc' } }, trace.setSpan(context.active(), root));
      child.addEvent('sent', { 'message.id': 1 });
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadline exceeded' });
      child.end();
      root.end();
      await provider.forceFlush();

      const traceId = root.spanContext().traceId;
      const { status, body } = await getTrace(traceId);
      expect(status).toBe(200);
      const t = body.data[0]!;
      expect(t.spans).toHaveLength(2);
      const rootSpan = t.spans.find((s) => s.spanID === root.spanContext().spanId)!;
      const childSpan = t.spans.find((s) => s.spanID === child.spanContext().spanId)!;
      expect(childSpan.references).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: root.spanContext().spanId }]);
      expect(rootSpan.tags).toContainEqual({ key: 'http.status_code', type: 'int64', value: 200 });
      expect(childSpan.tags).toContainEqual({ key: 'otel.status_description', type: 'string', value: 'deadline exceeded' });
      expect(childSpan.logs[0]!.fields).toContainEqual({ key: 'message.id', type: 'int64', value: 1 });
      expect(t.processes[rootSpan.processID]).toEqual({ serviceName: 'grpc-svc', tags: [{ key: 'host.name', type: 'string', value: 'h1' }] });
    } finally {
      await provider.shutdown();
    }
  });

  it('answers INVALID_ARGUMENT for malformed bytes and keeps what was stored before', async () => {
    const spans = recordSpans(25, 'before-bad');
    expect((await exportRaw(server.otlpGrpc, protobufPayload(spans))).error).toBeNull();
    const { error } = await exportRaw(server.otlpGrpc, new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/malformed ExportTraceServiceRequest/);
    expect((await getTrace(spans[0]!.spanContext().traceId)).body.data[0]!.spans).toHaveLength(25);
  });

  it('answers RESOURCE_EXHAUSTED for a message over the 16 MiB default cap', async () => {
    const { error } = await exportRaw(server.otlpGrpc, new Uint8Array(16 * 1024 * 1024 + 1));
    expect(error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
  });
});

describe('OTLP/gRPC listener off', () => {
  it('starts nothing for --otlp-grpc-port off', async () => {
    const server = await startTestServer({ otlpGrpcPort: 'off' });
    try {
      expect(server.otlpGrpc).toBe('');
      expect(server.handle.listeners.map((l) => l.name)).not.toContain('otlp-grpc');
    } finally {
      await server.stop();
    }
  });
});
