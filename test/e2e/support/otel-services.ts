import { context, trace, type Attributes, type Span, type SpanKind, type SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

/**
 * Simulated services that report through the real OpenTelemetry JS SDK and its OTLP/HTTP
 * protobuf exporter, each with its own resource (service, host, instance) the way separate
 * processes would. Span times are given explicitly so traces look like real requests.
 */
export interface ServiceIdentity {
  name: string;
  host: string;
  version?: string;
}

export class OtelServices {
  private readonly providers = new Map<string, BasicTracerProvider>();
  private readonly tracers = new Map<string, Tracer>();

  constructor(private readonly otlpHttpBase: string) {}

  tracer(service: ServiceIdentity): Tracer {
    const existing = this.tracers.get(service.name);
    if (existing) return existing;
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': service.name,
        'service.version': service.version ?? '1.0.0',
        'service.instance.id': `${service.name}-${service.host}`,
        'host.name': service.host,
        'telemetry.sdk.language': 'go',
      }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${this.otlpHttpBase}/v1/traces` }), {
          // Everything goes out in forceFlush(), in the Go exporter's batch size.
          maxExportBatchSize: 512,
          maxQueueSize: 100_000,
          scheduledDelayMillis: 60_000,
        }),
      ],
    });
    const tracer = provider.getTracer(`${service.name}/instrumentation`, '0.9.0');
    this.providers.set(service.name, provider);
    this.tracers.set(service.name, tracer);
    return tracer;
  }

  /** Sends every span recorded so far; resolves once Threadline acknowledged them (after its commit). */
  async flush(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.shutdown()));
  }
}

export interface SpanSpec {
  name: string;
  kind: SpanKind;
  /** Epoch milliseconds (fractions allowed). */
  start: number;
  end: number;
  attributes?: Attributes;
  events?: Array<{ name: string; at: number; attributes?: Attributes }>;
  error?: { code: SpanStatusCode.ERROR; message: string };
}

/** Records one finished span as a child of `parent` (or a root) and returns it. */
export function recordSpan(tracer: Tracer, parent: Span | undefined, spec: SpanSpec): Span {
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  const span = tracer.startSpan(spec.name, { kind: spec.kind, startTime: spec.start, attributes: spec.attributes ?? {}, root: !parent }, ctx);
  for (const event of spec.events ?? []) span.addEvent(event.name, event.attributes ?? {}, event.at);
  if (spec.error) span.setStatus(spec.error);
  span.end(spec.end);
  return span;
}

export function ids(span: Span): { traceId: string; spanId: string } {
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
