import { chunkDataRanges, spanCount, type PackedBatch } from './packed-batch.js';

interface Entry {
  spans: number;
  /** A copy of the batch's bytes: the batch itself moves to the writer. */
  data: Uint8Array;
  /** A copy of the chunks' trace IDs, 16 bytes each, as four 32-bit words each (compared a word at a time). */
  traceIds: Int32Array;
  /** Per chunk, the [start, end) of its bytes in `data`. */
  ranges: Int32Array;
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

  add(batch: PackedBatch): Entry {
    const entry: Entry = { spans: spanCount(batch), data: batch.data.slice(), traceIds: new Int32Array(batch.traceIds.slice().buffer), ranges: chunkDataRanges(batch) };
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
    if (this.entries.size === 0) return out;
    // Word by word, the first word first: most chunks differ there (a byte loop was a tenth of
    // a get-trace's time under full-speed ingest).
    const [w0, w1, w2, w3] = new Int32Array(new Uint8Array(Buffer.from(traceId, 'hex')).buffer);
    for (const { traceIds: ids, data, ranges } of this.entries) {
      for (let c = 0, at = 0; at < ids.length; c++, at += 4) {
        if (ids[at] === w0 && ids[at + 1] === w1 && ids[at + 2] === w2 && ids[at + 3] === w3) out.push(data.subarray(ranges[c * 2], ranges[c * 2 + 1]));
      }
    }
    return out;
  }

  /** Resolves once fewer than `limit` spans wait for indexing. */
  below(limit: number): Promise<void> {
    if (this.spanCount < limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }
}
