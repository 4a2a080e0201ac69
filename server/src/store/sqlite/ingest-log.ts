import type Database from 'better-sqlite3';
import { buildPreparedBatch, mergePreparedBatches, type PreparedBatch } from './prepared-batch.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import type { SpanWriter } from './span-writer.js';

/**
 * Index once this many spans wait, whatever their age… Measured on a quiet machine (OTLP/HTTP,
 * 4 senders): 16k → 29–30k spans/s, ack p99 ~400 ms; 8k → 26k, ~280 ms; 4k → 20–23k, 200–270 ms.
 * A pass holds acknowledgements while it commits; bigger passes amortize commits better.
 */
export const INDEX_AT_SPANS = 16_384;
/** …or once the oldest waiting batch is this old. (A search does not wait for it: it has the writer index what waits first.) */
export const INDEX_AFTER_MS = 1_000;

interface LogRow {
  log_id: number;
  data: Buffer;
}

/**
 * The write-ahead step of ingest. A batch is acknowledged once it is appended to
 * ingest_log (one row, plus one row per trace saying where its spans are), which is all
 * the durability an ack needs. Appended batches are indexed together a little later
 * (`indexPending`), regrouped by trace: a trace whose spans came in over dozens of
 * batches, one per service and host, is stored as one chunk with one summary update and
 * one set of tag postings, instead of dozens of tiny ones. getTrace reads waiting spans
 * straight from the log, so a trace is complete the moment its batches are acknowledged.
 * Batches left in the log by a crash are indexed when the log is opened.
 */
export class IngestLog {
  private pending: PreparedBatch[] = [];
  private pendingSpans = 0;
  private oldestAt = 0;
  private readonly insertBatch;
  private readonly insertTrace;
  private readonly appendInTransaction;
  private readonly indexInTransaction;

  constructor(
    private readonly db: Database.Database,
    private readonly writer: SpanWriter,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.insertBatch = db.prepare('INSERT INTO ingest_log (data) VALUES (?)');
    this.insertTrace = db.prepare('INSERT OR IGNORE INTO ingest_log_traces (trace_id, log_id, offset, length) VALUES (?, ?, ?, ?)');
    this.appendInTransaction = db.transaction((batch: PreparedBatch) => this.appendRows(batch));
    this.indexInTransaction = db.transaction((batches: PreparedBatch[]) => {
      this.writer.writeInCurrentTransaction(mergePreparedBatches(batches));
      db.exec('DELETE FROM ingest_log; DELETE FROM ingest_log_traces');
    });
    this.recover();
  }

  get waitingSpans(): number {
    return this.pendingSpans;
  }

  /** Whether the waiting batches should be indexed now. */
  get due(): boolean {
    return this.pendingSpans >= INDEX_AT_SPANS || (this.pendingSpans > 0 && this.now() - this.oldestAt >= INDEX_AFTER_MS);
  }

  /** Makes the batch durable; returns once committed. Indexing comes later. */
  append(batch: PreparedBatch): void {
    if (batch.chunks.length === 0) return;
    this.appendInTransaction.immediate(batch);
    if (this.pending.length === 0) this.oldestAt = this.now();
    this.pending.push(batch);
    this.pendingSpans += batch.spans.operation.length;
  }

  /** Indexes every waiting batch in one transaction that also empties the log. Throws (and keeps them waiting) on failure. */
  indexPending(): void {
    if (this.pending.length === 0) return;
    this.indexInTransaction.immediate(this.pending);
    this.pending = [];
    this.pendingSpans = 0;
  }

  private appendRows(batch: PreparedBatch): void {
    const logId = this.insertBatch.run(batch.data).lastInsertRowid;
    for (const chunk of batch.chunks) {
      this.insertTrace.run(Buffer.from(chunk.traceId, 'hex'), logId, chunk.dataStart, chunk.dataEnd - chunk.dataStart);
    }
  }

  private recover(): void {
    const rows = this.db.prepare<[], LogRow>('SELECT log_id, data FROM ingest_log ORDER BY log_id').all();
    if (rows.length === 0) return;
    this.pending = rows.map((row) => buildPreparedBatch(parseSpanChunk(row.data)));
    this.indexPending();
  }
}
