import type Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { SMALL_HEAP, spawnWorker } from '../../threads/spawn-worker.js';

export interface CheckpointThreadData {
  path: string;
  /** 1 from the moment a checkpoint is asked for until the helper has finished it. */
  busy: Int32Array;
}
export type CheckpointThreadMessage = { type: 'done' } | { type: 'failed'; message: string };

/** SQLite's own default: what the writer goes back to if the helper is lost. */
const AUTOCHECKPOINT_PAGES = 1000;
/** The longest the writer waits for the helper's checkpoint before one of its own. */
const HELPER_WAIT_MS = 1000;

/**
 * Copies the WAL back into the database file on a thread of its own, after each commit.
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold, on the
 * writer, the thread that limits ingest; under full-speed ingest every indexing pass
 * crossed it (a pass dirties ~2,500 pages, the threshold is 1,000), so each pass also
 * waited for the copy and two fsyncs. The helper's PASSIVE checkpoints take no lock a
 * writer needs, and the writer restarts the WAL from its beginning at the first commit
 * after one has caught up. (With no checkpoints at all, the WAL grew and every page read
 * looked through a bigger WAL index: 6–7 % slower than with the writer's own.)
 *
 * One checkpoint is asked for at a time: a commit while one runs asks for one more after it.
 */
export class BackgroundCheckpoints {
  /** Checkpoints the helper has finished. */
  completed = 0;
  private worker: Worker | undefined;
  /** A commit came while a checkpoint was under way: one more is owed once it ends. */
  private owed = false;
  private readonly busy = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly db: Database.Database,
    path: string,
    private readonly onLost: (reason: string) => void,
    spawn: (data: CheckpointThreadData) => Worker = (data) => spawnWorker(import.meta.url, 'checkpoint-thread', data, SMALL_HEAP),
  ) {
    db.pragma('wal_autocheckpoint = 0');
    const worker = spawn({ path, busy: this.busy });
    this.worker = worker;
    worker.unref();
    worker.on('message', (message: CheckpointThreadMessage) => {
      if (message.type === 'failed') return this.lost(`a checkpoint failed: ${message.message}`);
      this.completed++;
      if (this.owed) this.afterCommit();
    });
    worker.on('error', (err) => this.lost(`the helper failed: ${err.message}`));
    worker.on('exit', (code) => this.lost(`the helper exited with code ${code}`));
  }

  afterCommit(): void {
    if (!this.worker) return;
    if (Atomics.load(this.busy, 0) === 1) {
      this.owed = true;
      return;
    }
    this.owed = false;
    Atomics.store(this.busy, 0, 1);
    this.worker.postMessage('checkpoint');
  }

  /**
   * Waits (up to a second) for a checkpoint asked of the helper to end. For the writer's
   * own TRUNCATE checkpoints: one that meets the helper's gets SQLITE_BUSY and does nothing.
   */
  waitForHelper(): void {
    if (this.worker) Atomics.wait(this.busy, 0, 1, HELPER_WAIT_MS);
  }

  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    Atomics.store(this.busy, 0, 0);
    void worker?.terminate();
  }

  /** The writer checkpoints by itself again, as SQLite does by default. */
  private lost(reason: string): void {
    if (!this.worker) return;
    this.close();
    this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.onLost(reason);
  }
}
