import type Database from 'better-sqlite3';
import { MAX_EVENTS_PER_LOG, type NettraceBatch, type NettraceEvent, type NettraceRecordFields, type NettraceRequestRecord } from '../span-store.js';
import { toJsonText } from './span-json.js';
import { SpanRemover } from './span-remover.js';
import { parseSpanRow } from './span-row.js';
import type { SpanWriter } from './span-writer.js';
import { StoreInputError } from './store-input-error.js';


const INT64_MAX = 2n ** 63n - 1n;

interface StoredRequest {
  seq: bigint;
  trace_id: string;
  span_id: string;
  joined: bigint;
}

interface StoredLog {
  seq: bigint;
  total_events: bigint;
}

/** The events column of nettrace_requests (times as decimal strings, as in every JSON we keep). */
export interface StoredNettraceEvent {
  timeUnixNano: string;
  message: string;
  sensitive: boolean;
  error: boolean;
}

function toStoredEvents(events: readonly NettraceEvent[]): string {
  return JSON.stringify(
    events.map((e): StoredNettraceEvent => ({
      timeUnixNano: e.timeNs.toString(),
      message: e.message,
      sensitive: e.sensitive,
      error: e.error,
    })),
  );
}

/**
 * Writes net/trace batches, one transaction each, in the writer's connection. Per
 * (record ID, service) only a seq newer than the stored one changes anything, so retries,
 * duplicates and late stale snapshots are harmless:
 * - a request trace replaces its row; when it named no span, its span in `spans` is
 *   replaced too (deleted with everything derived, then written by the span writer);
 * - an event log updates its running totals and appends the delta's events, keeping the
 *   newest MAX_EVENTS_PER_LOG.
 */
export class NettraceWriter {
  private readonly selectRequest;
  private readonly upsertRequest;
  private readonly selectLog;
  private readonly upsertLog;
  private readonly insertLogEvent;
  private readonly trimLogEvents;
  private readonly remover;
  private readonly writeInTransaction;

  constructor(
    db: Database.Database,
    private readonly spans: SpanWriter,
  ) {
    this.selectRequest = db
      .prepare<[string, string], StoredRequest>(
        'SELECT seq, trace_id, span_id, joined FROM nettrace_requests WHERE record_id = ? AND service = ?',
      )
      .safeIntegers(true);
    this.upsertRequest = db.prepare(
      `INSERT INTO nettrace_requests (record_id, service, seq, instance, family, title, start_ns, elapsed_ns,
         state, is_error, max_events, discarded_events, trace_id, span_id, joined, events, span)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (record_id, service) DO UPDATE SET
         seq = excluded.seq, instance = excluded.instance, family = excluded.family, title = excluded.title,
         start_ns = excluded.start_ns, elapsed_ns = excluded.elapsed_ns, state = excluded.state,
         is_error = excluded.is_error, max_events = excluded.max_events, discarded_events = excluded.discarded_events,
         trace_id = excluded.trace_id, span_id = excluded.span_id, joined = excluded.joined,
         events = excluded.events, span = excluded.span`,
    );
    this.selectLog = db
      .prepare<[string, string], StoredLog>(
        'SELECT seq, total_events FROM nettrace_event_logs WHERE record_id = ? AND service = ?',
      )
      .safeIntegers(true);
    this.upsertLog = db
      .prepare<unknown[], bigint>(
        `INSERT INTO nettrace_event_logs (record_id, service, seq, instance, family, title, start_ns, elapsed_ns,
           end_ns, state, is_error, max_events, discarded_events, total_events)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (record_id, service) DO UPDATE SET
           seq = excluded.seq, instance = excluded.instance, family = excluded.family, title = excluded.title,
           start_ns = excluded.start_ns, elapsed_ns = excluded.elapsed_ns, end_ns = excluded.end_ns,
           state = excluded.state, is_error = excluded.is_error, max_events = excluded.max_events,
           discarded_events = excluded.discarded_events, total_events = excluded.total_events
         RETURNING log_pk`,
      )
      .pluck()
      .safeIntegers(true);
    this.insertLogEvent = db.prepare(
      `INSERT INTO nettrace_log_events (log_pk, event_no, time_ns, message, sensitive, is_error)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.trimLogEvents = db.prepare('DELETE FROM nettrace_log_events WHERE log_pk = ? AND event_no < ?');
    this.remover = new SpanRemover(db);
    this.writeInTransaction = db.transaction((batch: NettraceBatch) => this.writeRecords(batch));
  }

  /**
   * Stores the batch atomically; returns once it is committed. Throws StoreInputError,
   * before writing anything, if a record or its span is malformed.
   */
  write(batch: NettraceBatch): void {
    batch.requests.forEach((r, i) => checkRequest(r, `request ${i}`));
    batch.eventLogs.forEach((r, i) => checkRecord(r, `event log ${i}`));
    // IMMEDIATE takes the write lock up front instead of upgrading mid-transaction.
    this.writeInTransaction.immediate(batch);
  }

  private writeRecords(batch: NettraceBatch): void {
    // One request may carry several snapshots of a record (an exporter catching up); the
    // newest must be applied last, whatever order they were sent in.
    for (const record of bySeq(batch.requests)) this.writeRequest(record);
    for (const record of bySeq(batch.eventLogs)) this.writeEventLog(record);
  }

  private writeRequest(r: NettraceRequestRecord): void {
    const stored = this.selectRequest.get(r.recordId, r.service);
    if (stored && BigInt(r.seq) <= stored.seq) return;
    // The previous snapshot's own span goes whatever replaces it: the record may have
    // been given a span to join since (x/net/trace's SetTraceInfo).
    if (stored && stored.joined === 0n) this.remover.remove(stored.trace_id, stored.span_id);
    const joined = r.joinedSpanId !== '';
    this.upsertRequest.run(
      r.recordId, r.service, r.seq, r.instance, r.family, r.title, r.startNs, r.elapsedNs,
      r.state, r.error ? 1 : 0, r.maxEvents, r.discardedEvents,
      r.span.traceId, joined ? r.joinedSpanId : r.span.spanId, joined ? 1 : 0,
      toStoredEvents(r.events), joined ? toJsonText(r.span) : null,
    );
    if (!joined) this.spans.write([r.span]);
  }

  private writeEventLog(r: NettraceRecordFields): void {
    const stored = this.selectLog.get(r.recordId, r.service);
    if (stored && BigInt(r.seq) <= stored.seq) return;
    const before = stored?.total_events ?? 0n;
    const total = before + BigInt(r.events.length);
    const firstKept = total > BigInt(MAX_EVENTS_PER_LOG) ? total - BigInt(MAX_EVENTS_PER_LOG) : 0n;
    const logPk = this.upsertLog.get(
      r.recordId, r.service, r.seq, r.instance, r.family, r.title, r.startNs, r.elapsedNs,
      r.startNs + r.elapsedNs, r.state, r.error ? 1 : 0, r.maxEvents, r.discardedEvents, total,
    )!;
    r.events.forEach((e, i) => {
      const eventNo = before + BigInt(i);
      if (eventNo < firstKept) return;
      this.insertLogEvent.run(logPk, eventNo, e.timeNs, e.message, e.sensitive ? 1 : 0, e.error ? 1 : 0);
    });
    if (firstKept > 0n) this.trimLogEvents.run(logPk, firstKept);
  }
}

function bySeq<T extends { seq: number }>(records: readonly T[]): T[] {
  return [...records].sort((a, b) => a.seq - b.seq);
}

function invalid(what: string, message: string): StoreInputError {
  return new StoreInputError('invalid_record', `${what}: ${message}`);
}

/** The receiver validates first; this guards the database against a receiver bug. */
function checkRecord(r: NettraceRecordFields, what: string): void {
  if (r.recordId === '') throw invalid(what, 'recordId is empty');
  if (!Number.isSafeInteger(r.seq) || r.seq < 0) throw invalid(what, 'seq is not a non-negative integer');
  if (r.startNs < 0n || r.elapsedNs < 0n || r.startNs + r.elapsedNs > INT64_MAX) {
    throw invalid(what, 'start or elapsed time is out of range');
  }
  for (const e of r.events) if (e.timeNs < 0n || e.timeNs > INT64_MAX) throw invalid(what, 'an event time is out of range');
}

function checkRequest(r: NettraceRequestRecord, what: string): void {
  checkRecord(r, what);
  try {
    parseSpanRow(r.span);
  } catch (err) {
    if (err instanceof StoreInputError) throw invalid(what, `its span: ${err.message}`);
    throw err;
  }
  if (r.joinedSpanId !== '' && r.span.parentSpanId !== r.joinedSpanId) {
    throw invalid(what, 'a joined record must be a child of the span it joins');
  }
}
