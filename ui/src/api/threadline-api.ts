/** The calls the UI makes to Threadline's `/api/v1/*` (and Jaeger's `/api/dependencies`, which has no v1 twin). */
import type { JaegerDependency } from '@threadline/shared';
import type { ResolvedWindow } from '../model/latency-window';
import { nanosToMillis } from '../model/nanos';
import type { SearchQuery } from '../model/search-query';
import { getJson } from './http-client';
import { parseDependenciesResponse, parseOperationsResponse, parseSearchResponse, parseServicesResponse } from './decode-responses';
import { toSearchApiParams } from './search-request';
import type { OperationInfo, TraceSearchHit } from './wire-types';

export async function fetchServices(signal?: AbortSignal): Promise<string[]> {
  return parseServicesResponse(await getJson('/api/v1/services', signal));
}

export async function fetchOperations(service: string, signal?: AbortSignal): Promise<OperationInfo[]> {
  return parseOperationsResponse(await getJson(`/api/v1/services/${encodeURIComponent(service)}/operations`, signal));
}

export async function searchTraces(query: SearchQuery, nowMs: number, signal?: AbortSignal): Promise<TraceSearchHit[]> {
  return parseSearchResponse(await getJson(`/api/v1/search?${toSearchApiParams(query, nowMs).toString()}`, signal));
}

export async function fetchDependencies(window: ResolvedWindow, signal?: AbortSignal): Promise<JaegerDependency[]> {
  const endMs = nanosToMillis(window.endNs);
  const params = new URLSearchParams({ endTs: String(endMs), lookback: String(Math.max(1, endMs - nanosToMillis(window.startNs))) });
  return parseDependenciesResponse(await getJson(`/api/dependencies?${params.toString()}`, signal));
}
