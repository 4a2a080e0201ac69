/**
 * The search form's state and its URL form (`/search?service=…&tag=k=v&lookback=1h`).
 * The URL is the source of truth, so parsing it must tolerate anything a person
 * pastes: unknown values fall back to defaults and invalid durations are dropped.
 */
import { isDurationOrEmpty } from './duration';
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

function parseLimit(value: string | null): number {
  const n = Number(value);
  if (value === null || !Number.isInteger(n) || n < 1) return DEFAULT_SEARCH.limit;
  return Math.min(n, MAX_LIMIT);
}

function validDuration(value: string | null): string {
  const text = (value ?? '').trim();
  return isDurationOrEmpty(text) ? text : '';
}

export function parseSearchParams(params: URLSearchParams): SearchQuery {
  const lookback = params.get('lookback') ?? '';
  const start = params.get('start') ?? '';
  const end = params.get('end') ?? '';
  const custom = lookback === 'custom' && isDecimalNanos(start) && isDecimalNanos(end);
  return {
    service: params.get('service') ?? '',
    operation: params.get('operation') ?? '',
    tags: params.getAll('tag').map((t) => t.trim()).filter(isTagFilter),
    lookback: custom ? 'custom' : isLookback(lookback) && lookback !== 'custom' ? lookback : DEFAULT_SEARCH.lookback,
    start: custom ? start : '',
    end: custom ? end : '',
    minDuration: validDuration(params.get('minDuration')),
    maxDuration: validDuration(params.get('maxDuration')),
    errorsOnly: params.get('errorsOnly') === 'true',
    limit: parseLimit(params.get('limit')),
  };
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
