import { chunkDataRanges, spanCount, type PackedBatch } from './packed-batch.js';

interface Entry {
  spans: number;
  /** Copies of the batch's bytes and chunk trace IDs: the batch itself moves to the writer. */
  data: Uint8Array;
  traceIds: Uint8Array;
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
    const entry: Entry = { spans: spanCount(batch), data: batch.data.slice(), traceIds: batch.traceIds.slice(), ranges: chunkDataRanges(batch) };
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
    const id = Buffer.from(traceId, 'hex');
    for (const entry of this.entries) {
      for (let c = 0; c < entry.ranges.length / 2; c++) {
        if (sameId(entry.traceIds, c * 16, id)) out.push(entry.data.subarray(entry.ranges[c * 2], entry.ranges[c * 2 + 1]));
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

/** Whether the 16 bytes at `at` are `id`: a loop, since a getTrace scans every waiting chunk and most differ at once. */
function sameId(ids: Uint8Array, at: number, id: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (ids[at + i] !== id[i]) return false;
  return true;
}
