/** The calls of the latency pages to Threadline's `/api/v1/*`. */
import type { ResolvedWindow } from '../model/latency-window';
import type { LatencySelection } from '../model/operations-query';
import type { SlowQuery } from '../model/slow-query';
import {
  parseLatencyHeatmapResponse,
  parseLatencyHistogramResponse,
  parseOperationStatsResponse,
  parsePercentilesResponse,
  parseSlowSpansResponse,
  parseSpansResponse,
} from './decode-latency';
import { getJson } from './http-client';
import {
  toHeatmapParams,
  toHistogramParams,
  toOperationStatsParams,
  toPercentilesParams,
  toSlowSpansParams,
  toSpansParams,
} from './latency-requests';
import type {
  LatencyHeatmapResult,
  LatencyHistogramResult,
  OperationStatsResult,
  PercentilesResult,
  SlowSpansResult,
  SpanPage,
} from './latency-types';

export async function fetchPercentiles(
  service: string,
  operation: string,
  window: ResolvedWindow,
  percentiles: readonly string[],
  signal?: AbortSignal,
): Promise<PercentilesResult> {
  return parsePercentilesResponse(await getJson(`/api/v1/percentiles?${toPercentilesParams(service, operation, window, percentiles)}`, signal));
}

export async function fetchSlowSpans(
  query: SlowQuery,
  window: ResolvedWindow,
  limit: number,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<SlowSpansResult> {
  return parseSlowSpansResponse(await getJson(`/api/v1/slow-spans?${toSlowSpansParams(query, window, limit, cursor)}`, signal));
}

export async function fetchSpansIn(
  service: string,
  operation: string,
  selection: LatencySelection,
  errorsOnly: boolean,
  limit: number,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<SpanPage> {
  const params = toSpansParams(service, operation, selection, errorsOnly, limit, cursor);
  return parseSpansResponse(await getJson(`/api/v1/spans?${params}`, signal));
}

export async function fetchOperationStats(service: string, window: ResolvedWindow, signal?: AbortSignal): Promise<OperationStatsResult> {
  return parseOperationStatsResponse(await getJson(`/api/v1/operations/stats?${toOperationStatsParams(service, window)}`, signal));
}

export async function fetchLatencyHistogram(
  service: string,
  operation: string,
  window: ResolvedWindow,
  signal?: AbortSignal,
): Promise<LatencyHistogramResult> {
  return parseLatencyHistogramResponse(await getJson(`/api/v1/latency/histogram?${toHistogramParams(service, operation, window)}`, signal));
}

export async function fetchLatencyHeatmap(
  service: string,
  operation: string,
  window: ResolvedWindow,
  signal?: AbortSignal,
): Promise<LatencyHeatmapResult> {
  return parseLatencyHeatmapResponse(await getJson(`/api/v1/latency/heatmap?${toHeatmapParams(service, operation, window)}`, signal));
}
