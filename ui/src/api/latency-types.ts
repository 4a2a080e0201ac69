/**
 * Decoded responses of the latency endpoints (`/api/v1/percentiles`, `/slow-spans`, `/spans`,
 * `/operations/stats`, `/latency/histogram`, `/latency/heatmap`). Durations are numbers of
 * nanoseconds (exact below 2^53 ns, 104 days); Unix times stay decimal strings or bigint.
 */
import type { HeatmapGrid } from '../model/heatmap-selection';
import type { HistogramBucket } from '../model/histogram-selection';
import type { OperationRow } from '../model/operation-rows';

export interface Quantile {
  readonly q: number;
  readonly durationNano: number;
}

/** `GET /api/v1/percentiles` */
export interface PercentilesResult {
  readonly service: string;
  readonly operation: string;
  readonly count: number;
  readonly errorCount: number;
  /** Quantiles the window had data for (none when it held no span). */
  readonly quantiles: readonly Quantile[];
}

/** One span of `/api/v1/slow-spans` or `/api/v1/spans`. */
export interface LatencySpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly service: string;
  readonly operation: string;
  readonly startTimeUnixNano: string;
  readonly durationNano: number;
  readonly error: boolean;
}

export interface SpanPage {
  readonly spans: readonly LatencySpan[];
  /** Opaque; asks for the page after this one. Null on the last page. */
  readonly nextCursor: string | null;
}

/** `GET /api/v1/slow-spans` */
export interface SlowSpansResult extends SpanPage {
  /** Null when the window holds no span to take a percentile of. */
  readonly thresholdNano: number | null;
}

/** What a sketch-based answer covers: whole minutes around the asked window, [start, end). */
export interface CoveredWindow {
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
}

/** `GET /api/v1/operations/stats` */
export interface OperationStatsResult extends CoveredWindow {
  readonly bucketNano: number;
  readonly bucketStarts: readonly string[];
  readonly operations: readonly OperationRow[];
}

/** `GET /api/v1/latency/histogram` */
export interface LatencyHistogramResult extends CoveredWindow {
  readonly buckets: readonly HistogramBucket[];
}

/** `GET /api/v1/latency/heatmap` */
export interface LatencyHeatmapResult extends CoveredWindow, HeatmapGrid {}

