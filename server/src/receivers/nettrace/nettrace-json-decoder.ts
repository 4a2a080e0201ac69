/**
 * Decodes a net/trace upload (`POST /v1/nettrace`, DESIGN.md §3, as the Go bridge in
 * clients/go/nettrace sends it) into typed values, within bounds:
 * - more than `records` records is refused (the sender controls its batch size);
 * - beyond `events` events a request trace keeps what x/net/trace would (its first and
 *   latest events) and counts the rest as discarded. An event-log delta is not cut here:
 *   its `discardedEvents` is a running total the next delta overwrites, so the store's
 *   per-log bound drops and counts its oldest events instead (and never writes them);
 * - overlong texts are cut, never refused: a long message must not cost the batch.
 *
 * Every member that is present must have its type; absent and `null` are the same thing;
 * unknown members are ignored so newer clients keep working. Nanosecond times are decimal
 * strings (a JSON number above 2^53 has already lost digits). Any problem throws
 * NettraceDecodeError naming the JSON path of the bad field.
 */

import { normalizeHexId, isZeroId, SPAN_ID_HEX_LENGTH, TRACE_ID_HEX_LENGTH } from '@threadline/shared';
import type { NettraceState } from '../../store/span-store.js';

export class NettraceDecodeError extends Error {
  constructor(
    /** Where the problem is, as a JSON path: `$.records[3].events[0].timeUnixNano`. */
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'NettraceDecodeError';
  }
}

export const NETTRACE_LIMITS = {
  records: 10_000,
  events: 1_000,
  resourceAttributes: 128,
  recordIdChars: 128,
  messageChars: 4_096,
  familyChars: 256,
  titleChars: 1_024,
  resourceKeyChars: 256,
  resourceValueChars: 1_024,
} as const;

export type NettraceRecordType = 'trace' | 'eventLog';

export interface NettraceJsonEvent {
  timeUnixNano: bigint;
  message: string;
  sensitive: boolean;
  error: boolean;
}

export interface NettraceJsonRecord {
  type: NettraceRecordType;
  recordId: string;
  seq: number;
  family: string;
  title: string;
  startTimeUnixNano: bigint;
  elapsedNano: bigint;
  state: NettraceState;
  error: boolean;
  maxEvents: number;
  discardedEvents: number;
  /** Lowercase hex, 32 digits; '' when absent or all zero. */
  traceId: string;
  /** Lowercase hex, 16 digits; '' when absent or all zero. */
  spanId: string;
  events: NettraceJsonEvent[];
}

export interface NettraceJsonRequest {
  /** In upload order. */
  resource: Array<[key: string, value: string]>;
  records: NettraceJsonRecord[];
}

type JsonObject = Record<string, unknown>;

const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^[0-9]{1,19}$/;
const HEX = /^[0-9a-fA-F]+$/;
const TYPES: readonly NettraceRecordType[] = ['trace', 'eventLog'];
const STATES: readonly NettraceState[] = ['active', 'finished'];

export function parseNettraceJson(text: string): NettraceJsonRequest {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new NettraceDecodeError('$', `not valid JSON (${(err as Error).message})`);
  }
  const o = asObject(root, '$', 'an object with "resource" and "records"');
  const records = member(o, 'records');
  if (records === undefined) throw new NettraceDecodeError('$.records', 'missing');
  if (!Array.isArray(records)) throw new NettraceDecodeError('$.records', `expected an array, got ${jsonType(records)}`);
  if (records.length > NETTRACE_LIMITS.records) {
    throw new NettraceDecodeError('$.records', `${records.length} records; send at most ${NETTRACE_LIMITS.records} per request`);
  }
  return {
    resource: readResource(member(o, 'resource'), '$.resource'),
    records: records.map((r, i) => readRecord(r, `$.records[${i}]`)),
  };
}

/** Cuts `text` to at most `max` UTF-16 units, marking the cut with '…' and never splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

function readResource(value: unknown, path: string): Array<[string, string]> {
  if (value === undefined) return [];
  const o = asObject(value, path, 'an object of string attributes');
  const out: Array<[string, string]> = [];
  for (const [key, v] of Object.entries(o)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw new NettraceDecodeError(`${path}[${JSON.stringify(key)}]`, `expected a string, got ${jsonType(v)}`);
    out.push([truncateText(key, NETTRACE_LIMITS.resourceKeyChars), truncateText(v, NETTRACE_LIMITS.resourceValueChars)]);
  }
  if (out.length > NETTRACE_LIMITS.resourceAttributes) {
    throw new NettraceDecodeError(path, `${out.length} attributes; at most ${NETTRACE_LIMITS.resourceAttributes} are accepted`);
  }
  return out;
}

function readRecord(value: unknown, path: string): NettraceJsonRecord {
  const o = asObject(value, path, 'a record object');
  const type = reqString(o, 'type', path);
  if (!(TYPES as readonly string[]).includes(type)) {
    throw new NettraceDecodeError(`${path}.type`, `${JSON.stringify(truncateText(type, 64))} is not one of ${TYPES.join(', ')}`);
  }
  const recordId = reqString(o, 'recordId', path);
  if (recordId === '' || recordId.length > NETTRACE_LIMITS.recordIdChars) {
    throw new NettraceDecodeError(`${path}.recordId`, `expected 1 to ${NETTRACE_LIMITS.recordIdChars} characters`);
  }
  const state = optString(o, 'state', path) ?? 'finished';
  if (!(STATES as readonly string[]).includes(state)) {
    throw new NettraceDecodeError(`${path}.state`, `${JSON.stringify(truncateText(state, 64))} is not one of ${STATES.join(', ')}`);
  }
  const startTimeUnixNano = optNanos(o, 'startTimeUnixNano', path);
  if (startTimeUnixNano === undefined) throw new NettraceDecodeError(`${path}.startTimeUnixNano`, 'missing');
  const seq = optCount(o, 'seq', path);
  if (seq === undefined) throw new NettraceDecodeError(`${path}.seq`, 'missing');
  const traceId = optId(o, 'traceId', path, TRACE_ID_HEX_LENGTH);
  const spanId = optId(o, 'spanId', path, SPAN_ID_HEX_LENGTH);
  if (spanId !== '' && traceId === '') throw new NettraceDecodeError(`${path}.spanId`, 'a spanId needs a traceId');
  const { events, dropped } = readEvents(o, path, type === 'trace');
  return {
    type: type as NettraceRecordType,
    recordId,
    seq,
    family: truncateText(optString(o, 'family', path) ?? '', NETTRACE_LIMITS.familyChars),
    title: truncateText(optString(o, 'title', path) ?? '', NETTRACE_LIMITS.titleChars),
    startTimeUnixNano,
    elapsedNano: optNanos(o, 'elapsedNano', path) ?? 0n,
    state: state as NettraceState,
    error: optBoolean(o, 'error', path) ?? false,
    maxEvents: optCount(o, 'maxEvents', path) ?? 0,
    discardedEvents: Math.min((optCount(o, 'discardedEvents', path) ?? 0) + dropped, Number.MAX_SAFE_INTEGER),
    traceId,
    spanId,
    events,
  };
}

/**
 * Past the bound a request trace keeps what x/net/trace itself keeps: its first (max-1)/2
 * events and the latest ones. Every event is still checked, so a malformed one is
 * reported wherever it is.
 */
function readEvents(o: JsonObject, parentPath: string, bounded: boolean): { events: NettraceJsonEvent[]; dropped: number } {
  const value = member(o, 'events');
  if (value === undefined) return { events: [], dropped: 0 };
  const path = `${parentPath}.events`;
  if (!Array.isArray(value)) throw new NettraceDecodeError(path, `expected an array, got ${jsonType(value)}`);
  const all = value.map((item, i) => readEvent(item, `${path}[${i}]`));
  const max = NETTRACE_LIMITS.events;
  if (!bounded || all.length <= max) return { events: all, dropped: 0 };
  const head = Math.floor((max - 1) / 2);
  return { events: [...all.slice(0, head), ...all.slice(all.length - (max - head))], dropped: all.length - max };
}

function readEvent(value: unknown, path: string): NettraceJsonEvent {
  const e = asObject(value, path, 'an event object');
  const timeUnixNano = optNanos(e, 'timeUnixNano', path);
  if (timeUnixNano === undefined) throw new NettraceDecodeError(`${path}.timeUnixNano`, 'missing');
  return {
    timeUnixNano,
    message: truncateText(optString(e, 'message', path) ?? '', NETTRACE_LIMITS.messageChars),
    sensitive: optBoolean(e, 'sensitive', path) ?? false,
    error: optBoolean(e, 'error', path) ?? false,
  };
}

/** Own members only: a record must not "have" `constructor` because Object.prototype does. */
function member(o: JsonObject, key: string): unknown {
  const value = Object.hasOwn(o, key) ? o[key] : undefined;
  return value === null ? undefined : value;
}

function asObject(value: unknown, path: string, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NettraceDecodeError(path, `expected ${what}, got ${jsonType(value)}`);
  }
  return value as JsonObject;
}

function reqString(o: JsonObject, key: string, path: string): string {
  const value = optString(o, key, path);
  if (value === undefined) throw new NettraceDecodeError(`${path}.${key}`, 'missing');
  return value;
}

function optString(o: JsonObject, key: string, path: string): string | undefined {
  const value = member(o, key);
  if (value === undefined || typeof value === 'string') return value;
  throw new NettraceDecodeError(`${path}.${key}`, `expected a string, got ${jsonType(value)}`);
}

function optBoolean(o: JsonObject, key: string, path: string): boolean | undefined {
  const value = member(o, key);
  if (value === undefined || typeof value === 'boolean') return value;
  throw new NettraceDecodeError(`${path}.${key}`, `expected true or false, got ${jsonType(value)}`);
}

/** seq, maxEvents, discardedEvents: Go ints, sent as JSON numbers. */
function optCount(o: JsonObject, key: string, path: string): number | undefined {
  const value = member(o, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new NettraceDecodeError(`${path}.${key}`, `expected a whole number from 0 to 2^53-1, got ${jsonType(value)}`);
  }
  return value;
}

/** Decimal strings as sent; a JSON number only while it is exact (below 2^53). */
function optNanos(o: JsonObject, key: string, path: string): bigint | undefined {
  const value = member(o, key);
  if (value === undefined) return undefined;
  let ns: bigint | undefined;
  if (typeof value === 'string' && DECIMAL.test(value)) ns = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ns = BigInt(value);
  if (ns === undefined || ns > INT64_MAX) {
    throw new NettraceDecodeError(`${path}.${key}`, `expected nanoseconds as a decimal string from 0 to 2^63-1, got ${jsonType(value)}`);
  }
  return ns;
}

/** Hex in any case, short IDs left-padded (as x/net/trace's 64-bit SetTraceInfo IDs are); '' or all zero = absent. */
function optId(o: JsonObject, key: string, path: string, length: number): string {
  const value = optString(o, key, path);
  if (value === undefined || value === '') return '';
  const id = HEX.test(value) ? normalizeHexId(value, length) : null;
  if (id === null) throw new NettraceDecodeError(`${path}.${key}`, `expected 1 to ${length} hex digits`);
  return isZeroId(id) ? '' : id;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string ${JSON.stringify(truncateText(value, 40))}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
