import type { Span } from '@threadline/shared';
import { AppError } from '../app-error.js';
import type { SpanStore } from '../store/span-store.js';

/**
 * Why a submission was refused without being stored. `retryAfterSeconds` goes to the
 * client (HTTP Retry-After, gRPC RetryInfo) so exporters back off instead of dropping.
 * Made without a stack trace: under overload hundreds are thrown a second, nobody reads
 * their stacks, and capturing one through the HTTP server's frames cost ~60 µs of the
 * main thread each. (`withoutStackTrace` cannot wrap a `super` call.)
 */
export class IngestRejectedError extends Error {
  constructor(
    readonly reason: 'queue_full' | 'shutting_down' | 'memory_exhausted',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'IngestRejectedError';
  }
}

export interface IngestQueueOptions {
  /** Spans waiting to be written, beyond which new submissions are refused. */
  maxQueuedSpans: number;
  /**
   * Seconds of commits the queue may hold, at the rate the store has been committing:
   * a batch queued deeper would wait longer than exporters wait for an answer (10 s by
   * default), time out, and be sent again, so the queue's work would be wasted. Unset:
   * only `maxQueuedSpans` bounds the queue.
   */
  maxQueueSeconds?: number;
  /** Upper bound of spans merged into one store transaction. */
  maxBatchSpans: number;
  /** Called after each commit with its duration (for the commit latency histogram). */
  onCommit?(seconds: number, spans: number): void;
  /** Runs every store write (tests put a stalled or failing store in front of the real one). */
  aroundWrite?(write: () => Promise<void>): Promise<void>;
}

export interface IngestStats {
  queuedSpans: number;
  acceptedSpans: number;
  writtenSpans: number;
  refusedSpans: number;
  failedBatches: number;
}

interface Pending {
  /** Spans to merge with their neighbours into one writeBatch… */
  spans: readonly Span[];
  /** …or, for spans prepared for the store elsewhere, their own write (and how many they are). */
  prepared?: { count: number; write(): Promise<void> };
  resolve(): void;
  reject(err: unknown): void;
}

const countOf = (p: Pending) => p.prepared?.count ?? p.spans.length;

/**
 * A bounded queue in front of the single store writer. Submissions from many
 * requests are merged into one transaction; each submitter's promise settles only
 * after the transaction holding its spans has committed, so an acknowledged batch
 * survives a crash.
 */
export class IngestQueue {
  private readonly pending: Pending[] = [];
  private queuedSpans = 0;
  private writing: Promise<void> | null = null;
  private closed = false;
  // The last write failed for the store's sake (disk full, store gone), and none succeeded since.
  private storeFailing = false;
  // Spans per second of commit time, smoothed over recent commits; 0 until the first.
  private commitRate = 0;
  private readonly counters = { acceptedSpans: 0, writtenSpans: 0, refusedSpans: 0, failedBatches: 0 };

  constructor(
    private readonly store: Pick<SpanStore, 'writeBatch'>,
    private readonly options: IngestQueueOptions,
  ) {}

  submit(spans: readonly Span[]): Promise<void> {
    return this.enqueue(spans.length, (resolve, reject) => ({ spans, resolve, reject }));
  }

  /**
   * Like submit, for spans already decoded and prepared for the store off this thread
   * (ingest/otlp-prepare): `write` stores them. Counted and bounded as `count` spans; written
   * on its own, in queue order.
   */
  submitPrepared(count: number, write: () => Promise<void>): Promise<void> {
    return this.enqueue(count, (resolve, reject) => ({ spans: [], prepared: { count, write }, resolve, reject }));
  }

  private enqueue(count: number, pending: (resolve: () => void, reject: (err: unknown) => void) => Pending): Promise<void> {
    if (count === 0) return Promise.resolve();
    if (this.closed) {
      this.counters.refusedSpans += count;
      return Promise.reject(new IngestRejectedError('shutting_down', 'collector is shutting down', 5));
    }
    // Only the hard cap here: the bound in time was checked when the request arrived
    // (hasRoomFor, before its body was read), with its spans guessed from its size and the
    // bound following the commit rate; refusing it now for being a little off would throw
    // its decoding away and have the exporter send it again.
    // An oversized request is still taken when the queue is empty, or it could never be.
    if (this.queuedSpans > 0 && this.queuedSpans + count > this.options.maxQueuedSpans) {
      this.counters.refusedSpans += count;
      return Promise.reject(new IngestRejectedError('queue_full', `ingest queue is full (${this.queuedSpans} spans waiting); retry later`, 1));
    }
    this.queuedSpans += count;
    this.counters.acceptedSpans += count;
    return new Promise<void>((resolve, reject) => {
      this.pending.push(pending(resolve, reject));
      this.kick();
    });
  }

  /**
   * Whether `spans` more would be taken now: checked before a request body is even read,
   * against the bound in time (enqueue then holds a request to the hard cap only). An empty
   * queue takes a request of any size, so that an oversized one can be stored at all, but
   * not while `othersInFlight`: requests let in and still being read or decoded will fill it.
   */
  hasRoomFor(spans: number, othersInFlight = false): boolean {
    if (this.closed) return false;
    return (this.queuedSpans === 0 && !othersInFlight) || this.queuedSpans + spans <= this.bound();
  }

  /** The queue bound now: `maxQueuedSpans`, or less when the store commits slowly. */
  bound(): number {
    const { maxQueuedSpans, maxQueueSeconds, maxBatchSpans } = this.options;
    if (maxQueueSeconds === undefined || this.commitRate === 0) return maxQueuedSpans;
    return Math.min(maxQueuedSpans, Math.max(maxBatchSpans, Math.round(this.commitRate * maxQueueSeconds)));
  }

  /**
   * False while the store refuses writes (the last batch failed with something other than
   * bad input, and none has committed since): `/readyz` answers 503 until a write succeeds.
   */
  isStoreWritable(): boolean {
    return !this.storeFailing;
  }

  stats(): IngestStats {
    return { queuedSpans: this.queuedSpans, ...this.counters };
  }

  /** Refuses new work and resolves once everything accepted so far is committed. */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.writeLoop().finally(() => {
      this.writing = null;
      // A submission that came between the loop's last check and now found a writer still set.
      if (this.pending.length > 0) this.kick();
    });
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.takeBatch();
      const count = batch.reduce((n, p) => n + countOf(p), 0);
      const started = performance.now();
      try {
        const write = batch[0]!.prepared?.write ?? (() => this.store.writeBatch(batch.length === 1 ? batch[0]!.spans : batch.flatMap((p) => p.spans)));
        await (this.options.aroundWrite ? this.options.aroundWrite(write) : write());
        this.counters.writtenSpans += count;
        this.storeFailing = false;
        const seconds = (performance.now() - started) / 1000;
        const rate = count / Math.max(seconds, 0.001);
        this.commitRate = this.commitRate === 0 ? rate : 0.8 * this.commitRate + 0.2 * rate;
        this.options.onCommit?.(seconds, count);
        for (const p of batch) p.resolve();
      } catch (err) {
        this.counters.failedBatches++;
        // A 4xx AppError is the batch's fault (input the store refused), not the store's.
        if (!(err instanceof AppError && err.status < 500)) this.storeFailing = true;
        for (const p of batch) p.reject(err);
      } finally {
        this.queuedSpans -= count;
      }
    }
  }

  /** Span submissions merged up to maxBatchSpans; a prepared one alone. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [this.pending.shift()!];
    if (batch[0]!.prepared) return batch;
    let size = batch[0]!.spans.length;
    while (this.pending.length > 0 && !this.pending[0]!.prepared && size + this.pending[0]!.spans.length <= this.options.maxBatchSpans) {
      const next = this.pending.shift()!;
      size += next.spans.length;
      batch.push(next);
    }
    return batch;
  }
}
