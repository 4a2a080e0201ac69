import type { SpanKindName } from '../../store/span-store.js';

/**
 * Wire types of the latency endpoints of `/api/v1` (latency-router.ts). Times and
 * durations are Unix nanoseconds as decimal strings. Every endpoint takes `service`
 * (required), `start`/`end` (Unix ns, default: the last hour up to now) and answers a bad
 * parameter with 400 `{"error":{"code":"bad_request","message":…}}`, an unknown service
 * or operation with 404 `{"error":{"code":"not_found",…}}`.
 *
 * Sketch-based answers (percentiles, stats, histogram, heatmap) come from per-minute
 * sketches: their window is widened to the whole minutes it touches, and durations are
 * within 1% of the exact value (nearest-rank quantiles). Span lists use the exact window.
 *
 * GET /api/v1/percentiles?service=S&operation=O&spanKind=K&start=NS&end=NS&q=0.5,0.9,0.99
 *   q: comma-separated and/or repeated, each in [0, 1], at most 32; default 0.5,0.9,0.95,0.99.
 *   → {"service":"api","operation":"GET /x","count":1234,"errorCount":5,
 *      "quantiles":[{"q":0.5,"durationNano":"2300000"},…]}
 *   operation is null when absent (every operation of the service); durationNano is null
 *   when no span matched (count 0). FIXED CONTRACT: no other fields.
 *
 * GET /api/v1/slow-spans?service=S&operation=O&start=NS&end=NS&percentile=99&limit=50
 *     [&spanKind=K][&tag=k=v…][&tags=k=v,k2=v2][&errorsOnly=true][&offset=N][&cursor=C]
 *   percentile in (0, 100], default 99; limit 1…1000, default 50.
 *   → {"thresholdNano":"41000000","spans":[{"traceId","spanId","service","operation",
 *      "startTimeUnixNano","durationNano","error"}…],"nextCursor":"…"}
 *   thresholdNano is the sketch's percentile over all spans of the operation(s) (null when
 *   there were none); spans are those at or above it, started in [start, end], after the
 *   tag / errorsOnly filters, slowest first. nextCursor is present when more spans follow:
 *   pass it back as `cursor` for the next page. FIXED CONTRACT (nextCursor is an addition).
 *
 * GET /api/v1/spans?service=S&operation=O&start=NS&end=NS&minDuration=D&maxDuration=D
 *     [&spanKind=K][&tag=k=v…][&errorsOnly=true][&limit=50][&offset=N][&cursor=C]
 *   A (time × duration) box, as a heatmap cell or histogram bar selects it. Durations are
 *   Go durations (1.5ms) or plain integers of nanoseconds (a bucket's lowNano/highNano,
 *   both ends included).
 *   → {"spans":[…same items as slow-spans…],"nextCursor":"…"}
 *
 * GET /api/v1/operations/stats?service=S&start=NS&end=NS&buckets=30
 *   buckets 1…500: the p99 series has about that many points. Bucket widths are 1, 2, 3,
 *   4, 5, 6, 10, 12, 15, 20 or 30 minutes or whole hours, aligned to the clock, so the first
 *   and last bucket may reach outside the window (only spans inside it count).
 *   → {"service":"api","startTimeUnixNano","endTimeUnixNano","bucketNano":"2880000000000",
 *      "bucketStarts":["…",…],
 *      "operations":[{"name","spanKind","count","errorCount","rate":12.5,"errorRate":0.01,
 *        "p50Nano","p90Nano","p99Nano","p99Series":["…",null,…]}]}
 *   Operations with at least one span in the window, by name then kind. rate is spans per
 *   second over the covered window (up to now), errorRate = errorCount / count.
 *
 * GET /api/v1/latency/histogram?service=S&operation=O&start=NS&end=NS&buckets=40
 *   → {"service","operation","startTimeUnixNano","endTimeUnixNano","count","errorCount",
 *      "buckets":[{"lowNano":"0","highNano":"0","count":3,"errorCount":0},
 *                 {"lowNano":"1003","highNano":"1084","count":17,"errorCount":1},…]}
 *   Log-scale, contiguous, at most `buckets` (1…200, default 40) plus a [0, 0] bucket when
 *   some durations were zero. Bounds are whole ns, both included, and counts are exact for
 *   them: /api/v1/spans with minDuration=lowNano&maxDuration=highNano finds those spans.
 *
 * GET /api/v1/latency/heatmap?service=S&operation=O&start=NS&end=NS&timeBuckets=60&latencyBuckets=40
 *   → {"service","operation","startTimeUnixNano","endTimeUnixNano","timeBucketNano",
 *      "timeBuckets":["<start of each time bucket>",…],
 *      "latencyBuckets":[{"lowNano","highNano"},…],
 *      "cells":[[count per latency bucket]…one row per time bucket],
 *      "errorCells":[[…same shape, failed spans…]]}
 *   timeBuckets 1…500 (about that many, clock-aligned like the stats buckets),
 *   latencyBuckets 1…200.
 */

export interface V1Quantile {
  q: number;
  durationNano: string | null;
}

export interface V1PercentilesResponse {
  service: string;
  operation: string | null;
  count: number;
  errorCount: number;
  quantiles: V1Quantile[];
}

export interface V1SpanListItem {
  traceId: string;
  spanId: string;
  service: string;
  operation: string;
  startTimeUnixNano: string;
  durationNano: string;
  error: boolean;
}

export interface V1SlowSpansResponse {
  thresholdNano: string | null;
  spans: V1SpanListItem[];
  nextCursor?: string;
}

export interface V1SpanListResponse {
  spans: V1SpanListItem[];
  nextCursor?: string;
}

export interface V1OperationStats {
  name: string;
  spanKind: SpanKindName;
  count: number;
  errorCount: number;
  rate: number;
  errorRate: number;
  p50Nano: string;
  p90Nano: string;
  p99Nano: string;
  p99Series: Array<string | null>;
}

export interface V1OperationStatsResponse {
  service: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  bucketNano: string;
  bucketStarts: string[];
  operations: V1OperationStats[];
}

export interface V1LatencyRange {
  lowNano: string;
  highNano: string;
}

export interface V1HistogramBucket extends V1LatencyRange {
  count: number;
  errorCount: number;
}

export interface V1HistogramResponse {
  service: string;
  operation: string | null;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  count: number;
  errorCount: number;
  buckets: V1HistogramBucket[];
}

export interface V1HeatmapResponse {
  service: string;
  operation: string | null;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  timeBucketNano: string;
  timeBuckets: string[];
  latencyBuckets: V1LatencyRange[];
  cells: number[][];
  errorCells: number[][];
}
