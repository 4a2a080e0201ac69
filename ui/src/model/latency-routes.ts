/**
 * Routes of the latency pages: `/slow?…` (percentile search), `/operations?…` (a service's
 * operations) and `/operations/{service}/{operation}?…` (one operation's histogram and heatmap).
 * Service and operation names are path segments, so they are percent-encoded ("GET /cart" → `GET%20%2Fcart`).
 */
import { DEFAULT_WINDOW, pickWindow, type TimeWindow } from './latency-window';
import {
  DEFAULT_OPERATIONS_QUERY,
  operationsQueryToParams,
  operationViewQueryToParams,
  parseOperationsParams,
  parseOperationViewParams,
  type OperationsQuery,
  type OperationViewQuery,
} from './operations-query';
import { parseSlowParams, slowQueryToParams, type SlowQuery } from './slow-query';
import { decodePathSegment } from './path-segment';

export type LatencyRoute =
  | { page: 'slow'; query: SlowQuery; submitted: boolean }
  | { page: 'operations'; query: OperationsQuery }
  | { page: 'operation'; query: OperationViewQuery };

/** The latency route at `pathname`, or null when it is none of them. */
export function parseLatencyRoute(pathname: string, params: URLSearchParams): LatencyRoute | { page: 'not-found'; message: string } | null {
  if (pathname === '/slow') return { page: 'slow', query: parseSlowParams(params), submitted: params.has('service') };
  if (pathname === '/operations' || pathname === '/operations/') return { page: 'operations', query: parseOperationsParams(params) };
  const match = /^\/operations\/([^/]+)\/([^/]+)\/?$/.exec(pathname);
  if (match) {
    const service = decodePathSegment(match[1]!);
    const operation = decodePathSegment(match[2]!);
    if (service === null || operation === null) return { page: 'not-found', message: `${pathname} is not a valid operation address.` };
    return { page: 'operation', query: parseOperationViewParams(service, operation, params) };
  }
  return null;
}

export function slowPath(query: SlowQuery): string {
  return `/slow?${slowQueryToParams(query).toString()}`;
}

export function operationsPath(query: Partial<OperationsQuery> & { service: string }): string {
  return `/operations?${operationsQueryToParams({ ...DEFAULT_OPERATIONS_QUERY, ...query }).toString()}`;
}

/** The operation view; without a window it opens on the default (last hour). */
export function operationPath(
  service: string,
  operation: string,
  options: { window?: TimeWindow; selection?: OperationViewQuery['selection']; errorsOnly?: boolean } = {},
): string {
  const query: OperationViewQuery = {
    ...pickWindow(options.window ?? DEFAULT_WINDOW),
    service,
    operation,
    selection: options.selection ?? null,
    errorsOnly: options.errorsOnly ?? false,
  };
  return `/operations/${encodeURIComponent(service)}/${encodeURIComponent(operation)}?${operationViewQueryToParams(query).toString()}`;
}
