import { readFileSync, rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { listSegments, type LogSegment } from './ingest-log-file.js';
import { parseFrames } from './ingest-log-frames.js';
import { buildPreparedBatch, mergePreparedBatches, type PreparedBatch } from './prepared-batch.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import type { SpanWriter } from './span-writer.js';

/**
 * Index once this many spans wait, whatever their age… Acknowledgements no longer wait for
 * a pass (the log is a file the receiving thread appends to), so passes can be big: the
 * pages a pass dirties grow with the distinct index keys it touches, not with its spans, so
 * a pass 3× bigger wrote 3.3× fewer WAL bytes per span (measured with the writer alone).
 * Below ~50k spans/s the age limit starts passes first; this bounds a pass (and the memory
 * of what waits) when the writer catches up after falling behind.
 */
export const INDEX_AT_SPANS = 32_768;
/**
 * …or once the oldest waiting batch is this old: with the pass itself, a span is searchable
 * within about a second of its acknowledgement. (A search while little waits does not wait
 * for this: it has the writer index what waits first.)
 */
export const INDEX_AFTER_MS = 600;

export type IndexReport = (msg: string, fields: Record<string, unknown>) => void;

/** An indexing pass: how many spans it indexed, and how long its transaction took (not counting waits for queries). */
export interface IndexPass {
  spans: number;
  ms: number;
}

/** What a background pass steps aside for (threads/foreground-gate.ts). */
export interface PassYield {
  yield(): void;
  /** Milliseconds waited so far, over the yielder's life. */
  readonly waitedMs: number;
}

interface Waiting {
  batch: PreparedBatch;
  /** The log file holding the batch; 0 for a batch that is in no file (recovery). */
  segment: number;
  indexed(pass: IndexPass): void;
}

/**
 * The indexing half of ingest, in the writer thread. Batches arrive here after the
 * receiving thread appended them to a log file and acknowledged them (ingest-log-file.ts);
 * they wait, and are indexed together (`indexPending`), regrouped by trace: a trace whose
 * spans came in over dozens of batches, one per service and host, is stored as one chunk
 * with one summary update and one set of tag postings. Once a pass committed, log files all
 * of whose batches are in the database are deleted.
 *
 * Indexing is idempotent (a span already stored collides on span_index and counts nowhere
 * again), so replaying a file whose batches were partly indexed before a crash is safe: on
 * open, every log file left over is indexed, then deleted. Rows in the `ingest_log` table
 * (where an earlier version kept its log) are indexed the same way.
 */
export class IngestLog {
  private waiting: Waiting[] = [];
  private waitingSpanCount = 0;
  private oldestAt = 0;
  /** The newest log file a batch came from; files before it hold nothing unindexed once a pass ends. */
  private newestSegment = 0;
  private readonly indexInTransaction;

  constructor(
    private readonly db: Database.Database,
    private readonly writer: SpanWriter,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.indexInTransaction = db.transaction((batches: PreparedBatch[]) => {
      this.writer.writeInCurrentTransaction(mergePreparedBatches(batches));
    });
  }

  get waitingSpans(): number {
    return this.waitingSpanCount;
  }

  /** Whether the waiting batches should be indexed now. */
  get due(): boolean {
    return this.waitingSpanCount >= INDEX_AT_SPANS || (this.waitingSpanCount > 0 && this.now() - this.oldestAt >= INDEX_AFTER_MS);
  }

  /** Takes an appended batch; resolves once it is indexed (committed), with the pass that did it. */
  enqueue(batch: PreparedBatch, segment: number): Promise<IndexPass> {
    return new Promise((indexed) => this.add({ batch, segment, indexed }));
  }

  /**
   * Indexes every waiting batch in one transaction, then deletes the log files that are
   * wholly indexed; false when nothing waited (no commit). Throws (and keeps them waiting)
   * on failure. A background pass gives `stepAside`, which it calls between traces; the
   * time waited there is left out of the pass's duration, which paces intake
   * (intake-pacer.ts) by the writer's speed, not by how much the queries took.
   */
  indexPending(stepAside?: PassYield): boolean {
    if (this.waiting.length === 0) return false;
    const done = this.waiting;
    const started = this.now();
    const waitedBefore = stepAside?.waitedMs ?? 0;
    if (stepAside) this.writer.betweenChunks = () => stepAside.yield();
    try {
      this.indexInTransaction.immediate(done.map((w) => w.batch));
    } finally {
      this.writer.betweenChunks = () => {};
    }
    const waited = (stepAside?.waitedMs ?? 0) - waitedBefore;
    const pass = { spans: this.waitingSpanCount, ms: this.now() - started - waited };
    this.waiting = [];
    this.waitingSpanCount = 0;
    for (const w of done) w.indexed(pass);
    this.deleteSegments((s) => s.number < this.newestSegment);
    return true;
  }

  /**
   * At close, after the last pass and once the receiving thread has stopped appending:
   * every log file is indexed, so none is left for the next start to replay.
   */
  closeAfterIndexing(): void {
    if (this.waiting.length === 0) this.deleteSegments(() => true);
  }

  /**
   * Indexes what a crash left: rows of the old `ingest_log` table, then every log file,
   * in passes of INDEX_AT_SPANS; deletes the files once all of them are in. A batch that
   * does not decode (the file checks out frame by frame, so only a bug could make one) is
   * reported and skipped rather than keeping the store from opening.
   */
  recover(report: IndexReport): void {
    const legacy = this.db.prepare<[], Buffer>('SELECT data FROM ingest_log ORDER BY log_id').pluck().all();
    const segments = listSegments(this.db.name);
    if (legacy.length === 0 && segments.length === 0) return;
    let batches = 0;
    let spans = 0;
    const replay = (data: Uint8Array, where: string) => {
      let batch: PreparedBatch;
      try {
        batch = buildPreparedBatch(parseSpanChunk(data));
      } catch (err) {
        report('a logged batch could not be decoded and was skipped', { where, error: (err as Error).message });
        return;
      }
      this.add({ batch, segment: 0, indexed: () => {} });
      batches++;
      spans += batch.spans.operation.length;
      if (this.waitingSpanCount >= INDEX_AT_SPANS) this.indexPending();
    };
    for (const data of legacy) replay(data, 'ingest_log table');
    for (const segment of segments) {
      const data = readFileSync(segment.path);
      const { payloads, validBytes } = parseFrames(data);
      for (const payload of payloads) replay(payload, segment.path);
      report('replayed an ingest log file', { file: segment.path, batches: payloads.length, tornBytesIgnored: data.byteLength - validBytes });
    }
    this.indexPending();
    this.db.exec('DELETE FROM ingest_log; DELETE FROM ingest_log_traces');
    this.deleteSegments(() => true, segments);
    report('indexed the ingest log left by the last run', { batches, spans });
  }

  private add(w: Waiting): void {
    if (w.batch.chunks.length === 0) return w.indexed({ spans: 0, ms: 0 });
    if (this.waiting.length === 0) this.oldestAt = this.now();
    this.waiting.push(w);
    this.waitingSpanCount += w.batch.spans.operation.length;
    if (w.segment > this.newestSegment) this.newestSegment = w.segment;
  }

  private deleteSegments(which: (s: LogSegment) => boolean, segments = listSegments(this.db.name)): void {
    for (const segment of segments) if (which(segment)) rmSync(segment.path, { force: true });
  }
}
