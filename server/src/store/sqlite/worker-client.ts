import type { Worker } from 'node:worker_threads';
import { AppError } from '../../app-error.js';
import { StoreOpenError, StoreVersionError } from '../store-errors.js';
import { INGEST_YOUNG_GENERATION_MB, spawnWorker } from '../../threads/spawn-worker.js';
import type {
  OperationName,
  StoreOperations,
  WorkerConfig,
  WorkerFailure,
  WorkerMessage,
  WorkerRequest,
  WorkerRole,
} from './worker-protocol.js';

export interface StoreLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

interface Pending {
  op: OperationName;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

const RETRY_AFTER = { 'Retry-After': '5' };

function toStartupError(failure: WorkerFailure): Error {
  if (failure.kind === 'version') return new StoreVersionError(failure.databaseVersion, failure.supportedVersion);
  return new StoreOpenError(failure.kind === 'open' ? failure.message : 'cannot open the database');
}

/**
 * Callers see AppErrors only: a status for the HTTP layer and a message without SQLite
 * text. A failed write is a 503 with Retry-After, since the exporter still holds the data.
 */
export function toRequestError(failure: WorkerFailure, op: OperationName): AppError {
  if (failure.kind === 'input') return new AppError(400, failure.code, failure.message);
  return op === 'writeBatch' || op === 'writeNettrace'
    ? new AppError(503, 'store_unavailable', 'spans could not be stored; retry later', RETRY_AFTER)
    : new AppError(500, 'store_failed', 'the trace store could not answer');
}

const unavailable = () => new AppError(503, 'store_unavailable', 'the trace store is unavailable', RETRY_AFTER);

function forwardLog(logger: StoreLogger, role: WorkerRole, message: Extract<WorkerMessage, { type: 'log' }>): void {
  logger[message.level]({ ...message.fields, role }, message.msg);
}

/** Sends requests to one store worker and settles each when the worker answers it. */
export class WorkerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private alive = true;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: StoreLogger,
    private readonly role: WorkerRole,
  ) {
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('error', (err) => logger.error({ err, role }, 'store worker crashed'));
    worker.on('exit', (code) => this.onExit(code));
  }

  /** Resolves once the worker has opened (and, for a writer, migrated) the database. */
  static start(config: WorkerConfig, logger: StoreLogger): Promise<WorkerClient> {
    const worker = spawnWorker(import.meta.url, 'store-worker', config, config.role === 'writer' ? { maxYoungGenerationSizeMb: INGEST_YOUNG_GENERATION_MB } : undefined);
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        cleanup();
        void worker.terminate();
        reject(err);
      };
      const onStartMessage = (message: WorkerMessage) => {
        if (message.type === 'log') return forwardLog(logger, config.role, message);
        if (message.type === 'startup-failure') return fail(toStartupError(message.failure));
        if (message.type !== 'ready') return;
        cleanup();
        resolve(new WorkerClient(worker, logger, config.role));
      };
      const onError = (err: Error) => fail(new StoreOpenError(`cannot start the store worker: ${err.message}`));
      const onExit = (code: number) =>
        fail(new StoreOpenError(`the store worker exited with code ${code} while starting`));
      const cleanup = () => {
        worker.off('message', onStartMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onStartMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  get isAlive(): boolean {
    return this.alive && this.closing === undefined;
  }

  call<K extends OperationName>(
    op: K,
    ...args: Parameters<StoreOperations[K]>
  ): Promise<Awaited<ReturnType<StoreOperations[K]>>> {
    if (this.closing !== undefined) {
      return Promise.reject(new AppError(503, 'store_closed', 'the trace store is closed'));
    }
    return this.send(op, args) as Promise<Awaited<ReturnType<StoreOperations[K]>>>;
  }

  /** `call`, moving the given buffers to the worker instead of copying them (they are unusable here afterwards). */
  callTransferring<K extends OperationName>(
    op: K,
    transfer: ArrayBuffer[],
    ...args: Parameters<StoreOperations[K]>
  ): Promise<Awaited<ReturnType<StoreOperations[K]>>> {
    if (this.closing !== undefined) {
      return Promise.reject(new AppError(503, 'store_closed', 'the trace store is closed'));
    }
    return this.send(op, args, transfer) as Promise<Awaited<ReturnType<StoreOperations[K]>>>;
  }

  /** Lets requests already sent finish, then closes the connection and ends the thread. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    if (!this.alive) return;
    try {
      await this.send('close', []);
    } finally {
      await this.worker.terminate();
    }
  }

  private send(op: OperationName, args: unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (!this.alive) return Promise.reject(unavailable());
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const request: WorkerRequest = { id, op, args };
      this.pending.set(id, { op, resolve, reject });
      try {
        this.worker.postMessage(request, transfer);
      } catch (err) {
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'log') return forwardLog(this.logger, this.role, message);
    if (message.type !== 'result' && message.type !== 'failure') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'result') pending.resolve(message.value);
    else pending.reject(toRequestError(message.failure, pending.op));
  }

  private onExit(code: number): void {
    this.alive = false;
    if (this.closing === undefined) {
      this.logger.error({ code, role: this.role, pending: this.pending.size }, 'store worker exited unexpectedly');
    }
    for (const pending of this.pending.values()) pending.reject(unavailable());
    this.pending.clear();
  }
}
