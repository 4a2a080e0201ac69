import type { Span } from '@threadline/shared';
import { AppError } from '../../app-error.js';
import { toJsonText } from '../sqlite/span-json.js';
import { joinWholeTrace } from '../sqlite/nettrace-join.js';
import { parseSpanRow } from '../sqlite/span-row.js';
import type { NettraceEvent, NettraceRecordFields, NettraceRequestRecord } from '../span-store.js';

const INT64_MAX = 2n ** 63n - 1n;

/** Stored events: times as decimal strings, as in every JSON Threadline keeps. */
interface StoredEvent {
  timeUnixNano: string;
  message: string;
  sensitive: boolean;
  error: boolean;
}

export function toStoredEvents(events: readonly NettraceEvent[]): string {
  return JSON.stringify(events.map((e): StoredEvent => ({ timeUnixNano: e.timeNs.toString(), message: e.message, sensitive: e.sensitive, error: e.error })));
}

export function parseStoredEvents(json: string): NettraceEvent[] {
  return (JSON.parse(json) as StoredEvent[]).map((e) => ({ timeNs: BigInt(e.timeUnixNano), message: e.message, sensitive: e.sensitive, error: e.error }));
}

function invalid(what: string, message: string): AppError {
  return new AppError(400, 'invalid_record', `${what}: ${message}`);
}

/** The receiver validates first; this guards ClickHouse against a receiver bug. */
export function checkRecord(r: NettraceRecordFields, what: string): void {
  if (r.recordId === '') throw invalid(what, 'recordId is empty');
  if (!Number.isSafeInteger(r.seq) || r.seq < 0) throw invalid(what, 'seq is not a non-negative integer');
  if (r.startNs < 0n || r.elapsedNs < 0n || r.startNs + r.elapsedNs > INT64_MAX) throw invalid(what, 'start or elapsed time is out of range');
  for (const e of r.events) if (e.timeNs < 0n || e.timeNs > INT64_MAX) throw invalid(what, 'an event time is out of range');
}

export function checkRequest(r: NettraceRequestRecord, what: string): void {
  checkRecord(r, what);
  try {
    parseSpanRow(r.span);
  } catch (err) {
    throw invalid(what, `its span: ${err instanceof Error ? err.message : 'invalid'}`);
  }
  if (r.joinedSpanId !== '' && r.span.parentSpanId !== r.joinedSpanId) throw invalid(what, 'a joined record must be a child of the span it joins');
}

/** The newest snapshot per (service, record) of a batch: only it can change what is stored. */
export function newestPerRecord<T extends NettraceRecordFields>(records: readonly T[]): T[] {
  const newest = new Map<string, T>();
  for (const r of records) {
    const key = recordKey(r.service, r.recordId);
    const seen = newest.get(key);
    if (!seen || r.seq > seen.seq) newest.set(key, r);
  }
  return [...newest.values()];
}

export function recordKey(service: string, recordId: string): string {
  return `${service}\u0000${recordId}`;
}

export function requestRow(r: NettraceRequestRecord): Record<string, unknown> {
  const joined = r.joinedSpanId !== '';
  return {
    ...recordColumns(r),
    trace_id: r.span.traceId,
    span_id: joined ? r.joinedSpanId : r.span.spanId,
    joined: joined ? 1 : 0,
    events: toStoredEvents(r.events),
    span: joined ? toJsonText(r.span) : '',
  };
}

export function recordColumns(r: NettraceRecordFields): Record<string, unknown> {
  return {
    service: r.service,
    record_id: r.recordId,
    seq: r.seq,
    instance: r.instance,
    family: r.family,
    title: r.title,
    start_ns: r.startNs.toString(),
    elapsed_ns: r.elapsedNs.toString(),
    state: r.state,
    is_error: r.error ? 1 : 0,
    max_events: r.maxEvents,
    discarded_events: r.discardedEvents,
  };
}

/**
 * `spans` (one trace) with the request traces joined to it: each one's events appended
 * to the span it names, that span's events then sorted by time; while that span is
 * missing, the record's own span (a child of it) stands in. SQLite's join, on whole traces.
 */
export function mergeJoinedRecords(spans: Span[], joined: ReadonlyArray<{ spanId: string; spanJson: string }>): Span[] {
  return joinWholeTrace(spans, joined.map((row) => ({ span_id: row.spanId, span: row.spanJson })));
}
