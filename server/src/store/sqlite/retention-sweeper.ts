import type Database from 'better-sqlite3';
import type { Span } from '@threadline/shared';
import { MINUTE_NS, MINUTES_PER_HOUR } from '../../sketch/time-slices.js';
import type { RetentionStep } from '../latency-queries.js';
import { buildSpanSearchTags } from './search-tags.js';
import { parseJsonText } from './span-json.js';

interface DoomedSpan {
  span_pk: bigint;
  trace_id: string;
  span_id: string;
  start_ns: bigint;
  payload: string;
}

interface OldTrace {
  trace_id: string;
  span_count: bigint;
}

/**
 * Retention in steps: each call is one short write transaction, so the writer's queue
 * runs ingest batches between steps and acks never wait for a whole sweep.
 *
 * The schema leaves auto_vacuum off, so deleting never shrinks the file: freed pages go
 * on SQLite's free list and new data reuses them first. Storage is therefore measured as
 * the pages in use, (page_count − freelist_count) × page_size, not the file size.
 */
export class RetentionSweeper {
  private readonly selectSpansBefore;
  private readonly selectTraceSpans;
  private readonly selectOldestTraces;
  private readonly selectOldestStart;
  private readonly deleteAttribute;
  private readonly deleteSpan;
  private readonly deleteCandidate;
  private readonly traceHasSpans;
  private readonly deleteTrace;
  private readonly deleteTraceCandidates;
  private readonly deleteSketchesBefore;
  private readonly deleteHourlySketchesBefore;
  private readonly deleteRequestsBefore;
  private readonly selectLogsBefore;
  private readonly deleteLogEvents;
  private readonly deleteLog;
  private readonly deleteBeforeInTransaction;
  private readonly deleteOldestInTransaction;

  constructor(private readonly db: Database.Database) {
    this.selectSpansBefore = db
      .prepare<[bigint, number], DoomedSpan>(
        'SELECT span_pk, trace_id, span_id, start_ns, payload FROM spans WHERE start_ns < ? ORDER BY start_ns LIMIT ?',
      )
      .safeIntegers(true);
    this.selectTraceSpans = db
      .prepare<[string], DoomedSpan>('SELECT span_pk, trace_id, span_id, start_ns, payload FROM spans WHERE trace_id = ?')
      .safeIntegers(true);
    this.selectOldestTraces = db
      .prepare<[], OldTrace>('SELECT trace_id, span_count FROM traces ORDER BY start_ns')
      .safeIntegers(true);
    this.selectOldestStart = db.prepare<[], bigint | null>('SELECT min(start_ns) FROM traces').pluck().safeIntegers(true);
    this.deleteAttribute = db.prepare(
      'DELETE FROM span_attributes WHERE key = ? AND value = ? AND start_ns = ? AND span_pk = ?',
    );
    this.deleteSpan = db.prepare('DELETE FROM spans WHERE span_pk = ?');
    this.deleteCandidate = db.prepare('DELETE FROM root_candidates WHERE trace_id = ? AND span_id = ?');
    this.traceHasSpans = db.prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM spans WHERE trace_id = ?)').pluck();
    this.deleteTrace = db.prepare('DELETE FROM traces WHERE trace_id = ?');
    this.deleteTraceCandidates = db.prepare('DELETE FROM root_candidates WHERE trace_id = ?');
    this.deleteSketchesBefore = db.prepare(
      `DELETE FROM latency_sketches WHERE (service, name, kind, minute) IN
         (SELECT service, name, kind, minute FROM latency_sketches WHERE minute < ? LIMIT ?)`,
    );
    this.deleteHourlySketchesBefore = db.prepare(
      `DELETE FROM latency_sketches_hourly WHERE (service, name, kind, hour) IN
         (SELECT service, name, kind, hour FROM latency_sketches_hourly WHERE hour < ? LIMIT ?)`,
    );
    this.deleteRequestsBefore = db.prepare(
      `DELETE FROM nettrace_requests WHERE request_pk IN
         (SELECT request_pk FROM nettrace_requests WHERE start_ns < ? LIMIT ?)`,
    );
    // An event log's age is its last report (end_ns), as the net/trace schema says.
    this.selectLogsBefore = db
      .prepare<[bigint, number], bigint>('SELECT log_pk FROM nettrace_event_logs WHERE end_ns < ? LIMIT ?')
      .pluck()
      .safeIntegers(true);
    this.deleteLogEvents = db.prepare('DELETE FROM nettrace_log_events WHERE log_pk = ?');
    this.deleteLog = db.prepare('DELETE FROM nettrace_event_logs WHERE log_pk = ?');
    this.deleteBeforeInTransaction = db.transaction((cutoffNs: bigint, maxSpans: number) =>
      this.deleteBeforeNow(cutoffNs, maxSpans),
    );
    this.deleteOldestInTransaction = db.transaction((maxSpans: number) => this.deleteOldestNow(maxSpans));
  }

  /**
   * Up to `maxSpans` spans started before the cutoff, with their attribute rows, root
   * candidates and, once a trace has no span left, its summary; then up to as many rows
   * each of sketches of minutes (and hours) wholly before the cutoff and of net/trace records. A
   * trace cut in two by the cutoff keeps its summary as it was until its last span goes.
   */
  deleteBefore(cutoffNs: bigint, maxSpans: number): RetentionStep {
    return this.deleteBeforeInTransaction.immediate(cutoffNs, maxSpans);
  }

  /** Whole traces, oldest start first, until about `maxSpans` spans went (at least one trace). */
  deleteOldestTraces(maxSpans: number): RetentionStep {
    return this.deleteOldestInTransaction.immediate(maxSpans);
  }

  storageBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  private deleteBeforeNow(cutoffNs: bigint, maxSpans: number): RetentionStep {
    const spans = this.selectSpansBefore.all(cutoffNs, maxSpans);
    for (const span of spans) this.deleteSpanRows(span);
    let traces = 0;
    for (const traceId of new Set(spans.map((s) => s.trace_id))) {
      if (this.traceHasSpans.get(traceId) === 1) continue;
      this.deleteTraceRows(traceId);
      traces++;
    }
    return { spans: spans.length, traces, ...this.deleteRecordsBefore(cutoffNs, maxSpans) };
  }

  private deleteOldestNow(maxSpans: number): RetentionStep {
    let spans = 0;
    let traces = 0;
    const chosen: string[] = [];
    // Summaries count spans, so the step's size is known before reading any span.
    for (const trace of this.selectOldestTraces.iterate()) {
      chosen.push(trace.trace_id);
      spans += Number(trace.span_count);
      if (spans >= maxSpans) break;
    }
    spans = 0;
    for (const traceId of chosen) {
      for (const span of this.selectTraceSpans.all(traceId)) {
        this.deleteSpanRows(span);
        spans++;
      }
      this.deleteTraceRows(traceId);
      traces++;
    }
    // Sketches and records older than every trace left have no spans to go with any more.
    const oldest = this.selectOldestStart.get() ?? null;
    const cutoffNs = oldest ?? 2n ** 63n - 1n;
    return { spans, traces, ...this.deleteRecordsBefore(cutoffNs, maxSpans) };
  }

  private deleteRecordsBefore(cutoffNs: bigint, maxRows: number): Pick<RetentionStep, 'sketches' | 'records'> {
    // Only minutes and hours wholly before the cutoff: the cutoff's own still have spans.
    const sketches =
      this.deleteSketchesBefore.run(cutoffNs / MINUTE_NS, maxRows).changes +
      this.deleteHourlySketchesBefore.run(cutoffNs / (MINUTE_NS * BigInt(MINUTES_PER_HOUR)), maxRows).changes;
    let records = this.deleteRequestsBefore.run(cutoffNs, maxRows).changes;
    for (const logPk of this.selectLogsBefore.all(cutoffNs, maxRows)) {
      this.deleteLogEvents.run(logPk);
      records += this.deleteLog.run(logPk).changes;
    }
    return { sketches, records };
  }

  /** Attribute rows are found by their full key, recomputed from the payload: there is no index by span. */
  private deleteSpanRows(span: DoomedSpan): void {
    for (const tag of buildSpanSearchTags(parseJsonText<Span>(span.payload))) {
      this.deleteAttribute.run(tag.key, tag.value, span.start_ns, span.span_pk);
    }
    this.deleteSpan.run(span.span_pk);
    this.deleteCandidate.run(span.trace_id, span.span_id);
  }

  private deleteTraceRows(traceId: string): void {
    this.deleteTrace.run(traceId);
    this.deleteTraceCandidates.run(traceId);
  }
}
