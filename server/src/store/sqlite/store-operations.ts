import type Database from 'better-sqlite3';
import { latencyReadOperations } from './latency-sketch-operations.js';
import { NettraceReader } from './nettrace-reader.js';
import { readNettraceFamilies } from './nettrace-family-reader.js';
import { NettraceWriter } from './nettrace-writer.js';
import { retentionOperations, type RetentionOperationName } from './retention-operations.js';
import { toOtlpJsonText } from './span-json.js';
import { SpanReader } from './span-reader.js';
import { SpanWriter } from './span-writer.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import type { CheckpointPolicy, StoreOperations, WorkerRole } from './worker-protocol.js';

type ReadOperations = Omit<StoreOperations, 'writeBatch' | 'writeNettrace' | 'close' | RetentionOperationName>;

function readOperations(db: Database.Database): ReadOperations {
  const reader = new SpanReader(db);
  const nettrace = new NettraceReader(db);
  return {
    // Both reads see one snapshot: the worker runs a request to its end before the next commit shows.
    getTrace: (traceId) => nettrace.mergeIntoTrace(traceId, reader.getTrace(traceId)),
    getTraceJson: (traceId) => toOtlpJsonText(nettrace.mergeIntoTrace(traceId, reader.getTrace(traceId))),
    getServices: () => reader.getServices(),
    getOperations: (service, spanKind) => reader.getOperations(service, spanKind),
    findTraceIds: (query) => reader.findTraceIds(query),
    getDependencies: (startNs, endNs) => reader.getDependencies(startNs, endNs),
    getTraceSummaries: (traceIds) => reader.getTraceSummaries(traceIds),
    findNettraceRequests: (query) => nettrace.findRequests(query),
    getEventLogFamilies: (query) => nettrace.getEventLogFamilies(query),
    findEventLogs: (query) => nettrace.findEventLogs(query),
    getEventLogs: (recordId, service) => nettrace.getEventLogs(recordId, service),
    getNettraceFamilies: (query) => readNettraceFamilies(db, query),
    ...latencyReadOperations(db),
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
  const nettraceWriter = new NettraceWriter(db, writer);
  if (role === 'memory') {
    return {
      ...readOperations(db),
      writeBatch: (batch) => writer.writePrepared(batch),
      writeNettrace: (batch) => nettraceWriter.write(batch),
      ...retentionOperations(db, () => {}),
      close,
    };
  }
  const checkpointer = new WalCheckpointer(db, policy);
  return {
    writeBatch: (batch) => {
      writer.writePrepared(batch);
      checkpointer.afterCommit();
    },
    writeNettrace: (batch) => {
      nettraceWriter.write(batch);
      checkpointer.afterCommit();
    },
    ...retentionOperations(db, () => checkpointer.afterCommit()),
    close: () => {
      checkpointer.checkpoint({ waitForReaders: true });
      // SQLite's advice for a connection about to close: refresh planner statistics if stale.
      db.pragma('optimize');
      close();
    },
  };
}
