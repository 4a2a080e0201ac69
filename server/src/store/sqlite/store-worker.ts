/**
 * Entry of a store worker thread: owns one SQLite connection and serves requests from
 * the main thread one at a time, so that SQLite's synchronous work never runs on the
 * event loop that answers exporters and the UI.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { StoreVersionError } from '../store-errors.js';
import { openDatabase } from './open-database.js';
import { createStoreOperations } from './store-operations.js';
import { StoreInputError } from './store-input-error.js';
import { BACKGROUND_NICE, niceThisThread } from '../../threads/thread-priority.js';
import { transferOf } from './trace-chunk-pages.js';
import type {
  LogLevel,
  OperationName,
  StoreOperations,
  WorkerConfig,
  WorkerData,
  WorkerFailure,
  WorkerMessage,
  WorkerRequest,
} from './worker-protocol.js';

function runStoreWorker(port: MessagePort, config: WorkerConfig): void {
  const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const log = (level: LogLevel, msg: string, fields: Record<string, unknown>) =>
    send({ type: 'log', level, msg, fields });

  let operations: Partial<StoreOperations>;
  try {
    const db = openDatabase(config.path, config.role === 'reader' ? 'reader' : 'writer', (msg, fields) => log('info', msg, fields));
    operations = createStoreOperations(db, config.role, config.checkpoint, log, config.maxDbSizeBytes);
  } catch (err) {
    send({ type: 'startup-failure', failure: toStartupFailure(err, config.path) });
    port.close();
    return;
  }

  // The file database's writer only indexes what is acknowledged already (ingest-log.ts).
  if (config.role === 'writer') niceThisThread(BACKGROUND_NICE);
  const fail = (request: WorkerRequest, err: unknown) =>
    send({ type: 'failure', id: request.id, failure: toRequestFailure(err, request.op, log) });
  port.on('message', (request: WorkerRequest) => {
    try {
      const operation = operations[request.op] as ((...args: unknown[]) => unknown) | undefined;
      if (!operation) throw new Error(`${request.op} is not served by a ${config.role} worker`);
      const value = operation(...request.args);
      // An operation that finishes later (a logged batch, answered once indexed) answers then.
      if (value instanceof Promise) value.then((v) => send({ type: 'result', id: request.id, value: v }, transferOf(v)), (err) => fail(request, err));
      else send({ type: 'result', id: request.id, value }, transferOf(value));
    } catch (err) {
      fail(request, err);
    }
    if (request.op === 'close') port.close();
  });
  send({ type: 'ready' });
}

function toStartupFailure(err: unknown, path: string): WorkerFailure {
  if (err instanceof StoreVersionError) {
    return { kind: 'version', databaseVersion: err.databaseVersion, supportedVersion: err.supportedVersion };
  }
  return { kind: 'open', message: `cannot open the database ${path}: ${(err as Error).message}` };
}

/** Internal errors are logged here in full and reach the caller without detail. */
function toRequestFailure(
  err: unknown,
  op: OperationName,
  log: (level: LogLevel, msg: string, fields: Record<string, unknown>) => void,
): WorkerFailure {
  if (err instanceof StoreInputError) return { kind: 'input', code: err.code, message: err.message };
  const { name, message, code } = err as { name?: string; message?: string; code?: string };
  log('error', `store ${op} failed`, { error: { name, message, code } });
  return { kind: 'internal' };
}

runStoreWorker(parentPort!, (workerData as WorkerData).config);
