import { anyValueToString, SpanKind, StatusCode, type JaegerDependency, type Span } from '@threadline/shared';
import type { OperationInfo, SpanKindName, SpanStore, TraceQuery, TraceSummary } from '../../store/span-store.js';
import { tracePagesFromGetTrace } from '../../store/trace-pages.js';
import type {
  LatencyHeatmap,
  LatencyHeatmapQuery,
  LatencyHistogram,
  LatencyHistogramQuery,
  LatencyQuery,
  LatencyStats,
  OperationStats,
  OperationStatsQuery,
  RetentionStep,
  SlowSpanPage,
  SlowSpanQuery,
} from '../../store/latency-queries.js';
import {
  memoryLatencyHeatmap,
  memoryLatencyHistogram,
  memoryLatencyStats,
  memoryOperationStats,
  memorySlowSpans,
} from './memory-latency.js';

/**
 * Test-only SpanStore over an array, with the interface's documented semantics kept
 * simple (linear scans). It records the queries it receives so router tests can check
 * what the parameters turned into.
 */

const KIND_NAMES: Record<SpanKind, SpanKindName> = {
  [SpanKind.UNSPECIFIED]: 'unspecified',
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const startOf = (s: Span): bigint => BigInt(s.startTimeUnixNano);
const durationOf = (s: Span): bigint => BigInt(s.endTimeUnixNano) - startOf(s);
const byStart = (a: Span, b: Span): number => (startOf(a) < startOf(b) ? -1 : startOf(a) > startOf(b) ? 1 : 0);

export class MemoryStore implements SpanStore {
  readonly spans: Span[] = [];
  readonly traceQueries: TraceQuery[] = [];
  readonly dependencyWindows: Array<{ startNs: bigint; endNs: bigint }> = [];

  constructor(spans: readonly Span[] = []) {
    this.spans.push(...spans);
  }

  async writeBatch(spans: readonly Span[]): Promise<void> {
    this.spans.push(...spans);
  }

  async getTraceJson(traceId: string): Promise<string> {
    return JSON.stringify(await this.getTrace(traceId));
  }

  streamTrace(traceId: string): AsyncGenerator<Span[]> {
    return tracePagesFromGetTrace(this, traceId);
  }

  async getTrace(traceId: string): Promise<Span[]> {
    return this.spans.filter((s) => s.traceId === traceId).sort(byStart);
  }

  async getServices(): Promise<string[]> {
    return [...new Set(this.spans.map((s) => s.serviceName))].sort();
  }

  async getOperations(service: string, spanKind?: SpanKindName): Promise<OperationInfo[]> {
    const seen = new Map<string, OperationInfo>();
    for (const s of this.spans) {
      const info = { name: s.name, spanKind: KIND_NAMES[s.kind] };
      if (s.serviceName === service && (spanKind === undefined || info.spanKind === spanKind)) {
        seen.set(JSON.stringify(info), info);
      }
    }
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async findTraceIds(query: TraceQuery): Promise<string[]> {
    this.traceQueries.push(query);
    const matching = this.spans.filter((s) => spanMatches(s, query));
    const traceStarts = new Map<string, bigint>();
    for (const s of matching) {
      const known = traceStarts.get(s.traceId);
      if (known === undefined || startOf(s) < known) traceStarts.set(s.traceId, startOf(s));
    }
    return [...traceStarts]
      .sort(([, a], [, b]) => (a > b ? -1 : a < b ? 1 : 0))
      .slice(0, query.limit)
      .map(([id]) => id);
  }

  async getDependencies(startNs: bigint, endNs: bigint): Promise<JaegerDependency[]> {
    this.dependencyWindows.push({ startNs, endNs });
    const byId = new Map(this.spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
    const edges = new Map<string, JaegerDependency>();
    for (const child of this.spans) {
      const parent = byId.get(`${child.traceId}/${child.parentSpanId}`);
      if (!parent || parent.serviceName === child.serviceName) continue;
      if (startOf(child) < startNs || startOf(child) > endNs) continue;
      const key = `${parent.serviceName}->${child.serviceName}`;
      const edge = edges.get(key) ?? { parent: parent.serviceName, child: child.serviceName, callCount: 0 };
      edge.callCount++;
      edges.set(key, edge);
    }
    return [...edges.values()];
  }

  async getTraceSummaries(traceIds: readonly string[]): Promise<TraceSummary[]> {
    const summaries: TraceSummary[] = [];
    for (const traceId of traceIds) {
      const spans = await this.getTrace(traceId);
      const first = spans[0];
      if (!first) continue;
      const root = spans.find((s) => s.parentSpanId === '') ?? first;
      const end = spans.reduce((max, s) => (BigInt(s.endTimeUnixNano) > max ? BigInt(s.endTimeUnixNano) : max), 0n);
      summaries.push({
        traceId,
        rootService: root.serviceName,
        rootOperation: root.name,
        startNs: startOf(first),
        durationNs: end - startOf(first),
        spanCount: spans.length,
        errorCount: spans.filter((s) => s.status.code === StatusCode.ERROR).length,
        services: [...new Set(spans.map((s) => s.serviceName))].sort(),
      });
    }
    return summaries;
  }

  async getLatencyStats(query: LatencyQuery): Promise<LatencyStats> {
    return memoryLatencyStats(this.spans, query);
  }

  async getOperationStats(query: OperationStatsQuery): Promise<OperationStats> {
    return memoryOperationStats(this.spans, query);
  }

  async getLatencyHistogram(query: LatencyHistogramQuery): Promise<LatencyHistogram> {
    return memoryLatencyHistogram(this.spans, query);
  }

  async getLatencyHeatmap(query: LatencyHeatmapQuery): Promise<LatencyHeatmap> {
    return memoryLatencyHeatmap(this.spans, query);
  }

  async findSlowSpans(query: SlowSpanQuery): Promise<SlowSpanPage> {
    return memorySlowSpans(this.spans, query);
  }

  async deleteBefore(cutoffNs: bigint, maxSpans: number): Promise<RetentionStep> {
    return this.deleteWhere((s) => startOf(s) < cutoffNs, maxSpans);
  }

  async deleteOldestTraces(maxSpans: number): Promise<RetentionStep> {
    const oldest = [...this.spans].sort(byStart)[0];
    return oldest ? this.deleteWhere((s) => s.traceId === oldest.traceId, maxSpans) : this.deleteWhere(() => false, 0);
  }

  async getStorageBytes(): Promise<number> {
    return JSON.stringify(this.spans).length;
  }

  private deleteWhere(doomed: (s: Span) => boolean, maxSpans: number): RetentionStep {
    const gone = this.spans.filter(doomed).slice(0, maxSpans);
    const kept = this.spans.filter((s) => !gone.includes(s));
    this.spans.splice(0, this.spans.length, ...kept);
    const traces = [...new Set(gone.map((s) => s.traceId))].filter((id) => !kept.some((s) => s.traceId === id)).length;
    return { spans: gone.length, traces, sketches: 0, records: 0 };
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}

/** One span must satisfy every filter at once, as the interface documents. */
function spanMatches(s: Span, q: TraceQuery): boolean {
  if (q.service !== undefined && s.serviceName !== q.service) return false;
  if (q.operation !== undefined && s.name !== q.operation) return false;
  if (q.startNs !== undefined && startOf(s) < q.startNs) return false;
  if (q.endNs !== undefined && startOf(s) > q.endNs) return false;
  if (q.minDurationNs !== undefined && durationOf(s) < q.minDurationNs) return false;
  if (q.maxDurationNs !== undefined && durationOf(s) > q.maxDurationNs) return false;
  return q.tags.every(({ key, value }) =>
    [...s.attributes, ...s.resource.attributes].some((kv) => kv.key === key && anyValueToString(kv.value) === value),
  );
}
