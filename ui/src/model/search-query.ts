/**
 * The search form's state and its URL form (`/search?service=…&tag=k=v&lookback=1h`).
 * The URL is the source of truth, so parsing it must tolerate anything a person
 * pastes, including Jaeger UI links (Grafana and old bookmarks): `tags` as JSON,
 * `start`/`end` in microseconds, Jaeger's lookbacks. Whatever is not understood falls
 * back to a default and is reported as a notice, so a link never silently changes
 * the answer.
 */
import { isDurationOrEmpty, parseDuration } from './duration';
import { isDecimalNanos } from './nanos';

export const LOOKBACKS = ['15m', '1h', '6h', '24h', '2d'] as const;
export type Lookback = (typeof LOOKBACKS)[number] | 'custom';

export const LOOKBACK_MS: Record<(typeof LOOKBACKS)[number], number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '2d': 48 * 3_600_000,
};

export const MAX_LIMIT = 1500;

export interface SearchQuery {
  service: string;
  operation: string;
  /** `key=value` pairs. */
  tags: string[];
  lookback: Lookback;
  /** Unix ns as decimal strings; used only when `lookback` is `custom`. */
  start: string;
  end: string;
  /** Go-style durations (`120ms`, `1.5s`) or empty. */
  minDuration: string;
  maxDuration: string;
  errorsOnly: boolean;
  limit: number;
}

export const DEFAULT_SEARCH: Readonly<SearchQuery> = {
  service: '',
  operation: '',
  tags: [],
  lookback: '1h',
  start: '',
  end: '',
  minDuration: '',
  maxDuration: '',
  errorsOnly: false,
  limit: 20,
};

/** A tag filter is `key=value` with a non-empty key; the value may itself contain `=`. */
export function isTagFilter(text: string): boolean {
  const at = text.indexOf('=');
  return at > 0 && text.slice(0, at).trim() !== '';
}

function isLookback(value: string): value is Lookback {
  return value === 'custom' || (LOOKBACKS as readonly string[]).includes(value);
}

/** A search URL read: the query, and what in the URL was not understood or was changed. */
export interface ParsedSearch {
  readonly query: SearchQuery;
  readonly notices: readonly string[];
}

/** Parameters the search page reads; Jaeger UI's `traceID` and others are reported, not ignored. */
const KNOWN_PARAMS = new Set(['service', 'operation', 'tag', 'tags', 'lookback', 'start', 'end', 'minDuration', 'maxDuration', 'errorsOnly', 'limit', 'sort']);

/**
 * Unix times below this are microseconds (Jaeger's unit, 16 digits today), at or above
 * it nanoseconds (Threadline's, 19 digits); the ranges are centuries apart.
 */
const MIN_NANOS = 100_000_000_000_000_000n;

/** A time from the URL as Unix ns, or null: decimal ns as is, µs scaled up. */
function urlTimeToNanos(value: string): string | null {
  if (!isDecimalNanos(value)) return null;
  return BigInt(value) >= MIN_NANOS ? value : (BigInt(value) * 1_000n).toString();
}

/** Jaeger's `tag=key:value` API spelling is accepted besides Threadline's `key=value`. */
function toTagFilter(text: string): string | null {
  const trimmed = text.trim();
  if (isTagFilter(trimmed)) return trimmed;
  const colon = trimmed.indexOf(':');
  return colon > 0 ? `${trimmed.slice(0, colon)}=${trimmed.slice(colon + 1)}` : null;
}

/** Jaeger UI's `tags={"key":"value",…}`; values may be numbers or booleans. */
function parseJsonTags(text: string, notices: string[]): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    notices.push(`tags=${text} is not JSON; it was ignored.`);
    return [];
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    notices.push(`tags=${text} is not a JSON object of key/value pairs; it was ignored.`);
    return [];
  }
  const out: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (key.trim() !== '' && ['string', 'number', 'boolean'].includes(typeof value)) out.push(`${key}=${String(value)}`);
    else notices.push(`Tag ${JSON.stringify(key)} in tags= has no plain value; it was ignored.`);
  }
  return out;
}

const DAY_MS = 24 * 3_600_000;

/** A Jaeger lookback (`2h`, `7d`, `2w`) in ms, or null. */
function jaegerLookbackMs(value: string): number | null {
  const long = /^(\d+)([dw])$/.exec(value);
  if (long) return Number(long[1]) * (long[2] === 'd' ? DAY_MS : 7 * DAY_MS);
  try {
    return parseDuration(value) / 1e6;
  } catch {
    return null;
  }
}

/** The smallest of Threadline's lookbacks that covers `value` (Jaeger offers 2h, 3h, 12h, 7d, …), else the longest. */
function coveringLookback(value: string): (typeof LOOKBACKS)[number] | null {
  const ms = jaegerLookbackMs(value);
  if (ms === null || ms <= 0) return null;
  return LOOKBACKS.find((l) => LOOKBACK_MS[l] >= ms) ?? LOOKBACKS[LOOKBACKS.length - 1]!;
}

function parseLimit(value: string | null, notices: string[]): number {
  if (value === null) return DEFAULT_SEARCH.limit;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    notices.push(`limit=${value} is not a positive whole number; ${DEFAULT_SEARCH.limit} was used.`);
    return DEFAULT_SEARCH.limit;
  }
  if (n > MAX_LIMIT) notices.push(`limit=${value} is above Threadline's maximum; ${MAX_LIMIT} was used.`);
  return Math.min(n, MAX_LIMIT);
}

function parseDurationParam(params: URLSearchParams, name: string, notices: string[]): string {
  const text = (params.get(name) ?? '').trim();
  if (isDurationOrEmpty(text)) return text;
  notices.push(`${name}=${text} is not a duration (e.g. 120ms, 1.5s); it was ignored.`);
  return '';
}

function parseWindow(params: URLSearchParams, notices: string[]): Pick<SearchQuery, 'lookback' | 'start' | 'end'> {
  const lookback = params.get('lookback') ?? '';
  const startParam = params.get('start');
  const endParam = params.get('end');
  // Absolute bounds win, as in Jaeger UI, whose links carry both the lookback and the window it meant.
  if (startParam !== null || endParam !== null) {
    const start = urlTimeToNanos(startParam ?? '');
    const end = urlTimeToNanos(endParam ?? '');
    if (start !== null && end !== null && BigInt(start) <= BigInt(end)) return { lookback: 'custom', start, end };
    notices.push(`start=${startParam ?? ''}&end=${endParam ?? ''} is not a time range (Unix µs or ns); the last ${DEFAULT_SEARCH.lookback} was searched.`);
    return { lookback: DEFAULT_SEARCH.lookback, start: '', end: '' };
  }
  if (lookback === '') return { lookback: DEFAULT_SEARCH.lookback, start: '', end: '' };
  if (isLookback(lookback) && lookback !== 'custom') return { lookback, start: '', end: '' };
  const covering = coveringLookback(lookback);
  if (covering !== null) {
    notices.push(`lookback=${lookback} is not one of Threadline's choices; the last ${covering} was searched.`);
    return { lookback: covering, start: '', end: '' };
  }
  notices.push(`lookback=${lookback} is not understood; the last ${DEFAULT_SEARCH.lookback} was searched.`);
  return { lookback: DEFAULT_SEARCH.lookback, start: '', end: '' };
}

export function parseSearchParams(params: URLSearchParams): ParsedSearch {
  const notices: string[] = [];
  const tags: string[] = [];
  for (const raw of params.getAll('tag')) {
    const tag = toTagFilter(raw);
    if (tag === null) notices.push(`tag=${raw} is not key=value; it was ignored.`);
    else tags.push(tag);
  }
  for (const json of params.getAll('tags')) tags.push(...parseJsonTags(json, notices));
  const errorsOnly = params.get('errorsOnly');
  if (errorsOnly !== null && errorsOnly !== 'true' && errorsOnly !== 'false') notices.push(`errorsOnly=${errorsOnly} is not true or false; it was ignored.`);
  const unknown = [...new Set([...params.keys()].filter((key) => !KNOWN_PARAMS.has(key)))];
  if (unknown.length > 0) notices.push(`Not understood, so not applied: ${unknown.map((key) => `${key}=${params.get(key)}`).join(', ')}.`);
  const query: SearchQuery = {
    service: params.get('service') ?? '',
    operation: params.get('operation') ?? '',
    tags,
    ...parseWindow(params, notices),
    minDuration: parseDurationParam(params, 'minDuration', notices),
    maxDuration: parseDurationParam(params, 'maxDuration', notices),
    errorsOnly: errorsOnly === 'true',
    limit: parseLimit(params.get('limit'), notices),
  };
  return { query, notices };
}

/** The URL form; empty fields are left out so links stay short. */
export function searchQueryToParams(query: SearchQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.service) params.set('service', query.service);
  if (query.operation) params.set('operation', query.operation);
  for (const tag of query.tags) params.append('tag', tag);
  params.set('lookback', query.lookback);
  if (query.lookback === 'custom') {
    params.set('start', query.start);
    params.set('end', query.end);
  }
  if (query.minDuration) params.set('minDuration', query.minDuration);
  if (query.maxDuration) params.set('maxDuration', query.maxDuration);
  if (query.errorsOnly) params.set('errorsOnly', 'true');
  params.set('limit', String(query.limit));
  return params;
}
