import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { HOUR_NS } from './chunk-time.js';
import type { RetentionSweeper } from './retention-sweeper.js';
import { EvictedIndexRows } from './evicted-index-rows.js';
import type { SizeEvictions } from '../size-evictions.js';

/**
 * Shares of the limit, for (pages in use + the WAL reserve): a round starts at TRIGGER and
 * evicts down to TARGET; above HARD the round runs to its end without giving way to ingest.
 */
const TRIGGER = 0.85;
const TARGET = 0.7;
const HARD = 0.95;
/** After a round, the next starts only once the pages in use grew by this share of the limit (or above HARD). */
const REGROWTH = 0.05;
/** A round never takes less (progress) nor more (it is a size limit, not a purge) of the traces. */
const MIN_SHARE = 0.02;
const MAX_SHARE = 0.5;
/** Spans per delete transaction. */
const STEP_SPANS = 10_000;
/** Work per turn before the writer serves waiting requests again. */
const TURN_MS = 50;
const MB = 1024 * 1024;
/** The WAL is truncated once it passes this share of the limit (at most 64 MiB)… */
const WAL_SHARE = 0.05;
/** …and the largest WAL seen, up to this share, is kept free for the next one. */
const MAX_RESERVE_SHARE = 0.25;

/**
 * Enforces `--max-db-size` inside the writer, after every commit, so the files stop
 * growing before they pass the limit rather than a minute later. Cheap to check: pages in
 * use ((page_count − freelist_count) × page_size, from the header) plus a reserve for the
 * WAL, and one stat of the WAL file. Freed pages go on SQLite's free list and new data reuses them, so keeping the
 * pages in use below the limit keeps the file there. The WAL is the other half: a single
 * indexing pass rewrites every tag-postings page it touches, tens of MB under heavy
 * ingest, so with a limit the WAL is truncated as soon as it passes `walCap`, and the
 * largest WAL seen before a truncation is reserved out of the limit.
 *
 * A round evicts the oldest traces whole (their chunks and summaries, with sketches and
 * net/trace records older than every trace left), then the index rows and tag postings
 * they leave, then blocks no chunk uses. It runs in turns of ~50 ms between the writer's
 * requests, so acks keep flowing, except above HARD.
 */
export class SizeGuard {
  readonly evictions: SizeEvictions = { rounds: 0, spans: 0, traces: 0, indexRows: 0 };
  private readonly walCap: number;
  private walReserve: number;
  private round: Generator<void, boolean, void> | undefined;
  private resumeScheduled = false;
  private usedAfterRound = 0;
  private readonly walPath: string;
  private readonly countTraces;
  private readonly oldestBounds;
  private readonly indexRows;

  constructor(
    private readonly db: Database.Database,
    private readonly maxBytes: number,
    private readonly sweeper: RetentionSweeper,
    private readonly truncateWal: () => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.walPath = `${db.name}-wal`;
    this.walCap = Math.min(64 * MB, maxBytes * WAL_SHARE);
    this.walReserve = this.walCap;
    this.countTraces = db.prepare<[], number>('SELECT count(*) FROM trace_summaries').pluck();
    this.oldestBounds = db
      .prepare<[number], { first: bigint | null; last: bigint | null; spans: bigint | null }>(
        `SELECT min(start_ns) AS first, max(end_ns) AS last, sum(span_count) AS spans
           FROM (SELECT start_ns, end_ns, span_count FROM trace_summaries ORDER BY start_ns LIMIT ?)`,
      )
      .safeIntegers(true);
    this.indexRows = new EvictedIndexRows(db);
  }

  /** Pages in use plus the WAL reserve: what the files would take at the next big write. */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = (this.db.pragma('page_count', { simple: true }) as number) - (this.db.pragma('freelist_count', { simple: true }) as number);
    return pages * pageSize + this.walReserve;
  }

  /** Never throws: the commit before it stands whatever happens here (a full disk: the next commit retries). */
  afterCommit(): void {
    try {
      this.boundWal();
      this.work();
    } catch (err) {
      this.round = undefined;
      this.onError(err);
    }
  }

  /**
   * Over the trigger, and grown since the last round. Pages in use do not drop as much as
   * the share evicted (a B-tree page emptied in part stays in use, and is refilled by new
   * rows before the file grows), so rounds back to back would evict far more than needed.
   */
  private due(): boolean {
    const used = this.usedBytes();
    if (used >= this.maxBytes * HARD) return true;
    return used >= this.maxBytes * TRIGGER && used >= this.usedAfterRound + this.maxBytes * REGROWTH;
  }

  private work(): void {
    const until = performance.now() + TURN_MS;
    for (;;) {
      if (!this.round) {
        if (!this.due()) return;
        this.round = this.evictRound();
        this.evictions.rounds++;
      }
      const step = this.round.next();
      this.boundWal();
      if (step.done) {
        this.round = undefined;
        this.usedAfterRound = this.usedBytes();
        // Nothing left to evict: the reserve or the ingest log alone are over the trigger.
        if (!step.value) return;
        continue;
      }
      if (performance.now() >= until && this.usedBytes() < this.maxBytes * HARD) break;
    }
    if (!this.resumeScheduled) {
      this.resumeScheduled = true;
      // After the requests already waiting (setImmediate runs once the worker's message queue is served).
      setImmediate(() => {
        this.resumeScheduled = false;
        if (this.db.open) this.afterCommit();
      });
    }
  }

  /**
   * One round: the oldest share of the traces (by start; whole traces, in steps), then the
   * index rows and postings they leave in their time range. Returns whether it evicted anything.
   */
  private *evictRound(): Generator<void, boolean, void> {
    const used = this.usedBytes();
    const share = Math.min(MAX_SHARE, Math.max(MIN_SHARE, (used - this.maxBytes * TARGET) / used));
    const traces = Math.max(1, Math.round(this.countTraces.get()! * share));
    const bounds = this.oldestBounds.get(traces);
    if (!bounds || bounds.first === null || bounds.last === null) return false;
    for (let left = Number(bounds.spans); left > 0; ) {
      // A step takes whole traces up to the spans asked for (at least one), oldest first: exactly those counted.
      const step = this.sweeper.deleteOldestTraces(Math.min(STEP_SPANS, left));
      if (step.traces === 0) break;
      left -= step.spans;
      this.evictions.spans += step.spans;
      this.evictions.traces += step.traces;
      yield;
    }
    for (const rows of this.indexRows.indexRows(bounds.last)) {
      this.evictions.indexRows += rows;
      yield;
    }
    for (const rows of this.indexRows.postings(Number(bounds.first / HOUR_NS), Number(bounds.last / HOUR_NS))) {
      this.evictions.indexRows += rows;
      yield;
    }
    for (const rows of this.indexRows.durationLists(bounds.first, bounds.last)) {
      this.evictions.indexRows += rows;
      yield;
    }
    this.indexRows.orphanBlocks();
    return true;
  }

  /** Truncates the WAL once it passes its cap, remembering the largest burst as the reserve. */
  private boundWal(): void {
    const wal = walBytes(this.walPath);
    if (wal < this.walCap) return;
    this.walReserve = Math.min(this.maxBytes * MAX_RESERVE_SHARE, Math.max(this.walReserve, wal));
    this.truncateWal();
  }
}

function walBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
