import { isZeroId, normalizeHexId, TRACE_ID_HEX_LENGTH } from '@threadline/shared';
import { badRequest } from '../app-error.js';
import type { SpanKindName } from '../store/span-store.js';
import { DurationSyntaxError, parseGoDuration } from './go-duration.js';

/** Parsing helpers shared by the Jaeger and v1 query APIs. Every failure is a 400 naming the parameter. */

const MAX_INT64 = (1n << 63n) - 1n;
const MAX_ECHO_CHARS = 64;

/** Quotes untrusted input for an error message, cut short so a huge parameter is not reflected whole. */
export function quoteInput(raw: string): string {
  return JSON.stringify(raw.length > MAX_ECHO_CHARS ? `${raw.slice(0, MAX_ECHO_CHARS)}…` : raw);
}

/**
 * The query string as URLSearchParams, independent of the app's `query parser` setting,
 * so repeated keys (`tag=…&tag=…`, `traceID=…&traceID=…`) always keep every value.
 */
export function searchParamsOf(req: { url: string }): URLSearchParams {
  const q = req.url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1));
}

/** A parameter's value, with an empty value treated as absent (as Go's `FormValue` does). */
export function optionalParam(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : value;
}

/** Lowercase 32-hex trace ID from user input: uppercase and short (64-bit Zipkin) IDs are accepted. */
export function parseTraceIdParam(raw: string): string {
  const id = normalizeHexId(raw, TRACE_ID_HEX_LENGTH);
  if (id === null || isZeroId(id)) {
    throw badRequest(`invalid trace ID ${quoteInput(raw)}: expected 1 to 32 hex digits, not all zero`, 'invalid_trace_id');
  }
  return id;
}

/** A non-negative decimal integer multiplied by `scale` (e.g. µs → ns), bounded to int64. */
export function parseScaledInteger(raw: string, name: string, what: string, scale: bigint): bigint {
  const value = /^\d{1,19}$/.test(raw) ? BigInt(raw) * scale : undefined;
  if (value === undefined || value > MAX_INT64) {
    throw badRequest(`invalid ${name} ${quoteInput(raw)}: expected ${what}`);
  }
  return value;
}

export function parseDurationParam(raw: string, name: string): bigint {
  let ns: bigint;
  try {
    ns = parseGoDuration(raw);
  } catch (err) {
    if (!(err instanceof DurationSyntaxError)) throw err;
    throw badRequest(`invalid ${name} ${quoteInput(raw)}: ${err.message}; expected a Go duration like 1.2s or 300ms`);
  }
  if (ns < 0n) throw badRequest(`invalid ${name} ${quoteInput(raw)}: a duration filter cannot be negative`);
  return ns;
}

export interface DurationRange {
  minDurationNs?: bigint;
  maxDurationNs?: bigint;
}

export function parseDurationRange(params: URLSearchParams): DurationRange {
  const minRaw = optionalParam(params, 'minDuration');
  const maxRaw = optionalParam(params, 'maxDuration');
  const range: DurationRange = {};
  if (minRaw !== undefined) range.minDurationNs = parseDurationParam(minRaw, 'minDuration');
  if (maxRaw !== undefined) range.maxDurationNs = parseDurationParam(maxRaw, 'maxDuration');
  if (range.minDurationNs !== undefined && range.maxDurationNs !== undefined && range.maxDurationNs < range.minDurationNs) {
    throw badRequest('maxDuration must not be less than minDuration');
  }
  return range;
}

export interface LimitRule {
  defaultLimit: number;
  maxLimit: number;
}

/** A positive integer; larger values are capped rather than refused, since clients ask for "a lot". */
export function parseLimitParam(params: URLSearchParams, rule: LimitRule): number {
  const raw = optionalParam(params, 'limit');
  if (raw === undefined) return rule.defaultLimit;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) {
    throw badRequest(`invalid limit ${quoteInput(raw)}: expected a positive integer`);
  }
  return Math.min(Number(raw), rule.maxLimit);
}

const SPAN_KIND_NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** `spanKind` (Jaeger's `/api/operations`, the v1 API) or another name (`span_kind` in api_v3). */
export function parseSpanKindParam(params: URLSearchParams, name = 'spanKind'): SpanKindName | undefined {
  const raw = optionalParam(params, name);
  if (raw === undefined) return undefined;
  const kind = SPAN_KIND_NAMES.find((k) => k === raw);
  if (kind === undefined) {
    throw badRequest(`invalid ${name} ${quoteInput(raw)}: expected one of ${SPAN_KIND_NAMES.join(', ')}`);
  }
  return kind;
}

export function checkTimeWindow(startNs: bigint | undefined, endNs: bigint | undefined): void {
  if (startNs !== undefined && endNs !== undefined && endNs < startNs) {
    throw badRequest('end must not be before start');
  }
}
