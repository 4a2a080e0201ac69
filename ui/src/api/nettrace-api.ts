/** The calls of the net/trace pages to Threadline's `/api/v1/nettrace/*`. */
import type { ResolvedWindow } from '../model/latency-window';
import type { NettraceEventsQuery, NettraceQuery, NettraceRequestsQuery } from '../model/nettrace-query';
import { parseEventLogResponse, parseEventLogsResponse, parseNettraceFamiliesResponse, parseNettraceRequestsResponse } from './decode-nettrace';
import { getJson } from './http-client';
import { toEventLogsParams, toFamiliesParams, toNettraceRequestsParams } from './nettrace-requests';
import type { EventLog, EventLogSummary, NettraceFamilies, NettracePage, NettraceRequest } from './nettrace-types';

export async function fetchNettraceFamilies(query: NettraceQuery, window: ResolvedWindow, signal?: AbortSignal): Promise<NettraceFamilies> {
  return parseNettraceFamiliesResponse(await getJson(`/api/v1/nettrace/families?${toFamiliesParams(query, window)}`, signal));
}

/** A page of request traces: the first, or the one after `cursor`. */
export async function fetchNettraceRequests(
  query: NettraceRequestsQuery,
  window: ResolvedWindow,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<NettracePage<NettraceRequest>> {
  return parseNettraceRequestsResponse(await getJson(`/api/v1/nettrace/requests?${toNettraceRequestsParams(query, window, cursor)}`, signal));
}

/** A page of event logs: the first, or the one after `cursor`. */
export async function fetchEventLogs(query: NettraceEventsQuery, cursor: string | null, signal?: AbortSignal): Promise<NettracePage<EventLogSummary>> {
  return parseEventLogsResponse(await getJson(`/api/v1/nettrace/event-logs?${toEventLogsParams(query, cursor)}`, signal));
}

export async function fetchEventLog(recordId: string, service: string, signal?: AbortSignal): Promise<EventLog> {
  const query = service ? `?${new URLSearchParams({ service }).toString()}` : '';
  return parseEventLogResponse(await getJson(`/api/v1/nettrace/event-logs/${encodeURIComponent(recordId)}${query}`, signal));
}
