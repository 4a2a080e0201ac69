import type { LatencyHistogramBucket, LatencyRange } from '../sketch/latency-buckets.js';
import type { LatencySketch } from '../sketch/latency-sketch.js';
import type { SpanKindName, TagFilter } from './span-store.js';

/**
 * Queries and results of the latency part of SpanStore (percentiles, histograms,
 * heatmaps, slow spans) and of retention. Times are Unix nanoseconds as bigint.
 *
 * Sketch-based answers cover whole time units of the store's sketches (a minute for
 * SQLite): a window is widened to every unit it touches, and `windowStartNs`/`windowEndNs`
 * say what was actually covered. Span lists (`findSlowSpans`) use the exact window.
 */

export interface LatencyQuery {
  service: string;
  /** Every operation of the service when absent. */
  operation?: string;
  spanKind?: SpanKindName;
  startNs: bigint;
  endNs: bigint;
}

/** The window a sketch-based answer covers: [windowStartNs, windowEndNs). */
export interface CoveredWindow {
  windowStartNs: bigint;
  windowEndNs: bigint;
}

export interface LatencyStats extends CoveredWindow {
  count: number;
  errorCount: number;
  /** Every span's duration; quantiles within the sketch's relative accuracy (1%). */
  sketch: LatencySketch;
}

export interface OperationStatsQuery {
  service: string;
  startNs: bigint;
  endNs: bigint;
  /**
   * At most this many series buckets over the window, each a whole number of the
   * sketches' time unit (so the store, which knows that unit, picks the width).
   */
  buckets: number;
}

export interface OperationLatency {
  name: string;
  spanKind: SpanKindName;
  count: number;
  errorCount: number;
  sketch: LatencySketch;
  /** p99 per series bucket, whole ns; null where the operation had no span. */
  p99SeriesNs: Array<number | null>;
}

export interface OperationStats extends CoveredWindow {
  bucketNs: bigint;
  bucketStartsNs: bigint[];
  /** Operations with at least one span in the window, by name then kind. */
  operations: OperationLatency[];
}

export interface LatencyHistogramQuery extends LatencyQuery {
  /** At most this many log-scale buckets, plus one for zero durations. */
  maxBuckets: number;
}

export interface LatencyHistogram extends CoveredWindow {
  buckets: LatencyHistogramBucket[];
}

export interface LatencyHeatmapQuery extends LatencyQuery {
  /** At most this many time buckets (whole sketch time units each). */
  timeBuckets: number;
  /** At most this many log-scale latency buckets, plus one for zero durations. */
  latencyBuckets: number;
}

export interface LatencyHeatmap extends CoveredWindow {
  timeBucketNs: bigint;
  timeBucketStartsNs: bigint[];
  latencyBuckets: LatencyRange[];
  /** counts[time][latency] */
  counts: number[][];
  errorCounts: number[][];
}

/**
 * Spans of a service (or one operation) started in [startNs, endNs] with a duration in
 * [minDurationNs, maxDurationNs], slowest first. A tag matches a span attribute or an
 * attribute of the span's resource, as in trace search.
 */
export interface SlowSpanQuery {
  service: string;
  operation?: string;
  spanKind?: SpanKindName;
  startNs: bigint;
  endNs: bigint;
  minDurationNs: bigint;
  maxDurationNs?: bigint;
  tags: TagFilter[];
  errorsOnly: boolean;
  limit: number;
  /** Spans skipped after the cursor (or from the start). */
  offset: number;
  /** `nextCursor` of the previous page: continues right after its last span. */
  cursor?: string;
}

export interface SlowSpan {
  traceId: string;
  spanId: string;
  service: string;
  operation: string;
  spanKind: SpanKindName;
  startNs: bigint;
  durationNs: bigint;
  error: boolean;
}

export interface SlowSpanPage {
  spans: SlowSpan[];
  /** Set when more spans follow; opaque. */
  nextCursor?: string;
}

/** What one retention step deleted; all zero when there was nothing left to delete. */
export interface RetentionStep {
  spans: number;
  /** Trace summaries whose last span went. */
  traces: number;
  /** Per-minute latency sketches. */
  sketches: number;
  /** Other rows: net/trace records, and the index rows and tag postings of traces that went. */
  records: number;
}
