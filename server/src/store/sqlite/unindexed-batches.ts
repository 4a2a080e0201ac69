import type { PreparedBatch } from './prepared-batch.js';

interface Entry {
  spans: number;
  /** traceId → the trace's chunk bytes in the batch (in a copy: the batch itself moves to the writer). */
  chunks: Map<string, Uint8Array>;
}

/**
 * Batches acknowledged (appended to the ingest log file) whose indexing the writer has not
 * yet committed, kept on the receiving thread so that getTrace shows a trace whole the
 * moment its batches are acknowledged, and so that ingest waits when indexing falls behind.
 */
export class UnindexedBatches {
  private readonly byTrace = new Map<string, Entry[]>();
  private spanCount = 0;
  private waiters: Array<{ limit: number; resolve(): void }> = [];

  /** Set once a batch left without being indexed: its log file must be kept for the next start. */
  private abandoned = false;

  /** `onEmpty`: called whenever the last waiting batch has been indexed. */
  constructor(private readonly onEmpty: () => void = () => {}) {}

  /** Whether every batch added so far is indexed (none ever left unindexed). */
  get allIndexed(): boolean {
    return this.spanCount === 0 && !this.abandoned;
  }

  get spans(): number {
    return this.spanCount;
  }

  add(batch: PreparedBatch): Entry {
    const entry: Entry = { spans: batch.spans.operation.length, chunks: new Map() };
    // One copy of the batch's bytes, the chunks views into it: few objects for the GC to trace.
    const data = batch.data.slice();
    for (const chunk of batch.chunks) {
      entry.chunks.set(chunk.traceId, data.subarray(chunk.dataStart, chunk.dataEnd));
      const list = this.byTrace.get(chunk.traceId);
      if (list) list.push(entry);
      else this.byTrace.set(chunk.traceId, [entry]);
    }
    this.spanCount += entry.spans;
    return entry;
  }

  /**
   * The batch is indexed: its spans are the database's now. Or (`indexed` false) the writer
   * is gone before indexing it: it stays only in the log file, for the next start.
   */
  remove(entry: Entry, indexed = true): void {
    if (!indexed) this.abandoned = true;
    for (const traceId of entry.chunks.keys()) {
      const rest = this.byTrace.get(traceId)?.filter((e) => e !== entry) ?? [];
      if (rest.length > 0) this.byTrace.set(traceId, rest);
      else this.byTrace.delete(traceId);
    }
    this.spanCount -= entry.spans;
    const ready = this.waiters.filter((w) => this.spanCount < w.limit);
    this.waiters = this.waiters.filter((w) => this.spanCount >= w.limit);
    for (const w of ready) w.resolve();
    if (this.allIndexed) this.onEmpty();
  }

  /** The trace's unindexed chunk bytes, oldest first. */
  chunksOf(traceId: string): Uint8Array[] {
    return this.byTrace.get(traceId)?.map((e) => e.chunks.get(traceId)!) ?? [];
  }

  /** Resolves once fewer than `limit` spans wait for indexing. */
  below(limit: number): Promise<void> {
    if (this.spanCount < limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }
}
