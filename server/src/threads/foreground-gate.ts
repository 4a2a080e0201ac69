import { isMainThread, workerData } from 'node:worker_threads';

/**
 * Queries step in front of ingest's bulk work.
 *
 * With as many busy threads as cores, a query shares its core with decoding and indexing,
 * and nice values only tilt the share (thread-priority.ts): under full-speed ingest on 2
 * cores, queries took 2–5× their idle time at the tail. So the thread answering HTTP counts
 * the queries in flight in shared memory, and the ingest threads (decoding, the background
 * indexing pass) look at the count between units of work and wait while it is above zero,
 * within a budget (`YieldPolicy`): a client asking back to back slows ingest, whose queue
 * then fills and answers 429 as under any overload, but cannot stop it. Acknowledged data
 * is durable before either kind of thread sees it, so waiting only delays indexing or the
 * next acknowledgement.
 *
 * One signal per process: every collector in it shares it, as its threads share the cores.
 */
/**
 * Word 0: queries in flight; word 1: threads waiting on word 0 (so that a query's end wakes
 * nobody in vain: a futex call); word 2: queries waiting for ingest's own work (a search
 * that has the writer index what waits first). While any does, nobody steps aside: the
 * query would wait for the very pass that waits for it.
 */
const IN_FLIGHT = 0;
const WAITING = 1;
const AWAITING_INGEST = 2;
/**
 * Bytes 16–23: microseconds every thread of the process has spent stepping aside, summed
 * (`threadline_ingest_stepped_aside_seconds_total`): how much a query load costs ingest.
 */
const STEPPED_ASIDE_US_AT = 16;
const SIGNAL_BYTES = 24;

/** A signal of its own, for a process-independent gate (tests). */
export function newForegroundSignal(): SharedArrayBuffer {
  return new SharedArrayBuffer(SIGNAL_BYTES);
}

/** Seconds the background threads sharing `signal` have spent stepping aside for queries, summed over threads. */
export function steppedAsideSeconds(signal: SharedArrayBuffer = foregroundSignal()): number {
  return Number(Atomics.load(new BigInt64Array(signal, STEPPED_ASIDE_US_AT, 1), 0)) / 1e6;
}

/**
 * A request counts as a query in flight for at most this long: past it, it is a big answer
 * or a slow client reading one, and shares the machine like anything else (the 100k-span
 * trace of bench:ui is served in ~1.3 s).
 */
export const MAX_FOREGROUND_MS = 1_000;

let processSignal: SharedArrayBuffer | undefined;

/** The process's signal: made by the main thread, handed to every worker in its workerData (spawn-worker.ts). */
export function foregroundSignal(): SharedArrayBuffer {
  if (!processSignal) {
    const given = isMainThread ? undefined : (workerData as { foreground?: unknown } | null)?.foreground;
    processSignal = given instanceof SharedArrayBuffer ? given : newForegroundSignal();
  }
  return processSignal;
}

/** Main thread: marks one query in flight; the returned function ends it (once, however often called, and by itself after `maxMs`). */
export function beginForeground(maxMs = MAX_FOREGROUND_MS, signal: SharedArrayBuffer = foregroundSignal()): () => void {
  const counter = new Int32Array(signal);
  Atomics.add(counter, IN_FLIGHT, 1);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    if (Atomics.sub(counter, IN_FLIGHT, 1) === 1 && Atomics.load(counter, WAITING) > 0) Atomics.notify(counter, IN_FLIGHT);
  };
  const timer = setTimeout(end, maxMs);
  timer.unref();
  return end;
}

/** Main thread: a query waits for ingest's work until the returned function is called (once). */
export function awaitIngest(signal: SharedArrayBuffer = foregroundSignal()): () => void {
  const counter = new Int32Array(signal);
  Atomics.add(counter, AWAITING_INGEST, 1);
  // Wakes a thread already stepping aside (it waits on word 0 and looks at word 2 when woken).
  if (Atomics.load(counter, WAITING) > 0) Atomics.notify(counter, IN_FLIGHT);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    Atomics.sub(counter, AWAITING_INGEST, 1);
  };
}

export interface YieldPolicy {
  /** The longest one wait lasts, whatever is in flight. */
  maxWaitMs: number;
  /**
   * The part of its time a thread may spend waiting. Enforced after each wait (a wait of w
   * ms is followed by at least w·(1 − share)/share ms of work), so ingest's share comes in
   * slices spread over the queries rather than in a block that every query of that second
   * would share the cores with.
   */
  maxShare: number;
}

/**
 * Measured with the query benchmark's busy phase (docs/benchmarks.md, "Sixth round"): a
 * query of the 10M-span database takes 1–30 ms, so one wait covers any of them. Against a
 * client that never stops asking, ingest keeps at least a quarter of its time (the gaps
 * between queries are its too): it acknowledged ~17k spans/s there instead of ~35k, where a
 * share of 0.9 left it ~13.5k for the same query times within the noise.
 */
export const DEFAULT_YIELD_POLICY: YieldPolicy = { maxWaitMs: 50, maxShare: 0.75 };

/** A background thread's side: `yield()` between units of work. In workers only: on the main thread the wait would block the event loop. */
export class BackgroundYield {
  private readonly counter: Int32Array;
  private readonly steppedAsideUs: BigInt64Array;
  /** No waiting before this time: the work owed for the last wait. */
  private runUntil = -Infinity;
  /** Milliseconds spent waiting, over the thread's life (for logs and tests). */
  waitedMs = 0;

  constructor(
    signal: SharedArrayBuffer = foregroundSignal(),
    private readonly policy: YieldPolicy = DEFAULT_YIELD_POLICY,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.counter = new Int32Array(signal);
    this.steppedAsideUs = new BigInt64Array(signal, STEPPED_ASIDE_US_AT, 1);
  }

  yield(): void {
    if (!this.queriesWait()) return;
    const started = this.now();
    if (started < this.runUntil) return;
    const { maxWaitMs, maxShare } = this.policy;
    Atomics.add(this.counter, WAITING, 1);
    // Atomics.wait returns at once if the count changed since it was read, so a query's end
    // is never missed; a search starting to wait for ingest in between is (its notify comes
    // before the wait): that wait then ends at its budget.
    while (this.queriesWait()) {
      const left = maxWaitMs - (this.now() - started);
      if (left <= 0) break;
      Atomics.wait(this.counter, IN_FLIGHT, Atomics.load(this.counter, IN_FLIGHT), left);
    }
    Atomics.sub(this.counter, WAITING, 1);
    const ended = this.now();
    const waited = ended - started;
    this.waitedMs += waited;
    Atomics.add(this.steppedAsideUs, 0, BigInt(Math.round(waited * 1000)));
    this.runUntil = ended + (waited * (1 - maxShare)) / maxShare;
  }

  /** Queries are in flight, and none of them waits for ingest's work. */
  private queriesWait(): boolean {
    return Atomics.load(this.counter, IN_FLIGHT) > 0 && Atomics.load(this.counter, AWAITING_INGEST) === 0;
  }
}
