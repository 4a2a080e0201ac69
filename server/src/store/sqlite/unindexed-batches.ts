import type { PreparedBatch, PreparedChunk } from './prepared-batch.js';

interface Entry {
  spans: number;
  /** A copy of the batch's bytes: the batch itself moves to the writer. */
  data: Uint8Array;
  chunks: readonly PreparedChunk[];
}

/**
 * Batches acknowledged (appended to the ingest log file) whose indexing the writer has not
 * yet committed, kept on the receiving thread so that getTrace shows a trace whole the
 * moment its batches are acknowledged, and so that ingest waits when indexing falls behind.
 * Adding a batch does no work per trace: a getTrace looks through the few hundred batches
 * that wait at most, which costs less than indexing each batch's traces as it comes.
 */
export class UnindexedBatches {
  private readonly entries = new Set<Entry>();
  private spanCount = 0;
  private waiters: Array<{ limit: number; resolve(): void }> = [];
  /** Set once a batch left without being indexed: its log file must be kept for the next start. */
  private abandoned = false;

  /** `onEmpty`: called whenever the last waiting batch has been indexed. */
  constructor(private readonly onEmpty: () => void = () => {}) {}

  get spans(): number {
    return this.spanCount;
  }

  /** Whether every batch added so far is indexed (none ever left unindexed). */
  get allIndexed(): boolean {
    return this.spanCount === 0 && !this.abandoned;
  }

  add(batch: PreparedBatch): Entry {
    const entry: Entry = { spans: batch.spans.operation.length, data: batch.data.slice(), chunks: batch.chunks };
    this.entries.add(entry);
    this.spanCount += entry.spans;
    return entry;
  }

  /**
   * The batch is indexed: its spans are the database's now. Or (`indexed` false) the writer
   * is gone before indexing it: it stays only in the log file, for the next start.
   */
  remove(entry: Entry, indexed = true): void {
    if (!indexed) this.abandoned = true;
    if (!this.entries.delete(entry)) return;
    this.spanCount -= entry.spans;
    const ready = this.waiters.filter((w) => this.spanCount < w.limit);
    this.waiters = this.waiters.filter((w) => this.spanCount >= w.limit);
    for (const w of ready) w.resolve();
    if (this.allIndexed) this.onEmpty();
  }

  /** The trace's unindexed chunk bytes, oldest first. */
  chunksOf(traceId: string): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const entry of this.entries) {
      for (const chunk of entry.chunks) if (chunk.traceId === traceId) out.push(entry.data.subarray(chunk.dataStart, chunk.dataEnd));
    }
    return out;
  }

  /** Resolves once fewer than `limit` spans wait for indexing. */
  below(limit: number): Promise<void> {
    if (this.spanCount < limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }
}
