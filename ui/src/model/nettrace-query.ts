/**
 * URL state of the net/trace pages, the fleet's `/debug/requests` and `/debug/events`:
 * `/nettrace?service=&instance=&window=1h`,
 * `/nettrace/requests?family=&minDuration=50ms&errorsOnly=true&active=true&service=&instance=&window=1h`,
 * `/nettrace/events?family=&errorsWithin=1m&service=&instance=`.
 */
import { isDurationOrEmpty } from './duration';
import { DEFAULT_WINDOW, parseWindowParams, writeWindowParams, type TimeWindow } from './latency-window';

export interface NettraceQuery extends TimeWindow {
  service: string;
  instance: string;
}

export const DEFAULT_NETTRACE_QUERY: Readonly<NettraceQuery> = { ...DEFAULT_WINDOW, service: '', instance: '' };

export interface NettraceRequestsQuery extends NettraceQuery {
  family: string;
  /** A Go duration (`50ms`), or empty for every request. */
  minDuration: string;
  errorsOnly: boolean;
  /** Requests still in flight only. */
  active: boolean;
}

/** `/debug/events`' error columns: errors within the last 10 seconds, minute, … */
export const ERROR_PERIODS = ['10s', '1m', '10m', '1h', '10h'] as const;
export type ErrorPeriod = (typeof ERROR_PERIODS)[number];

export const ERROR_PERIOD_MS: Record<ErrorPeriod, number> = {
  '10s': 10_000,
  '1m': 60_000,
  '10m': 600_000,
  '1h': 3_600_000,
  '10h': 36_000_000,
};

export interface NettraceEventsQuery {
  service: string;
  instance: string;
  family: string;
  /** Logs with an error in this period only; empty for every log of the family. */
  errorsWithin: ErrorPeriod | '';
}

function parseFilters(params: URLSearchParams): { service: string; instance: string } {
  return { service: params.get('service') ?? '', instance: params.get('instance') ?? '' };
}

function writeFilters(query: { service: string; instance: string }, params: URLSearchParams): void {
  if (query.service) params.set('service', query.service);
  if (query.instance) params.set('instance', query.instance);
}

export function parseNettraceParams(params: URLSearchParams): NettraceQuery {
  return { ...parseWindowParams(params), ...parseFilters(params) };
}

export function nettraceQueryToParams(query: NettraceQuery): URLSearchParams {
  const params = new URLSearchParams();
  writeFilters(query, params);
  writeWindowParams(query, params);
  return params;
}

export function parseNettraceRequestsParams(params: URLSearchParams): NettraceRequestsQuery {
  const minDuration = (params.get('minDuration') ?? '').trim();
  return {
    ...parseNettraceParams(params),
    family: params.get('family') ?? '',
    minDuration: isDurationOrEmpty(minDuration) ? minDuration : '',
    errorsOnly: params.get('errorsOnly') === 'true',
    active: params.get('active') === 'true',
  };
}

export function nettraceRequestsQueryToParams(query: NettraceRequestsQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.family) params.set('family', query.family);
  if (query.minDuration) params.set('minDuration', query.minDuration);
  if (query.errorsOnly) params.set('errorsOnly', 'true');
  if (query.active) params.set('active', 'true');
  writeFilters(query, params);
  writeWindowParams(query, params);
  return params;
}

function isErrorPeriod(value: string): value is ErrorPeriod {
  return (ERROR_PERIODS as readonly string[]).includes(value);
}

export function parseNettraceEventsParams(params: URLSearchParams): NettraceEventsQuery {
  const period = params.get('errorsWithin') ?? '';
  return { ...parseFilters(params), family: params.get('family') ?? '', errorsWithin: isErrorPeriod(period) ? period : '' };
}

export function nettraceEventsQueryToParams(query: NettraceEventsQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.family) params.set('family', query.family);
  if (query.errorsWithin) params.set('errorsWithin', query.errorsWithin);
  writeFilters(query, params);
  return params;
}
