import type Database from 'better-sqlite3';
import { RetentionSweeper } from './retention-sweeper.js';
import type { StoreOperations } from './worker-protocol.js';

export type RetentionOperationName = 'deleteBefore' | 'deleteOldestTraces' | 'getStorageBytes';

/** Retention requests, served by the worker that writes; `afterCommit` runs after each delete step. */
export function retentionOperations(
  db: Database.Database,
  afterCommit: () => void,
): Pick<StoreOperations, RetentionOperationName> {
  const sweeper = new RetentionSweeper(db);
  return {
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
  };
}
