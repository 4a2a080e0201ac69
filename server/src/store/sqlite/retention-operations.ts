import type Database from 'better-sqlite3';
import { RetentionSweeper } from './retention-sweeper.js';
import { SizeGuard } from './size-guard.js';
import type { StoreOperations } from './worker-protocol.js';

export type RetentionOperationName = 'deleteBefore' | 'deleteOldestTraces' | 'getStorageBytes' | 'getSizeEvictions';

export interface SizeLimit {
  /** `--max-db-size`; 0 = none (and none for `:memory:`, which has no file). */
  maxBytes: number;
  /** Truncates the WAL (the writer's checkpointer). */
  truncateWal: () => void;
  /** An eviction failed (it is tried again after the next commit). */
  onError: (err: unknown) => void;
}

/**
 * Retention requests, served by the worker that writes; `afterCommit` runs after each delete
 * step. With a size limit, `afterCommit` of the returned hooks must run after every commit.
 */
export function retentionOperations(
  db: Database.Database,
  afterCommit: () => void,
  sizeLimit?: SizeLimit,
): { operations: Pick<StoreOperations, RetentionOperationName>; afterCommit: () => void } {
  const sweeper = new RetentionSweeper(db);
  const guard = sizeLimit && sizeLimit.maxBytes > 0 ? new SizeGuard(db, sizeLimit.maxBytes, sweeper, sizeLimit.truncateWal, sizeLimit.onError) : undefined;
  const operations: Pick<StoreOperations, RetentionOperationName> = {
    deleteBefore: (cutoffNs, maxSpans) => {
      const step = sweeper.deleteBefore(cutoffNs, maxSpans);
      afterCommit();
      return step;
    },
    deleteOldestTraces: (maxSpans) => {
      const step = sweeper.deleteOldestTraces(maxSpans);
      afterCommit();
      return step;
    },
    getStorageBytes: () => sweeper.storageBytes(),
    getSizeEvictions: () => ({ ...(guard?.evictions ?? { rounds: 0, spans: 0, traces: 0, indexRows: 0 }) }),
  };
  return { operations, afterCommit: () => guard?.afterCommit() };
}
