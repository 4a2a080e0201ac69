/** The calls the UI makes to Threadline's `/api/v1/*`. */
import type { SearchQuery } from '../model/search-query';
import { getJson } from './http-client';
import { parseOperationsResponse, parseSearchResponse, parseServicesResponse, parseTraceResponse } from './decode-responses';
import { toSearchApiParams } from './search-request';
import type { OperationInfo, TraceResponse, TraceSearchHit } from './wire-types';

export async function fetchServices(signal?: AbortSignal): Promise<string[]> {
  return parseServicesResponse(await getJson('/api/v1/services', signal));
}

export async function fetchOperations(service: string, signal?: AbortSignal): Promise<OperationInfo[]> {
  return parseOperationsResponse(await getJson(`/api/v1/services/${encodeURIComponent(service)}/operations`, signal));
}

export async function searchTraces(query: SearchQuery, nowMs: number, signal?: AbortSignal): Promise<TraceSearchHit[]> {
  return parseSearchResponse(await getJson(`/api/v1/search?${toSearchApiParams(query, nowMs).toString()}`, signal));
}

export async function fetchTrace(traceId: string, signal?: AbortSignal): Promise<TraceResponse> {
  return parseTraceResponse(await getJson(`/api/v1/traces/${traceId}`, signal));
}
