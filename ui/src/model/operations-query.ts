/**
 * The operations page's state and URL: `/operations?service=orders&window=1h&sort=p99&dir=desc`,
 * and the operation view's: `/operations/{service}/{operation}?window=1h&selStart=NS&selEnd=NS&minDuration=…&maxDuration=…`.
 */
import { isDecimalNanos } from './nanos';
import { DEFAULT_WINDOW, parseWindowParams, writeWindowParams, type TimeWindow } from './latency-window';

/** Columns of the operations table; the `d…` ones are changes against the previous window. */
export const OPERATION_SORT_KEYS = ['name', 'rate', 'errorRate', 'p50', 'p90', 'p99', 'dRate', 'dErrorRate', 'dP50', 'dP99'] as const;
export type OperationSortKey = (typeof OPERATION_SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export interface OperationsQuery extends TimeWindow {
  service: string;
  sort: OperationSortKey;
  dir: SortDirection;
}

export const DEFAULT_OPERATIONS_QUERY: Readonly<OperationsQuery> = { ...DEFAULT_WINDOW, service: '', sort: 'name', dir: 'asc' };

function isSortKey(value: string): value is OperationSortKey {
  return (OPERATION_SORT_KEYS as readonly string[]).includes(value);
}

/** Names read best A→Z; numbers are looked at largest first. */
export function defaultDirection(key: OperationSortKey): SortDirection {
  return key === 'name' ? 'asc' : 'desc';
}

export function parseOperationsParams(params: URLSearchParams): OperationsQuery {
  const sortParam = params.get('sort') ?? '';
  const sort = isSortKey(sortParam) ? sortParam : DEFAULT_OPERATIONS_QUERY.sort;
  const dirParam = params.get('dir');
  return {
    ...parseWindowParams(params),
    service: params.get('service') ?? '',
    sort,
    dir: dirParam === 'asc' || dirParam === 'desc' ? dirParam : defaultDirection(sort),
  };
}

export function operationsQueryToParams(query: OperationsQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.service) params.set('service', query.service);
  writeWindowParams(query, params);
  if (query.sort !== DEFAULT_OPERATIONS_QUERY.sort || query.dir !== DEFAULT_OPERATIONS_QUERY.dir) {
    params.set('sort', query.sort);
    params.set('dir', query.dir);
  }
  return params;
}

/**
 * A box of the heatmap or a range of the histogram: spans started in [startNs, endNs]
 * with a duration in [minNs, maxNs], all inclusive Unix/duration nanoseconds.
 */
export interface LatencySelection {
  startNs: string;
  endNs: string;
  minNs: string;
  maxNs: string;
}

export interface OperationViewQuery extends TimeWindow {
  service: string;
  operation: string;
  selection: LatencySelection | null;
  /** Heatmap colours and the span list show failed spans only. */
  errorsOnly: boolean;
}

function parseSelection(params: URLSearchParams): LatencySelection | null {
  const values = ['selStart', 'selEnd', 'selMin', 'selMax'].map((name) => params.get(name) ?? '');
  if (!values.every(isDecimalNanos)) return null;
  const [startNs, endNs, minNs, maxNs] = values as [string, string, string, string];
  if (BigInt(startNs) > BigInt(endNs) || BigInt(minNs) > BigInt(maxNs)) return null;
  return { startNs, endNs, minNs, maxNs };
}

export function parseOperationViewParams(service: string, operation: string, params: URLSearchParams): OperationViewQuery {
  return {
    ...parseWindowParams(params),
    service,
    operation,
    selection: parseSelection(params),
    errorsOnly: params.get('errorsOnly') === 'true',
  };
}

export function operationViewQueryToParams(query: OperationViewQuery): URLSearchParams {
  const params = new URLSearchParams();
  writeWindowParams(query, params);
  if (query.errorsOnly) params.set('errorsOnly', 'true');
  const s = query.selection;
  if (s) {
    params.set('selStart', s.startNs);
    params.set('selEnd', s.endNs);
    params.set('selMin', s.minNs);
    params.set('selMax', s.maxNs);
  }
  return params;
}
