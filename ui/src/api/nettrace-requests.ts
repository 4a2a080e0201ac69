/** Query parameters of `/api/v1/nettrace/*`, built from the pages' state (windows already resolved). */
import type { ResolvedWindow } from '../model/latency-window';
import type { NettraceEventsQuery, NettraceQuery, NettraceRequestsQuery } from '../model/nettrace-query';

export const NETTRACE_REQUESTS_LIMIT = 100;
export const EVENT_LOGS_LIMIT = 200;

function filters(query: { service: string; instance: string }): URLSearchParams {
  const params = new URLSearchParams();
  if (query.service) params.set('service', query.service);
  if (query.instance) params.set('instance', query.instance);
  return params;
}

export function toFamiliesParams(query: NettraceQuery, window: ResolvedWindow): URLSearchParams {
  const params = filters(query);
  params.set('start', window.startNs);
  params.set('end', window.endNs);
  return params;
}

/** The page after `cursor` (a previous page's `nextCursor`), or the first page. */
function page(params: URLSearchParams, limit: number, cursor: string | null): URLSearchParams {
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return params;
}

export function toNettraceRequestsParams(
  query: NettraceRequestsQuery,
  window: ResolvedWindow,
  cursor: string | null = null,
  limit = NETTRACE_REQUESTS_LIMIT,
): URLSearchParams {
  const params = filters(query);
  if (query.family) params.set('family', query.family);
  params.set('start', window.startNs);
  params.set('end', window.endNs);
  if (query.minDuration) params.set('minDuration', query.minDuration);
  if (query.errorsOnly) params.set('errorsOnly', 'true');
  if (query.active) params.set('active', 'true');
  return page(params, limit, cursor);
}

export function toEventLogsParams(query: NettraceEventsQuery, cursor: string | null = null, limit = EVENT_LOGS_LIMIT): URLSearchParams {
  const params = filters(query);
  if (query.family) params.set('family', query.family);
  return page(params, limit, cursor);
}
