/** Routes of the net/trace pages: `/nettrace?…` (families), `/nettrace/requests?…` and `/nettrace/events?…` (records). */
import {
  DEFAULT_NETTRACE_QUERY,
  nettraceEventsQueryToParams,
  nettraceQueryToParams,
  nettraceRequestsQueryToParams,
  parseNettraceEventsParams,
  parseNettraceParams,
  parseNettraceRequestsParams,
  type NettraceEventsQuery,
  type NettraceQuery,
  type NettraceRequestsQuery,
} from './nettrace-query';

export type NettraceRoute =
  | { page: 'nettrace'; query: NettraceQuery }
  | { page: 'nettrace-requests'; query: NettraceRequestsQuery }
  | { page: 'nettrace-events'; query: NettraceEventsQuery };

export function parseNettraceRoute(pathname: string, params: URLSearchParams): NettraceRoute | null {
  switch (pathname.replace(/\/$/, '')) {
    case '/nettrace':
      return { page: 'nettrace', query: parseNettraceParams(params) };
    case '/nettrace/requests':
      return { page: 'nettrace-requests', query: parseNettraceRequestsParams(params) };
    case '/nettrace/events':
      return { page: 'nettrace-events', query: parseNettraceEventsParams(params) };
    default:
      return null;
  }
}

export function nettracePath(query: Partial<NettraceQuery> = {}): string {
  return `/nettrace?${nettraceQueryToParams({ ...DEFAULT_NETTRACE_QUERY, ...query }).toString()}`;
}

export function nettraceRequestsPath(query: NettraceRequestsQuery): string {
  return `/nettrace/requests?${nettraceRequestsQueryToParams(query).toString()}`;
}

export function nettraceEventsPath(query: NettraceEventsQuery): string {
  return `/nettrace/events?${nettraceEventsQueryToParams(query).toString()}`;
}
