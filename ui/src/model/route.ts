/** The app's routes. `/search?…` and `/trace/{traceId}?span={spanId}` are public contracts: people paste them. */
import { normalizeHexId, TRACE_ID_HEX_LENGTH, SPAN_ID_HEX_LENGTH } from '@threadline/shared';
import { parseSearchParams, searchQueryToParams, type SearchQuery } from './search-query';
import { parseLatencyRoute, type LatencyRoute } from './latency-routes';
import { parseNettraceRoute, type NettraceRoute } from './nettrace-routes';
import { parseWindowParams, writeWindowParams, type TimeWindow } from './latency-window';
import { parseResultSort, type ResultSort } from './result-sort';
import { decodePathSegment } from './path-segment';
import { tracePathId } from './trace-path';

export type SkewMode = 'adjusted' | 'raw';

/** The trace page's views of one trace. */
export const TRACE_TABS = ['waterfall', 'stats', 'flame'] as const;
export type TraceTab = (typeof TRACE_TABS)[number];

/** What the trace page shows besides the trace: the find text (Jaeger's `uiFind`) and the tab. */
export interface TraceViewState {
  readonly find?: string;
  readonly tab?: TraceTab;
}

/** Where a trace comes from: the server, or a file opened in this tab. */
export type TraceSource = { kind: 'server'; traceId: string } | { kind: 'local' };

export type Route =
  | { page: 'search'; query: SearchQuery; submitted: boolean; notices: readonly string[]; sort: ResultSort }
  | { page: 'trace'; source: TraceSource; spanId: string | null; skew: SkewMode; find: string; tab: TraceTab }
  | LatencyRoute
  | NettraceRoute
  | { page: 'compare'; a: string; b: string }
  | { page: 'dependencies'; window: TimeWindow }
  | { page: 'not-found'; message: string };

export const LOCAL_TRACE_PATH = '/trace/local';

export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  if (pathname === '/' || pathname === '/search') {
    // A bare /search shows the form; any query means "run this search".
    return { page: 'search', ...parseSearchParams(params), submitted: params.size > 0, sort: parseResultSort(params.get('sort')) };
  }
  const raw = tracePathId(pathname);
  if (raw !== undefined) {
    const spanParam = params.get('span');
    const spanId = spanParam === null ? null : normalizeHexId(spanParam, SPAN_ID_HEX_LENGTH);
    const skew: SkewMode = params.get('skew') === 'raw' ? 'raw' : 'adjusted';
    const find = params.get('uiFind') ?? '';
    const tabParam = params.get('tab') ?? '';
    const tab: TraceTab = (TRACE_TABS as readonly string[]).includes(tabParam) ? (tabParam as TraceTab) : 'waterfall';
    if (raw === 'local') return { page: 'trace', source: { kind: 'local' }, spanId, skew, find, tab };
    const traceId = normalizeHexId(raw, TRACE_ID_HEX_LENGTH);
    if (traceId === null) return { page: 'not-found', message: `"${raw}" is not a trace ID (up to 32 hex digits).` };
    return { page: 'trace', source: { kind: 'server', traceId }, spanId, skew, find, tab };
  }
  const compare = /^\/compare\/([^/]+)\/([^/]+)\/?$/.exec(pathname);
  if (compare) {
    const [a, b] = [compare[1]!, compare[2]!].map((raw) => normalizeHexId(decodePathSegment(raw) ?? raw, TRACE_ID_HEX_LENGTH));
    if (!a || !b) return { page: 'not-found', message: 'A compare address is /compare/{traceId}/{traceId} with two trace IDs (up to 32 hex digits).' };
    return { page: 'compare', a, b };
  }
  if (pathname === '/dependencies') return { page: 'dependencies', window: parseWindowParams(params) };
  const other = parseLatencyRoute(pathname, params) ?? parseNettraceRoute(pathname, params);
  if (other) return other;
  return { page: 'not-found', message: `There is no page at ${pathname}.` };
}

export function searchPath(query: SearchQuery, sort: ResultSort = 'recent'): string {
  const params = searchQueryToParams(query);
  if (sort !== 'recent') params.set('sort', sort);
  return `/search?${params.toString()}`;
}

export function tracePath(
  source: TraceSource | string,
  spanId?: string | null,
  skew: SkewMode = 'adjusted',
  state: TraceViewState = {},
): string {
  const base =
    typeof source === 'string' ? `/trace/${source}` : source.kind === 'local' ? LOCAL_TRACE_PATH : `/trace/${source.traceId}`;
  const params = new URLSearchParams();
  if (spanId) params.set('span', spanId);
  if (skew === 'raw') params.set('skew', 'raw');
  if (state.find) params.set('uiFind', state.find);
  if (state.tab && state.tab !== 'waterfall') params.set('tab', state.tab);
  const query = params.toString();
  return query ? `${base}?${query}` : base;
}

export function comparePath(a: string, b: string): string {
  return `/compare/${a}/${b}`;
}

export function dependenciesPath(window: TimeWindow): string {
  const params = new URLSearchParams();
  writeWindowParams(window, params);
  return `/dependencies?${params.toString()}`;
}
