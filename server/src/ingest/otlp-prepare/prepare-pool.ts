import type { Worker } from 'node:worker_threads';
import { AppError } from '../../app-error.js';
import { INGEST_YOUNG_GENERATION_MB, spawnWorker } from '../../threads/spawn-worker.js';
import type { IngestLimits } from '../ingest-limits.js';
import type { PackedOtlp, PrepareAnswer, PrepareRequest, PrepareWorkerConfig } from './prepare-protocol.js';

export interface PreparePoolOptions {
  /** Threads; each takes the next body when it has room. */
  size: number;
  limits: IngestLimits;
  logger: { error(fields: object, msg: string): void };
}

interface Job {
  request: PrepareRequest;
  resolve(prepared: PackedOtlp): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
}

/**
 * A thread decodes one body at a time, and the per-request limits (objects per request)
 * keep what one body decodes to within a few tens of MB. Past this cap a thread dies and
 * is replaced (its bodies answered 503), where an unbounded heap would take the process.
 */
const POOL_HEAP_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: INGEST_YOUNG_GENERATION_MB };
/** Bodies a thread holds: one it decodes and the next, so that it never waits for this thread between two. */
const JOBS_PER_THREAD = 2;
/**
 * Bodies up to this size (exporters' batches are a few hundred KB) go before bigger ones:
 * a 16 MiB message of attributes takes a thread for half a second, and exporters' batches
 * queued behind a few of them waited seconds.
 */
const LARGE_BODY_BYTES = 1024 * 1024;

/** Answered for the bodies a thread held when it died: the exporter sends them again. */
const threadLost = () => new AppError(503, 'ingest_thread_lost', 'the batch could not be decoded; retry later', { 'Retry-After': '1' });

/**
 * Threads that decode OTLP protobuf bodies and prepare their spans for the SQLite store
 * (prepare-worker.ts). Decoding, validation and preparation were three quarters of the
 * main thread's ingest work, with the garbage they leave; off it, the main thread answers
 * refusals and queries at once however hard exporters push. Bodies wait here, small ones
 * first, until a thread has room. A thread that dies fails the bodies it held (503,
 * retried by exporters) and is replaced.
 */
export class PreparePool {
  private readonly slots: Slot[] = [];
  private readonly waiting = { small: [] as Job[], large: [] as Job[] };
  private nextId = 1;
  private closing = false;
  /** Set by close while bodies are still waiting or held. */
  private onIdle: (() => void) | undefined;

  constructor(private readonly options: PreparePoolOptions) {
    for (let i = 0; i < Math.max(1, options.size); i++) this.slots.push(this.spawn());
  }

  /**
   * Takes the body (its memory may move to the thread: the caller must not use it after).
   * Rejects with AppError as a receiver answers it, or an Error for an internal failure.
   */
  run(body: Uint8Array, malformed: string): Promise<PackedOtlp> {
    if (this.closing) return Promise.reject(new AppError(503, 'shutting_down', 'collector is shutting down', { 'Retry-After': '5' }));
    // A body in a buffer of its own moves whole, with where it lies in it (grpc-js hands over a
    // view past the 5-byte frame header: copying it cost a 16 MiB copy per big message). Node
    // gives every buffer larger than its pool's a buffer of its own; smaller ones may be views
    // into the shared pool, and are copied.
    const own = body.buffer.byteLength > Buffer.poolSize;
    const buffer = own ? (body.buffer as ArrayBuffer) : new Uint8Array(body).buffer;
    const request: PrepareRequest = { id: this.nextId++, buffer, offset: own ? body.byteOffset : 0, length: body.byteLength, malformed };
    return new Promise<PackedOtlp>((resolve, reject) => {
      (request.length > LARGE_BODY_BYTES ? this.waiting.large : this.waiting.small).push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** Lets the threads finish every body taken, then ends them. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.idle) await new Promise<void>((resolve) => (this.onIdle = resolve));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private get idle(): boolean {
    return this.waiting.small.length === 0 && this.waiting.large.length === 0 && this.slots.every((s) => s.jobs.size === 0);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      while (slot.jobs.size < JOBS_PER_THREAD) {
        const job = this.waiting.small.shift() ?? this.waiting.large.shift();
        if (!job) return;
        slot.jobs.set(job.request.id, job);
        slot.worker.postMessage(job.request, [job.request.buffer]);
      }
    }
  }

  private settled(): void {
    this.dispatch();
    if (this.idle) this.onIdle?.();
  }

  private spawn(): Slot {
    const config: PrepareWorkerConfig = { limits: this.options.limits };
    const slot: Slot = { worker: spawnWorker(import.meta.url, 'prepare-worker', config, POOL_HEAP_LIMITS), jobs: new Map() };
    slot.worker.on('message', (answer: PrepareAnswer) => {
      const job = slot.jobs.get(answer.id);
      if (!job) return;
      slot.jobs.delete(answer.id);
      if ('prepared' in answer) job.resolve(answer.prepared);
      else if ('refused' in answer) job.reject(new AppError(answer.refused.status, answer.refused.code, answer.refused.message, answer.refused.headers));
      else job.reject(new Error(answer.failed));
      this.settled();
    });
    slot.worker.on('error', (err) => this.options.logger.error({ error: { message: err.message } }, 'an ingest thread failed'));
    slot.worker.on('exit', () => {
      for (const job of slot.jobs.values()) job.reject(threadLost());
      slot.jobs.clear();
      const index = this.slots.indexOf(slot);
      if (!this.closing) this.slots[index] = this.spawn();
      else if (index >= 0) this.slots.splice(index, 1);
      // Closing, with no thread left for what still waits.
      if (this.slots.length === 0) for (const job of this.waiting.small.splice(0).concat(this.waiting.large.splice(0))) job.reject(threadLost());
      this.settled();
    });
    return slot;
  }
}
