/**
 * Spans with known durations and start times for the latency pages' browser tests
 * (percentile search, operations, histogram and heatmap), sent through the OTel JS SDK's
 * protobuf exporter like the other e2e data. Every span is the root of its own trace.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ids, OtelServices, recordSpan } from './otel-services.js';

export interface KnownSpan {
  traceId: string;
  spanId: string;
  service: string;
  operation: string;
  /** Unix ns */
  startNs: bigint;
  durationNs: bigint;
  error: boolean;
  region: 'eu' | 'us';
}

const MINUTE_MS = 60_000;

/** The durations of orders.Checkout's slow outliers, in ms: the 10 slowest of its 200 spans. */
export const SLOW_CHECKOUT_MS = [400, 450, 500, 550, 600, 650, 700, 750, 800, 900] as const;

export interface LatencyData {
  spans: KnownSpan[];
  /** When the data was made (Unix ms); every span started in the 50 minutes before it. */
  nowMs: number;
}

/**
 * orders.Checkout: 190 spans of 20–58 ms and 10 of 400–900 ms (SLOW_CHECKOUT_MS), spread
 * over the last 50 minutes, the slow ones in minutes 5, 9, …, 41 before now; 3 failed
 * (the 700 and 900 ms ones and one fast one); `region` alternates eu/us.
 * orders.List: 50 spans of 5–14 ms. payments.Charge: 30 spans of 30–59 ms.
 */
export async function sendLatencyData(otlpHttpBase: string): Promise<LatencyData> {
  const nowMs = Date.now();
  const services = new OtelServices(otlpHttpBase);
  const orders = services.tracer({ name: 'orders', host: 'ord-1' });
  const payments = services.tracer({ name: 'payments', host: 'pay-1' });
  const spans: KnownSpan[] = [];
  const record = (service: 'orders' | 'payments', operation: string, startMs: number, durationMs: number, error: boolean) => {
    const region = spans.length % 2 === 0 ? 'eu' : 'us';
    const span = recordSpan(service === 'orders' ? orders : payments, undefined, {
      name: operation,
      kind: SpanKind.SERVER,
      start: startMs,
      end: startMs + durationMs,
      attributes: { region, 'rpc.system': 'grpc' },
      ...(error ? { error: { code: SpanStatusCode.ERROR as const, message: 'failed' } } : {}),
    });
    const { traceId, spanId } = ids(span);
    spans.push({
      traceId,
      spanId,
      service,
      operation,
      startNs: BigInt(startMs) * 1_000_000n,
      durationNs: BigInt(durationMs) * 1_000_000n,
      error,
      region,
    });
  };
  // Whole milliseconds, so the SDK's times are exact.
  const base = Math.floor(nowMs) - 50 * MINUTE_MS;
  for (let i = 0; i < 190; i++) record('orders', 'orders.Checkout', base + i * 15_000 + 1_000, 20 + ((i * 7) % 39), i === 37);
  SLOW_CHECKOUT_MS.forEach((ms, k) => record('orders', 'orders.Checkout', nowMs - (5 + 4 * k) * MINUTE_MS - 7_000, ms, ms === 700 || ms === 900));
  for (let i = 0; i < 50; i++) record('orders', 'orders.List', base + i * 55_000 + 3_000, 5 + (i % 10), false);
  for (let i = 0; i < 30; i++) record('payments', 'payments.Charge', base + i * 90_000 + 5_000, 30 + i, false);
  await services.flush();
  await services.shutdown();
  return { spans, nowMs };
}

/** The nearest-rank quantile of exact durations (what a sketch approximates within 1%). */
export function exactQuantile(durations: readonly bigint[], q: number): bigint {
  const sorted = [...durations].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

export function spansOf(data: LatencyData, service: string, operation?: string): KnownSpan[] {
  return data.spans.filter((s) => s.service === service && (operation === undefined || s.operation === operation));
}

/** Slowest first, ties in any order. */
export function bySlowest(a: KnownSpan, b: KnownSpan): number {
  return a.durationNs > b.durationNs ? -1 : a.durationNs < b.durationNs ? 1 : 0;
}
