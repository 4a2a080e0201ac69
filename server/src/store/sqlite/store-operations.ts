import { unpackBatch } from './packed-batch.js';
import type Database from 'better-sqlite3';
import { toOtlpJsonText } from '@threadline/shared';
import { latencyReadOperations } from './latency-sketch-operations.js';
import { NettraceReader } from './nettrace-reader.js';
import { readNettraceFamilies } from './nettrace-family-reader.js';
import { NettraceWriter } from './nettrace-writer.js';
import { profileReadOperations, profileWriteOperations, type ProfileWriteOperationName } from './profile-operations.js';
import { retentionOperations, type RetentionOperationName } from './retention-operations.js';
import { SpanReader } from './span-reader.js';
import { TracePieceReader } from './trace-piece-reader.js';
import { markTransfer } from './trace-chunk-pages.js';
import { SpanWriter } from './span-writer.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { BackgroundCheckpoints } from './background-checkpoints.js';
import { IngestLog, INDEX_AFTER_MS, type PassYield } from './ingest-log.js';
import type { CheckpointPolicy, LogLevel, StoreOperations, WorkerRole } from './worker-protocol.js';
import { BackgroundYield } from '../../threads/foreground-gate.js';

type ReadOperations = Omit<StoreOperations, 'writeBatch' | 'indexPending' | 'writeNettrace' | 'close' | RetentionOperationName | ProfileWriteOperationName>;

function readOperations(db: Database.Database): ReadOperations {
  const reader = new SpanReader(db);
  const pieces = new TracePieceReader(db);
  const nettrace = new NettraceReader(db);
  return {
    // Both reads see one snapshot: the worker runs a request to its end before the next commit shows.
    getTraceJson: (traceId, unindexed) => toOtlpJsonText(nettrace.mergeIntoTrace(traceId, reader.getTrace(traceId, unindexed))),
    getTracePacked: (traceId, unindexed) => {
      const packed = reader.getTracePacked(traceId, unindexed);
      return markTransfer({ ...packed, joined: nettrace.joinedRecords(traceId) }, [packed.bytes.buffer]);
    },
    getTracePiece: (traceId, cursor, pageSpans) => {
      const piece = pieces.read(traceId, cursor, pageSpans);
      return markTransfer(cursor === undefined ? { ...piece, joined: nettrace.joinedRecords(traceId) } : piece, [piece.bytes.buffer]);
    },
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
    ...profileReadOperations(db),
  };
}

export type WorkerLog = (level: LogLevel, msg: string, fields: Record<string, unknown>) => void;

/**
 * Indexes the ingest log's waiting batches once they are due, after the messages already
 * queued for the worker were taken in (setImmediate runs after them), or when the oldest
 * has waited long enough. A failure (a full disk) leaves them waiting in
 * the log, durable, for the next try.
 */
function scheduleIndexing(log: IngestLog, afterCommit: () => void, report: WorkerLog): { afterAppend(): void; now(): void } {
  let timer: NodeJS.Timeout | undefined;
  const queries = new BackgroundYield();
  /** `stepAside`: given to passes of the writer's own accord; a pass a search asked for (`now`) does not wait for queries. */
  const now = (stepAside?: PassYield) => {
    clearTimeout(timer);
    timer = undefined;
    // A search or close with nothing waiting committed nothing: no checkpoint or size check owed.
    if (log.indexPending(stepAside)) afterCommit();
  };
  /** `force`: the oldest batch's wait is up (timers may fire a hair early), else only when due. */
  const tryNow = (force: boolean) => {
    try {
      if (force ? log.waitingSpans > 0 : log.due) now(queries);
    } catch (err) {
      report('error', 'indexing the ingest log failed; its batches stay logged and are retried', { error: (err as Error).message });
    }
    if (log.waitingSpans > 0 && timer === undefined) timer = setTimeout(() => tryNow(true), INDEX_AFTER_MS);
  };
  return {
    afterAppend: () => {
      setImmediate(() => tryNow(false));
    },
    now,
  };
}

/** The requests a worker of `role` serves over `db`, which it owns from now on. */
export function createStoreOperations(
  db: Database.Database,
  role: WorkerRole,
  policy: CheckpointPolicy,
  report: WorkerLog = () => {},
  maxDbSizeBytes = 0,
): Partial<StoreOperations> {
  const close = () => db.close();
  if (role === 'reader') return { ...readOperations(db), close };
  const writer = new SpanWriter(db);
  const nettraceWriter = new NettraceWriter(db, writer);
  if (role === 'memory') {
    return {
      ...readOperations(db),
      writeBatch: (batch) => writer.writePrepared(unpackBatch(batch)),
      indexPending: () => {},
      writeNettrace: (batch) => nettraceWriter.write(batch),
      ...retentionOperations(db, () => {}).operations,
      ...profileWriteOperations(db, () => {}),
      close,
    };
  }
  const background = new BackgroundCheckpoints(db, db.name, (reason) =>
    report('warn', 'the checkpoint thread is lost; the writer checkpoints by itself', { reason }),
  );
  const checkpointer = new WalCheckpointer(db, policy, () => background.waitForHelper());
  // Every commit passes here: the writer's own WAL truncation when due, the --max-db-size
  // check (which may truncate too), then the helper's checkpoint, asked last so that a
  // truncation here does not wait for a checkpoint of the same commit.
  const afterCommit = () => {
    checkpointer.afterCommit();
    retention.afterCommit();
    background.afterCommit();
  };
  const retention = retentionOperations(db, afterCommit, {
    maxBytes: maxDbSizeBytes,
    truncateWal: () => checkpointer.checkpoint({ waitForReaders: false }),
    onError: (err) => report('error', 'evicting for --max-db-size failed; retried after the next commit', { error: (err as Error).message }),
  });
  const log = new IngestLog(db, writer);
  log.recover((msg, fields) => report('info', msg, fields));
  const indexing = scheduleIndexing(log, afterCommit, report);
  return {
    // Appended to the log and acknowledged by the receiving thread already; resolves once indexed.
    writeBatch: (batch, segment) => {
      const indexed = log.enqueue(unpackBatch(batch), segment ?? 0);
      indexing.afterAppend();
      return indexed;
    },
    indexPending: () => indexing.now(),
    writeNettrace: (batch) => {
      nettraceWriter.write(batch);
      afterCommit();
    },
    ...retention.operations,
    ...profileWriteOperations(db, afterCommit),
    close: () => {
      try {
        indexing.now();
        log.closeAfterIndexing();
      } catch (err) {
        // The batches stay in the log, durable; the next open indexes them.
        report('error', 'indexing the ingest log at close failed; it is indexed at the next start', { error: (err as Error).message });
      }
      checkpointer.checkpoint({ waitForReaders: true });
      background.close();
      // SQLite's advice for a connection about to close: refresh planner statistics if stale.
      db.pragma('optimize');
      close();
    },
  };
}
