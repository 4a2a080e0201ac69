import { badRequest } from '../../app-error.js';
import type { TraceQuery } from '../../store/span-store.js';
import { checkTimeWindow, optionalParam, parseDurationParam, quoteInput } from '../param-parsing.js';
import { TRACE_LIMIT } from './jaeger-params.js';

/** Query parameters of Jaeger v2's api_v3 HTTP gateway (`/api/v3/traces?query.*=`). */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const NS_PER_MS = 1_000_000n;

/**
 * An RFC 3339 time (Go's `time.RFC3339Nano`, which api_v3 parses) as Unix nanoseconds,
 * exactly: the fraction keeps all nine digits, which a JS Date would cut to milliseconds.
 */
export function parseRfc3339Nanos(raw: string, name: string): bigint {
  const m = RFC3339.exec(raw);
  const fail = () => badRequest(`malformed parameter ${name}: ${quoteInput(raw)} is not an RFC 3339 time like 2024-01-15T10:00:00Z`);
  if (!m) throw fail();
  const [, year, month, day, hour, minute, second, fraction = '', , sign, offH = '0', offM = '0'] = m;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  // Date.UTC rolls over out-of-range fields (Feb 30 → Mar 2); a real date reads back the same.
  const back = new Date(ms);
  if (Number.isNaN(ms) || back.getUTCDate() !== fields[2] || back.getUTCHours() !== fields[3] || fields[5] > 59) throw fail();
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  const ns = BigInt(ms - offsetMinutes * 60_000) * NS_PER_MS + BigInt(fraction.padEnd(9, '0'));
  if (ns < 0n) throw badRequest(`malformed parameter ${name}: ${quoteInput(raw)} is before 1970`);
  return ns;
}

/**
 * `query.service_name`, `query.operation_name`, `query.start_time_min`/`_max` (both
 * required, as in Jaeger), `query.num_traces`, `query.duration_min`/`_max` (Go durations).
 */
export function parseV3TraceSearch(params: URLSearchParams): TraceQuery {
  const timeMin = optionalParam(params, 'query.start_time_min');
  const timeMax = optionalParam(params, 'query.start_time_max');
  if (timeMin === undefined || timeMax === undefined) throw badRequest('query.start_time_min and query.start_time_max are required');
  const query: TraceQuery = {
    tags: [],
    startNs: parseRfc3339Nanos(timeMin, 'query.start_time_min'),
    endNs: parseRfc3339Nanos(timeMax, 'query.start_time_max'),
    limit: parseNumTraces(optionalParam(params, 'query.num_traces')),
  };
  checkTimeWindow(query.startNs, query.endNs);
  const service = optionalParam(params, 'query.service_name');
  const operation = optionalParam(params, 'query.operation_name');
  const durationMin = optionalParam(params, 'query.duration_min');
  const durationMax = optionalParam(params, 'query.duration_max');
  if (service !== undefined) query.service = service;
  if (operation !== undefined) query.operation = operation;
  if (durationMin !== undefined) query.minDurationNs = parseDurationParam(durationMin, 'query.duration_min');
  if (durationMax !== undefined) query.maxDurationNs = parseDurationParam(durationMax, 'query.duration_max');
  if (query.minDurationNs !== undefined && query.maxDurationNs !== undefined && query.maxDurationNs < query.minDurationNs) {
    throw badRequest('query.duration_max must not be less than query.duration_min');
  }
  return query;
}

/** Jaeger takes any integer and lets 0 mean its default; we cap like the v1 `limit`. */
function parseNumTraces(raw: string | undefined): number {
  if (raw === undefined) return TRACE_LIMIT.defaultLimit;
  if (!/^\d{1,9}$/.test(raw)) throw badRequest(`malformed parameter query.num_traces: ${quoteInput(raw)} is not a non-negative integer`);
  const n = Number(raw);
  return n === 0 ? TRACE_LIMIT.defaultLimit : Math.min(n, TRACE_LIMIT.maxLimit);
}
