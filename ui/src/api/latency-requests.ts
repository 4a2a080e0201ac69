/** Query parameters of the latency endpoints, built from the pages' state (windows already resolved). */
import type { ResolvedWindow } from '../model/latency-window';
import type { LatencySelection } from '../model/operations-query';
import { percentileToQuantile } from '../model/percentile';
import type { SlowQuery } from '../model/slow-query';

/** Series points of the operations table's p99 sparkline. */
export const SPARKLINE_BUCKETS = 30;
/** Enough bars for a smooth log histogram, few enough to click one. */
export const HISTOGRAM_BUCKETS = 40;
export const HEATMAP_TIME_BUCKETS = 60;
export const HEATMAP_LATENCY_BUCKETS = 32;

function scoped(service: string, operation: string, window: ResolvedWindow): URLSearchParams {
  const params = new URLSearchParams();
  params.set('service', service);
  if (operation) params.set('operation', operation);
  params.set('start', window.startNs);
  params.set('end', window.endNs);
  return params;
}

export function toPercentilesParams(service: string, operation: string, window: ResolvedWindow, percentiles: readonly string[]): URLSearchParams {
  const params = scoped(service, operation, window);
  params.set('q', percentiles.map(percentileToQuantile).join(','));
  return params;
}

export function toSlowSpansParams(query: SlowQuery, window: ResolvedWindow, limit: number, cursor: string | null): URLSearchParams {
  const params = scoped(query.service, query.operation, window);
  params.set('percentile', query.percentile);
  for (const tag of query.tags) params.append('tag', tag);
  if (query.errorsOnly) params.set('errorsOnly', 'true');
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return params;
}

/** Spans inside a heatmap box or histogram range: its bounds are exact, so durations go as whole nanoseconds (the API takes plain integers). */
export function toSpansParams(
  service: string,
  operation: string,
  selection: LatencySelection,
  errorsOnly: boolean,
  limit: number,
  cursor: string | null,
): URLSearchParams {
  const params = scoped(service, operation, { startNs: selection.startNs, endNs: selection.endNs });
  params.set('minDuration', selection.minNs);
  params.set('maxDuration', selection.maxNs);
  if (errorsOnly) params.set('errorsOnly', 'true');
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return params;
}

export function toOperationStatsParams(service: string, window: ResolvedWindow, buckets = SPARKLINE_BUCKETS): URLSearchParams {
  const params = scoped(service, '', window);
  params.set('buckets', String(buckets));
  return params;
}

export function toHistogramParams(service: string, operation: string, window: ResolvedWindow, buckets = HISTOGRAM_BUCKETS): URLSearchParams {
  const params = scoped(service, operation, window);
  params.set('buckets', String(buckets));
  return params;
}

export function toHeatmapParams(
  service: string,
  operation: string,
  window: ResolvedWindow,
  timeBuckets = HEATMAP_TIME_BUCKETS,
  latencyBuckets = HEATMAP_LATENCY_BUCKETS,
): URLSearchParams {
  const params = scoped(service, operation, window);
  params.set('timeBuckets', String(timeBuckets));
  params.set('latencyBuckets', String(latencyBuckets));
  return params;
}
