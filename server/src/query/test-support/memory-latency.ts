import { StatusCode, type Span } from '@threadline/shared';
import { buildLatencyGrid, buildLatencyHistogram, type SketchPair } from '../../sketch/latency-buckets.js';
import { LatencySketch } from '../../sketch/latency-sketch.js';
import {
  buildTimeSlices,
  MINUTE_NS,
  minuteOf,
  minuteWindowOf,
  sliceIndexOf,
  sliceStartsNs,
  type MinuteWindow,
} from '../../sketch/time-slices.js';
import type {
  CoveredWindow,
  LatencyHeatmap,
  LatencyHeatmapQuery,
  LatencyHistogram,
  LatencyHistogramQuery,
  LatencyQuery,
  LatencyStats,
  OperationStats,
  OperationStatsQuery,
  SlowSpanPage,
  SlowSpanQuery,
} from '../../store/latency-queries.js';
import { toSpanKindName } from '../../store/span-kind-name.js';

/**
 * The latency part of the test MemoryStore: the interface's semantics over an array of
 * spans, by linear scans (whole minutes for sketch answers, as the SQLite store).
 */

const startOf = (s: Span): bigint => BigInt(s.startTimeUnixNano);
const durationOf = (s: Span): bigint => BigInt(s.endTimeUnixNano) - startOf(s);
const isError = (s: Span): boolean => s.status.code === StatusCode.ERROR;

function inMinutes(spans: readonly Span[], q: LatencyQuery | OperationStatsQuery, window: MinuteWindow): Span[] {
  return spans.filter((s) => {
    const minute = minuteOf(startOf(s));
    return (
      s.serviceName === q.service &&
      ('operation' in q && q.operation !== undefined ? s.name === q.operation : true) &&
      ('spanKind' in q && q.spanKind !== undefined ? toSpanKindName(s.kind) === q.spanKind : true) &&
      minute >= window.firstMinute &&
      minute <= window.lastMinute
    );
  });
}

function windowOf(window: MinuteWindow): CoveredWindow {
  return { windowStartNs: BigInt(window.firstMinute) * MINUTE_NS, windowEndNs: BigInt(window.lastMinute + 1) * MINUTE_NS };
}

function pairOf(spans: readonly Span[]): SketchPair {
  const pair = { all: new LatencySketch(), errors: new LatencySketch() };
  for (const s of spans) {
    pair.all.add(durationOf(s));
    if (isError(s)) pair.errors.add(durationOf(s));
  }
  return pair;
}

export function memoryLatencyStats(spans: readonly Span[], q: LatencyQuery): LatencyStats {
  const window = minuteWindowOf(q.startNs, q.endNs);
  const matching = inMinutes(spans, q, window);
  return {
    ...windowOf(window),
    count: matching.length,
    errorCount: matching.filter(isError).length,
    sketch: pairOf(matching).all,
  };
}

export function memoryOperationStats(spans: readonly Span[], q: OperationStatsQuery): OperationStats {
  const slices = buildTimeSlices(minuteWindowOf(q.startNs, q.endNs), q.buckets);
  const byOperation = new Map<string, Span[]>();
  for (const s of inMinutes(spans, q, slices)) {
    const key = JSON.stringify([s.name, s.kind]);
    byOperation.set(key, [...(byOperation.get(key) ?? []), s]);
  }
  const operations = [...byOperation.values()]
    .sort((a, b) => (a[0]!.name < b[0]!.name ? -1 : a[0]!.name > b[0]!.name ? 1 : a[0]!.kind - b[0]!.kind))
    .map((group) => ({
      name: group[0]!.name,
      spanKind: toSpanKindName(group[0]!.kind),
      count: group.length,
      errorCount: group.filter(isError).length,
      sketch: pairOf(group).all,
      p99SeriesNs: Array.from({ length: slices.count }, (_, k) => {
        const inSlice = group.filter((s) => sliceIndexOf(slices, minuteOf(startOf(s))) === k);
        return inSlice.length === 0 ? null : Math.round(pairOf(inSlice).all.quantile(0.99)!);
      }),
    }));
  return {
    ...windowOf(slices),
    bucketNs: BigInt(slices.minutesPerSlice) * MINUTE_NS,
    bucketStartsNs: sliceStartsNs(slices),
    operations,
  };
}

export function memoryLatencyHistogram(spans: readonly Span[], q: LatencyHistogramQuery): LatencyHistogram {
  const window = minuteWindowOf(q.startNs, q.endNs);
  return { ...windowOf(window), buckets: buildLatencyHistogram(pairOf(inMinutes(spans, q, window)), q.maxBuckets) };
}

export function memoryLatencyHeatmap(spans: readonly Span[], q: LatencyHeatmapQuery): LatencyHeatmap {
  const slices = buildTimeSlices(minuteWindowOf(q.startNs, q.endNs), q.timeBuckets);
  const matching = inMinutes(spans, q, slices);
  const grid = buildLatencyGrid(
    Array.from({ length: slices.count }, (_, k) =>
      pairOf(matching.filter((s) => sliceIndexOf(slices, minuteOf(startOf(s))) === k)),
    ),
    q.latencyBuckets,
  );
  return {
    ...windowOf(slices),
    timeBucketNs: BigInt(slices.minutesPerSlice) * MINUTE_NS,
    timeBucketStartsNs: sliceStartsNs(slices),
    latencyBuckets: grid.buckets,
    counts: grid.counts,
    errorCounts: grid.errorCounts,
  };
}

/** The cursor is the position in the sorted match list: fine for a store that never changes mid-test. */
export function memorySlowSpans(spans: readonly Span[], q: SlowSpanQuery): SlowSpanPage {
  const matching = spans
    .filter(
      (s) =>
        s.serviceName === q.service &&
        (q.operation === undefined || s.name === q.operation) &&
        (q.spanKind === undefined || toSpanKindName(s.kind) === q.spanKind) &&
        startOf(s) >= q.startNs &&
        startOf(s) <= q.endNs &&
        durationOf(s) >= q.minDurationNs &&
        (q.maxDurationNs === undefined || durationOf(s) <= q.maxDurationNs) &&
        (!q.errorsOnly || isError(s)) &&
        q.tags.every(({ key, value }) =>
          [...s.attributes, ...s.resource.attributes].some((kv) => kv.key === key && kv.value.stringValue === value),
        ),
    )
    .sort((a, b) => (durationOf(a) > durationOf(b) ? -1 : durationOf(a) < durationOf(b) ? 1 : 0));
  const from = (q.cursor === undefined ? 0 : Number(q.cursor)) + q.offset;
  const page = matching.slice(from, from + q.limit);
  return {
    spans: page.map((s) => ({
      traceId: s.traceId,
      spanId: s.spanId,
      service: s.serviceName,
      operation: s.name,
      spanKind: toSpanKindName(s.kind),
      startNs: startOf(s),
      durationNs: durationOf(s),
      error: isError(s),
    })),
    ...(from + q.limit < matching.length ? { nextCursor: String(from + q.limit) } : {}),
  };
}
