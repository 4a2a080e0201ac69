import type Database from 'better-sqlite3';
import { buildPreparedBatch, mergePreparedBatches, type PreparedBatch } from './prepared-batch.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import type { SpanWriter } from './span-writer.js';

/** Start indexing once this many spans wait, whatever their age… */
export const INDEX_AT_SPANS = 16_384;
/** …or once the oldest waiting batch is this old. (A search does not wait for it: it has the writer index what waits first.) */
export const INDEX_AFTER_MS = 1_000;
/** Traces written per indexing transaction: between two, the writer acknowledges the batches that came in meanwhile. */
export const TRACES_PER_SLICE = 1_000;

interface LogRow {
  log_id: number;
  data: Buffer;
}

/** Batches being indexed: merged, written slice by slice, removed from the log with the last slice. */
interface Pass {
  merged: PreparedBatch;
  nextChunk: number;
  lastLogId: number;
}

/**
 * The write-ahead step of ingest. A batch is acknowledged once it is appended to
 * ingest_log (one row, plus one row per trace saying where its spans are), which is all
 * the durability an ack needs. Appended batches are indexed together a little later,
 * regrouped by trace: a trace whose spans came in over dozens of batches, one per service
 * and host, is stored as one chunk with one summary update and one set of tag postings,
 * instead of dozens of tiny ones. A pass is written in slices of TRACES_PER_SLICE traces,
 * one transaction each, so that acknowledgements are never held up by a whole pass; its
 * batches leave the log with the last slice. A crash in between re-indexes them at the
 * next open, and the spans already indexed are recognized as duplicates. getTrace reads
 * waiting spans straight from the log, so a trace is complete the moment its batches are
 * acknowledged.
 */
export class IngestLog {
  private pending: PreparedBatch[] = [];
  private pendingSpans = 0;
  private oldestAt = 0;
  private lastLogId = 0;
  private pass: Pass | undefined;
  private readonly insertBatch;
  private readonly insertTrace;
  private readonly deleteBatches;
  private readonly deleteTraces;
  private readonly appendInTransaction;
  private readonly sliceInTransaction;

  constructor(
    private readonly db: Database.Database,
    private readonly writer: SpanWriter,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.insertBatch = db.prepare('INSERT INTO ingest_log (data) VALUES (?)');
    this.insertTrace = db.prepare('INSERT OR IGNORE INTO ingest_log_traces (log_id, trace_id, offset, length) VALUES (?, ?, ?, ?)');
    this.deleteBatches = db.prepare('DELETE FROM ingest_log WHERE log_id <= ?');
    this.deleteTraces = db.prepare('DELETE FROM ingest_log_traces WHERE log_id <= ?');
    this.appendInTransaction = db.transaction((batch: PreparedBatch) => this.appendRows(batch));
    this.sliceInTransaction = db.transaction((pass: Pass, end: number) => {
      this.writer.writeInCurrentTransaction({ ...pass.merged, chunks: pass.merged.chunks.slice(pass.nextChunk, end) });
      if (end === pass.merged.chunks.length) {
        this.deleteBatches.run(pass.lastLogId);
        this.deleteTraces.run(pass.lastLogId);
      }
    });
    this.recover();
  }

  /** Spans appended and not yet taken into a pass. */
  get waitingSpans(): number {
    return this.pendingSpans;
  }

  /** Whether a pass is under way or the waiting batches should be indexed now. */
  get due(): boolean {
    return this.pass !== undefined || this.pendingSpans >= INDEX_AT_SPANS || (this.pendingSpans > 0 && this.now() - this.oldestAt >= INDEX_AFTER_MS);
  }

  /** Makes the batch durable; returns once committed. Indexing comes later. */
  append(batch: PreparedBatch): void {
    if (batch.chunks.length === 0) return;
    this.appendInTransaction.immediate(batch);
    if (this.pending.length === 0) this.oldestAt = this.now();
    this.pending.push(batch);
    this.pendingSpans += batch.spans.operation.length;
  }

  /**
   * Writes the next slice of the pass under way, or starts a pass with every waiting batch.
   * Returns true when nothing is left to index. Throws (and keeps the batches logged) on failure.
   */
  indexSlice(): boolean {
    if (!this.pass) {
      if (this.pending.length === 0) return true;
      this.pass = { merged: mergePreparedBatches(this.pending), nextChunk: 0, lastLogId: this.lastLogId };
      this.pending = [];
      this.pendingSpans = 0;
    }
    const pass = this.pass;
    const end = Math.min(pass.nextChunk + TRACES_PER_SLICE, pass.merged.chunks.length);
    this.sliceInTransaction.immediate(pass, end);
    pass.nextChunk = end;
    if (end === pass.merged.chunks.length) this.pass = undefined;
    return this.pass === undefined && this.pending.length === 0;
  }

  /** Indexes everything appended so far, before returning. */
  indexPending(): void {
    while (!this.indexSlice());
  }

  private appendRows(batch: PreparedBatch): void {
    const logId = Number(this.insertBatch.run(batch.data).lastInsertRowid);
    for (const chunk of batch.chunks) {
      this.insertTrace.run(logId, Buffer.from(chunk.traceId, 'hex'), chunk.dataStart, chunk.dataEnd - chunk.dataStart);
    }
    this.lastLogId = logId;
  }

  private recover(): void {
    const rows = this.db.prepare<[], LogRow>('SELECT log_id, data FROM ingest_log ORDER BY log_id').all();
    if (rows.length === 0) return;
    this.pending = rows.map((row) => buildPreparedBatch(parseSpanChunk(row.data)));
    this.lastLogId = rows[rows.length - 1]!.log_id;
    this.indexPending();
  }
}
