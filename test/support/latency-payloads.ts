import { rankOf } from '../../server/src/sketch/latency-sketch.js';
import { logNormalDurations } from '../../server/src/sketch/test-support/random.js';
import { seededRandom } from '../../server/src/test-support/seeded-random.js';

/**
 * OTLP/HTTP JSON payloads with known durations for the latency tests: traces of a server
 * span with a database client span and an internal span under it, spread evenly over a
 * window, durations drawn log-normally per operation from a fixed seed.
 */

export const MINUTE_NS = 60_000_000_000n;

export interface OperationSpec {
  name: string;
  /** OTLP SpanKind number. */
  kind: number;
  medianNs: number;
  sigma: number;
}

export const SERVICE = 'checkout';
export const OPERATIONS: readonly OperationSpec[] = [
  { name: 'GET /cart', kind: 2, medianNs: 20e6, sigma: 0.6 },
  { name: 'SELECT cart', kind: 3, medianNs: 2e6, sigma: 1.0 },
  { name: 'render', kind: 1, medianNs: 300e3, sigma: 0.4 },
];

export interface SentSpan {
  traceId: string;
  spanId: string;
  /** '' for the root. */
  parentSpanId: string;
  operation: string;
  startNs: bigint;
  durationNs: bigint;
  error: boolean;
  region: string;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** `traces` traces (3 spans each) starting evenly over [startNs, startNs + windowNs). */
export function buildTraces(seed: number, traces: number, startNs: bigint, windowNs: bigint, traceBase = 1): SentSpan[] {
  const random = seededRandom(seed);
  const durations = OPERATIONS.map((op) => logNormalDurations(random, traces, op.medianNs, op.sigma));
  const spans: SentSpan[] = [];
  for (let t = 0; t < traces; t++) {
    const traceStart = startNs + (windowNs * BigInt(t)) / BigInt(traces);
    const traceNo = traceBase + t;
    OPERATIONS.forEach((op, k) => {
      spans.push({
        traceId: hex(traceNo, 32),
        spanId: hex(traceNo * 4 + k + 1, 16),
        parentSpanId: k === 0 ? '' : hex(traceNo * 4 + 1, 16),
        operation: op.name,
        startNs: traceStart + BigInt(k) * 1000n,
        durationNs: BigInt(durations[k]![t]!),
        error: k === 0 && t % 23 === 0,
        region: t % 3 === 0 ? 'eu' : 'us',
      });
    });
  }
  return spans;
}

/** One ExportTraceServiceRequest in OTLP JSON (IDs hex, times decimal strings). */
export function toOtlpJson(spans: readonly SentSpan[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
        scopeSpans: [
          {
            scope: { name: 'latency-test' },
            spans: spans.map((s) => {
              return {
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId,
                name: s.operation,
                kind: OPERATIONS.find((o) => o.name === s.operation)!.kind,
                startTimeUnixNano: s.startNs.toString(),
                endTimeUnixNano: (s.startNs + s.durationNs).toString(),
                attributes: [{ key: 'region', value: { stringValue: s.region } }],
                status: s.error ? { code: 2, message: 'boom' } : {},
              };
            }),
          },
        ],
      },
    ],
  });
}

/** Posts spans in batches of `batchSize` to an OTLP/HTTP base URL; throws unless each is a 200. */
export async function postSpans(baseUrl: string, spans: readonly SentSpan[], batchSize = 600): Promise<void> {
  for (let i = 0; i < spans.length; i += batchSize) {
    const res = await fetch(`${baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: toOtlpJson(spans.slice(i, i + batchSize)),
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
}

/** Nearest-rank quantile (the definition the sketch uses) of exact values. */
export function exactQuantile(sortedNs: readonly bigint[], q: number): bigint {
  return sortedNs[rankOf(q, sortedNs.length) - 1]!;
}
