import { badRequest } from '../../app-error.js';
import type { TagFilter, TraceQuery } from '../../store/span-store.js';
import {
  checkTimeWindow,
  optionalParam,
  parseDurationRange,
  parseLimitParam,
  parseScaledInteger,
  quoteInput,
} from '../param-parsing.js';

const SEARCH_LIMIT = { defaultLimit: 20, maxLimit: 1500 };

export interface V1Search {
  query: TraceQuery;
  /** Applied to trace summaries after the store's search; see the router for what that means. */
  errorsOnly: boolean;
}

/**
 * `/api/v1/search?service=&operation=&tags=k=v,k2=v2&tag=k=v&start=NS&end=NS&minDuration=&maxDuration=&errorsOnly=&limit=`.
 * Every parameter is optional; times are Unix nanoseconds, durations Go durations.
 */
export function parseV1Search(params: URLSearchParams): V1Search {
  const query: TraceQuery = {
    tags: parseV1Tags(params.getAll('tags'), params.getAll('tag')),
    limit: parseLimitParam(params, SEARCH_LIMIT),
    ...parseDurationRange(params),
  };
  const service = optionalParam(params, 'service');
  const operation = optionalParam(params, 'operation');
  const start = optionalParam(params, 'start');
  const end = optionalParam(params, 'end');
  if (service !== undefined) query.service = service;
  if (operation !== undefined) query.operation = operation;
  if (start !== undefined) query.startNs = parseScaledInteger(start, 'start', 'Unix nanoseconds', 1n);
  if (end !== undefined) query.endNs = parseScaledInteger(end, 'end', 'Unix nanoseconds', 1n);
  checkTimeWindow(query.startNs, query.endNs);
  return { query, errorsOnly: parseBooleanParam(params, 'errorsOnly') };
}

/**
 * `tags=k=v,k2=v2` is the short form for the URL bar; a value containing ',' needs the
 * repeatable `tag=k=v`, whose value is everything after the first '='.
 */
export function parseV1Tags(listParams: readonly string[], singleParams: readonly string[]): TagFilter[] {
  const pairs = [...listParams.flatMap((list) => list.split(',')), ...singleParams].filter((pair) => pair !== '');
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw badRequest(`invalid tag ${quoteInput(pair)}: expected key=value`);
    return { key: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

export function parseBooleanParam(params: URLSearchParams, name: string): boolean {
  const raw = optionalParam(params, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw badRequest(`invalid ${name} ${quoteInput(raw)}: expected true or false`);
}
