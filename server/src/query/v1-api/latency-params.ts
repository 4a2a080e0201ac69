import { badRequest } from '../../app-error.js';
import type { LatencyQuery } from '../../store/latency-queries.js';
import type { TagFilter } from '../../store/span-store.js';
import {
  checkTimeWindow,
  optionalParam,
  parseDurationParam,
  parseLimitParam,
  parseScaledInteger,
  parseSpanKindParam,
  quoteInput,
} from '../param-parsing.js';
import { parseBooleanParam, parseV1Tags } from './v1-params.js';

/** Parameters of the latency endpoints (latency-types.ts documents them). Failures are 400s naming the parameter. */

const HOUR_NS = 3_600_000_000_000n;
export const DEFAULT_QUANTILES: readonly number[] = [0.5, 0.9, 0.95, 0.99];
const MAX_QUANTILES = 32;
const SPAN_LIMIT = { defaultLimit: 50, maxLimit: 1000 };
const MAX_OFFSET = 100_000;
const MAX_CURSOR_CHARS = 64;
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;

/**
 * `service` (required), `operation`, `spanKind`, `start`/`end` in Unix ns. The window
 * defaults to the hour before `end`, and `end` to now.
 */
export function parseLatencyScope(params: URLSearchParams, nowNs: bigint): LatencyQuery {
  const service = optionalParam(params, 'service');
  if (service === undefined) throw badRequest('service is required');
  const start = optionalParam(params, 'start');
  const end = optionalParam(params, 'end');
  const endNs = end === undefined ? nowNs : parseScaledInteger(end, 'end', 'Unix nanoseconds', 1n);
  const startNs =
    start === undefined
      ? endNs > HOUR_NS
        ? endNs - HOUR_NS
        : 0n
      : parseScaledInteger(start, 'start', 'Unix nanoseconds', 1n);
  checkTimeWindow(startNs, endNs);
  const query: LatencyQuery = { service, startNs, endNs };
  const operation = optionalParam(params, 'operation');
  const spanKind = parseSpanKindParam(params);
  if (operation !== undefined) query.operation = operation;
  if (spanKind !== undefined) query.spanKind = spanKind;
  return query;
}

/** `q=0.5,0.99` and/or `q=0.5&q=0.99`: each in [0, 1], in the order given. */
export function parseQuantiles(params: URLSearchParams): number[] {
  const raw = params.getAll('q').flatMap((list) => list.split(',')).filter((item) => item !== '');
  if (raw.length === 0) return [...DEFAULT_QUANTILES];
  if (raw.length > MAX_QUANTILES) throw badRequest(`at most ${MAX_QUANTILES} quantiles may be asked for`);
  return raw.map((item) => {
    const q = DECIMAL.test(item) ? Number(item) : Number.NaN;
    if (!(q >= 0 && q <= 1)) throw badRequest(`invalid q ${quoteInput(item)}: expected a number from 0 to 1`);
    return q;
  });
}

/** `percentile` in (0, 100], default 99, as a quantile in (0, 1]. */
export function parsePercentile(params: URLSearchParams): number {
  const raw = optionalParam(params, 'percentile');
  if (raw === undefined) return 0.99;
  const p = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!(p > 0 && p <= 100)) throw badRequest(`invalid percentile ${quoteInput(raw)}: expected a number above 0, at most 100`);
  return p / 100;
}

export interface IntegerRule {
  defaultValue: number;
  min: number;
  max: number;
}

export function parseIntegerParam(params: URLSearchParams, name: string, rule: IntegerRule): number {
  const raw = optionalParam(params, name);
  if (raw === undefined) return rule.defaultValue;
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= rule.min && n <= rule.max)) {
    throw badRequest(`invalid ${name} ${quoteInput(raw)}: expected an integer from ${rule.min} to ${rule.max}`);
  }
  return n;
}

export interface SpanListFilters {
  tags: TagFilter[];
  errorsOnly: boolean;
  limit: number;
  offset: number;
  cursor?: string;
}

/** `tag=k=v` (repeatable), `tags=k=v,k2=v2`, `errorsOnly`, `limit`, `offset`, `cursor`. */
export function parseSpanListFilters(params: URLSearchParams): SpanListFilters {
  const filters: SpanListFilters = {
    tags: parseV1Tags(params.getAll('tags'), params.getAll('tag')),
    errorsOnly: parseBooleanParam(params, 'errorsOnly'),
    limit: parseLimitParam(params, SPAN_LIMIT),
    offset: parseIntegerParam(params, 'offset', { defaultValue: 0, min: 0, max: MAX_OFFSET }),
  };
  const cursor = optionalParam(params, 'cursor');
  if (cursor !== undefined) {
    if (cursor.length > MAX_CURSOR_CHARS) throw badRequest('invalid cursor: too long');
    filters.cursor = cursor;
  }
  return filters;
}

export interface DurationBox {
  minDurationNs: bigint;
  maxDurationNs?: bigint;
}

/**
 * `minDuration`/`maxDuration`, both included: Go durations (`1.5ms`) or plain integers of
 * nanoseconds, which is how a histogram bucket's bounds come back to select its spans.
 */
export function parseDurationBox(params: URLSearchParams): DurationBox {
  const min = optionalParam(params, 'minDuration');
  const max = optionalParam(params, 'maxDuration');
  const box: DurationBox = { minDurationNs: min === undefined ? 0n : parseDurationOrNanos(min, 'minDuration') };
  if (max !== undefined) box.maxDurationNs = parseDurationOrNanos(max, 'maxDuration');
  if (box.maxDurationNs !== undefined && box.maxDurationNs < box.minDurationNs) {
    throw badRequest('maxDuration must not be less than minDuration');
  }
  return box;
}

function parseDurationOrNanos(raw: string, name: string): bigint {
  return /^\d+$/.test(raw) ? parseScaledInteger(raw, name, 'nanoseconds or a Go duration', 1n) : parseDurationParam(raw, name);
}
