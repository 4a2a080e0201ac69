import { badRequest } from '../../app-error.js';
import type { TagFilter, TraceQuery } from '../../store/span-store.js';
import { DurationSyntaxError, parseLookbackDuration } from '../go-duration.js';
import {
  checkTimeWindow,
  optionalParam,
  parseDurationRange,
  parseLimitParam,
  parseScaledInteger,
  parseTraceIdParam,
  quoteInput,
} from '../param-parsing.js';

/** Query parameters of Jaeger's HTTP query API, as the Jaeger UI and Grafana send them. */

const NS_PER_US = 1_000n;
const NS_PER_MS = 1_000_000n;
/**
 * Jaeger's query service searches 100 traces when no `limit` is given (the Jaeger UI and
 * Grafana always send one); 1500 is the Jaeger UI's largest choice.
 */
export const TRACE_LIMIT = { defaultLimit: 100, maxLimit: 1500 };
/** Jaeger's default window for `/api/dependencies`. */
const DEFAULT_DEPENDENCY_LOOKBACK_MS = 24n * 60n * 60n * 1000n;

export interface JaegerTraceSearch {
  /** `traceID=…` values (the UI's trace comparison); when present they win over `query`. */
  traceIds: string[];
  query: TraceQuery;
}

/**
 * `/api/traces` parameters. Unlike Jaeger, `service` is optional (every service is
 * searched), and without `start` or `lookback` the search is not bounded in time.
 */
export function parseJaegerTraceSearch(params: URLSearchParams, nowNs: bigint): JaegerTraceSearch {
  const traceIds = params.getAll('traceID').map(parseTraceIdParam);
  const query: TraceQuery = {
    tags: parseJaegerTags(params.getAll('tag'), params.getAll('tags')),
    limit: parseLimitParam(params, TRACE_LIMIT),
    ...parseDurationRange(params),
  };
  const service = optionalParam(params, 'service');
  const operation = optionalParam(params, 'operation');
  if (service !== undefined) query.service = service;
  if (operation !== undefined) query.operation = operation;

  const endRaw = optionalParam(params, 'end');
  const startRaw = optionalParam(params, 'start');
  if (endRaw !== undefined) query.endNs = parseScaledInteger(endRaw, 'end', 'Unix microseconds', NS_PER_US);
  if (startRaw !== undefined) {
    query.startNs = parseScaledInteger(startRaw, 'start', 'Unix microseconds', NS_PER_US);
  } else {
    const lookbackNs = parseLookbackParam(optionalParam(params, 'lookback'));
    const endNs = query.endNs ?? nowNs;
    if (lookbackNs !== undefined) query.startNs = endNs > lookbackNs ? endNs - lookbackNs : 0n;
  }
  checkTimeWindow(query.startNs, query.endNs);
  return { traceIds, query };
}

/** The UI sends `lookback=custom` alongside explicit start/end; only a real duration counts. */
function parseLookbackParam(raw: string | undefined): bigint | undefined {
  if (raw === undefined || raw === 'custom') return undefined;
  try {
    const ns = parseLookbackDuration(raw);
    if (ns >= 0n) return ns;
  } catch (err) {
    if (!(err instanceof DurationSyntaxError)) throw err;
  }
  throw badRequest(`invalid lookback ${quoteInput(raw)}: expected a duration like 1h, 2d or custom`);
}

/**
 * `tag=key:value` (repeatable; the value may contain ':') and `tags={"key":"value"}`
 * (JSON object, repeatable). A key given twice keeps its last value, as in Jaeger.
 * Empty values are skipped: a client that clears its tag field may still send `tags=`.
 */
export function parseJaegerTags(simpleTags: readonly string[], jsonTags: readonly string[]): TagFilter[] {
  const tags = new Map<string, string>();
  for (const tag of simpleTags.filter((t) => t !== '')) {
    const colon = tag.indexOf(':');
    if (colon <= 0) throw badRequest(`invalid tag ${quoteInput(tag)}: expected key:value`);
    tags.set(tag.slice(0, colon), tag.slice(colon + 1));
  }
  for (const json of jsonTags.filter((j) => j !== '')) {
    for (const [key, value] of Object.entries(parseTagsObject(json))) tags.set(key, value);
  }
  return [...tags].map(([key, value]) => ({ key, value }));
}

/** Grafana builds this JSON from logfmt, so numbers and booleans are accepted as their text. */
function parseTagsObject(json: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  const expected = `invalid tags ${quoteInput(json)}: expected a JSON object of strings like {"http.status_code":"500"}`;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest(expected);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '' || !['string', 'number', 'boolean'].includes(typeof value)) throw badRequest(expected);
    out[key] = String(value);
  }
  return out;
}

export interface JaegerDependencyQuery {
  startNs: bigint;
  endNs: bigint;
  /** Jaeger narrows the graph to edges touching this service. */
  service?: string;
}

/** `/api/dependencies?endTs=ms&lookback=ms[&service=]`; defaults: now and 24 hours. */
export function parseJaegerDependencyQuery(params: URLSearchParams, nowNs: bigint): JaegerDependencyQuery {
  const endTsRaw = optionalParam(params, 'endTs');
  const lookbackRaw = optionalParam(params, 'lookback');
  const endNs = endTsRaw === undefined ? nowNs : parseScaledInteger(endTsRaw, 'endTs', 'Unix milliseconds', NS_PER_MS);
  const lookbackNs =
    lookbackRaw === undefined
      ? DEFAULT_DEPENDENCY_LOOKBACK_MS * NS_PER_MS
      : parseScaledInteger(lookbackRaw, 'lookback', 'milliseconds', NS_PER_MS);
  const query: JaegerDependencyQuery = { startNs: endNs > lookbackNs ? endNs - lookbackNs : 0n, endNs };
  const service = optionalParam(params, 'service');
  if (service !== undefined) query.service = service;
  return query;
}
