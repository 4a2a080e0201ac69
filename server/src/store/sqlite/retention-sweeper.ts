import type Database from 'better-sqlite3';
import { MINUTE_NS, MINUTES_PER_HOUR } from '../../sketch/time-slices.js';
import type { RetentionStep } from '../latency-queries.js';
import { HOUR_NS } from './chunk-time.js';

interface OldTrace {
  trace_num: number;
  start_ns: bigint;
  span_count: bigint;
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * Retention in steps: each call is one short write transaction, so the writer's queue
 * runs ingest batches between steps and acks never wait for a whole sweep. Traces go
 * whole (summary and chunks); index rows, tag postings and duration lists go by key range,
 * since all are keyed by time: span_index rows started before the cutoff per operation,
 * postings of hours wholly before it, lists whose newest span started before it.
 *
 * The schema leaves auto_vacuum off, so deleting never shrinks the file: freed pages go
 * on SQLite's free list and new data reuses them first. Storage is therefore measured as
 * the pages in use, (page_count − freelist_count) × page_size, not the file size.
 */
export class RetentionSweeper {
  private readonly selectOldTraces;
  private readonly selectOldestStart;
  private readonly deleteChunks;
  private readonly deleteSummary;
  private readonly deleteUnusedBlocks;
  private readonly selectOps;
  private readonly deleteIndexRows;
  private readonly deletePostings;
  private readonly deleteDurationLists;
  private readonly deleteSketchesBefore;
  private readonly deleteHourlySketchesBefore;
  private readonly deleteRequestsBefore;
  private readonly selectLogsBefore;
  private readonly deleteLogEvents;
  private readonly deleteLog;
  private readonly deleteBeforeInTransaction;
  private readonly deleteOldestInTransaction;

  constructor(private readonly db: Database.Database) {
    this.selectOldTraces = db
      .prepare<[bigint], OldTrace>('SELECT trace_num, start_ns, span_count FROM trace_summaries WHERE start_ns < ? ORDER BY start_ns')
      .safeIntegers(true);
    this.selectOldestStart = db.prepare<[], bigint | null>('SELECT min(start_ns) FROM trace_summaries').pluck().safeIntegers(true);
    this.deleteChunks = db.prepare('DELETE FROM span_chunks WHERE trace_num = ?');
    this.deleteSummary = db.prepare('DELETE FROM trace_summaries WHERE trace_num = ?');
    // Chunk and block IDs grow together, so the oldest chunk's block is the oldest in use.
    this.deleteUnusedBlocks = db.prepare(
      `DELETE FROM span_blocks WHERE block_id < coalesce((SELECT block_id FROM span_chunks ORDER BY chunk_id LIMIT 1), 1 + (SELECT max(block_id) FROM span_blocks))`,
    );
    this.selectOps = db.prepare<[], number>('SELECT op_id FROM span_ops').pluck();
    this.deleteIndexRows = db.prepare(
      `DELETE FROM span_index WHERE (op_id, start_ns, trace_num, span_id) IN
         (SELECT op_id, start_ns, trace_num, span_id FROM span_index WHERE op_id = ? AND start_ns < ? ORDER BY start_ns LIMIT ?)`,
    );
    this.deletePostings = db.prepare(
      `DELETE FROM tag_posting_lists WHERE (hour, tag, last_num) IN
         (SELECT hour, tag, last_num FROM tag_posting_lists WHERE hour < ? LIMIT ?)`,
    );
    // A list goes once its newest span is before the cutoff; one that straddles it waits (readers skip spans of gone traces).
    this.deleteDurationLists = db.prepare(
      'DELETE FROM duration_lists WHERE list_id IN (SELECT list_id FROM duration_lists WHERE last_start_ns < ? LIMIT ?)',
    );
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
   * The oldest traces that started before the cutoff, about `maxSpans` spans' worth, then
   * up to as many index rows, postings, sketch rows and net/trace records older than it.
   */
  deleteBefore(cutoffNs: bigint, maxSpans: number): RetentionStep {
    return this.deleteBeforeInTransaction.immediate(cutoffNs, maxSpans);
  }

  /** Whole traces, oldest start first, until about `maxSpans` spans went (at least one trace), and what is older than the rest. */
  deleteOldestTraces(maxSpans: number): RetentionStep {
    return this.deleteOldestInTransaction.immediate(maxSpans);
  }

  storageBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  private deleteBeforeNow(cutoffNs: bigint, maxSpans: number): RetentionStep {
    const { traces, spans } = this.deleteOldTraces(cutoffNs, maxSpans);
    return { spans, traces, ...this.deleteRecordsBefore(cutoffNs, maxSpans) };
  }

  private deleteOldestNow(maxSpans: number): RetentionStep {
    const { traces, spans } = this.deleteOldTraces(INT64_MAX, maxSpans);
    // Rows older than every trace left have no trace to go with any more.
    const cutoffNs = this.selectOldestStart.get() ?? INT64_MAX;
    return { spans, traces, ...this.deleteRecordsBefore(cutoffNs, maxSpans) };
  }

  /** Oldest first, whole traces, until their span counts reach `maxSpans` (at least one trace). */
  private deleteOldTraces(beforeNs: bigint, maxSpans: number): { traces: number; spans: number } {
    let traces = 0;
    let spans = 0;
    const chosen: number[] = [];
    for (const trace of this.selectOldTraces.iterate(beforeNs)) {
      chosen.push(Number(trace.trace_num));
      spans += Number(trace.span_count);
      if (spans >= maxSpans) break;
    }
    for (const traceNum of chosen) {
      this.deleteChunks.run(traceNum);
      this.deleteSummary.run(traceNum);
      traces++;
    }
    if (traces > 0) this.deleteUnusedBlocks.run();
    return { traces, spans };
  }

  /** span_index rows started before the cutoff, up to `maxRows` over all operations; postings of hours wholly before it; duration lists wholly before it. */
  private deleteRowsBefore(cutoffNs: bigint, maxRows: number): number {
    let left = maxRows;
    for (const op of this.selectOps.all()) {
      if (left <= 0) break;
      left -= this.deleteIndexRows.run(op, cutoffNs, left).changes;
    }
    return (
      maxRows - left + this.deletePostings.run(Number(cutoffNs / HOUR_NS), maxRows * 4).changes + this.deleteDurationLists.run(cutoffNs, maxRows).changes
    );
  }

  private deleteRecordsBefore(cutoffNs: bigint, maxRows: number): Pick<RetentionStep, 'sketches' | 'records'> {
    // Only minutes and hours wholly before the cutoff: the cutoff's own still have spans.
    const sketches =
      this.deleteSketchesBefore.run(cutoffNs / MINUTE_NS, maxRows).changes +
      this.deleteHourlySketchesBefore.run(cutoffNs / (MINUTE_NS * BigInt(MINUTES_PER_HOUR)), maxRows).changes;
    let records = this.deleteRowsBefore(cutoffNs, maxRows) + this.deleteRequestsBefore.run(cutoffNs, maxRows).changes;
    for (const logPk of this.selectLogsBefore.all(cutoffNs, maxRows)) {
      this.deleteLogEvents.run(logPk);
      records += this.deleteLog.run(logPk).changes;
    }
    return { sketches, records };
  }
}
