import { IngestRejectedError } from '../../ingest/ingest-queue.js';
import type { NettraceBatch, NettraceStore } from '../../store/span-store.js';

export interface NettraceWriteQueueOptions {
  /** Records waiting to be committed, beyond which new uploads are refused. */
  maxQueuedRecords: number;
}

/**
 * Bounds the net/trace records waiting for the store writer, as IngestQueue bounds spans:
 * past the bound an upload is refused with `queue_full` (429 + Retry-After, which the Go
 * bridge retries) instead of piling up in memory. Each upload is one transaction: the Go
 * bridge already batches (up to 256 records), and its seq rules need no merging.
 */
export class NettraceWriteQueue {
  private queuedRecords = 0;

  constructor(
    private readonly store: Pick<NettraceStore, 'writeNettrace'>,
    private readonly options: NettraceWriteQueueOptions,
  ) {}

  /** Resolves once the batch is committed. */
  async submit(batch: NettraceBatch): Promise<void> {
    const records = batch.requests.length + batch.eventLogs.length;
    if (records === 0) return;
    // An oversized upload is still taken when nothing waits, or it could never be.
    if (this.queuedRecords > 0 && this.queuedRecords + records > this.options.maxQueuedRecords) {
      throw new IngestRejectedError(
        'queue_full',
        `net/trace queue is full (${this.queuedRecords} records waiting); retry later`,
        1,
      );
    }
    this.queuedRecords += records;
    try {
      await this.store.writeNettrace(batch);
    } finally {
      this.queuedRecords -= records;
    }
  }
}
