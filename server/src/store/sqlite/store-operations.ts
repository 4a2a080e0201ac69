import type Database from 'better-sqlite3';
import { SpanReader } from './span-reader.js';
import { SpanWriter } from './span-writer.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import type { CheckpointPolicy, StoreOperations, WorkerRole } from './worker-protocol.js';

type ReadOperations = Omit<StoreOperations, 'writeBatch' | 'close'>;

function readOperations(db: Database.Database): ReadOperations {
  const reader = new SpanReader(db);
  return {
    getTrace: (traceId) => reader.getTrace(traceId),
    getServices: () => reader.getServices(),
    getOperations: (service, spanKind) => reader.getOperations(service, spanKind),
    findTraceIds: (query) => reader.findTraceIds(query),
    getDependencies: (startNs, endNs) => reader.getDependencies(startNs, endNs),
    getTraceSummaries: (traceIds) => reader.getTraceSummaries(traceIds),
  };
}

/** The requests a worker of `role` serves over `db`, which it owns from now on. */
export function createStoreOperations(
  db: Database.Database,
  role: WorkerRole,
  policy: CheckpointPolicy,
): Partial<StoreOperations> {
  const close = () => db.close();
  if (role === 'reader') return { ...readOperations(db), close };
  const writer = new SpanWriter(db);
  if (role === 'memory') return { ...readOperations(db), writeBatch: (spans) => writer.write(spans), close };
  const checkpointer = new WalCheckpointer(db, policy);
  return {
    writeBatch: (spans) => {
      writer.write(spans);
      checkpointer.afterCommit();
    },
    close: () => {
      checkpointer.checkpoint({ waitForReaders: true });
      // SQLite's advice for a connection about to close: refresh planner statistics if stale.
      db.pragma('optimize');
      close();
    },
  };
}
