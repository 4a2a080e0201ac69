import type Database from 'better-sqlite3';
import type { CheckpointPolicy } from './worker-protocol.js';

/**
 * PASSIVE checkpoints (background-checkpoints.ts, or SQLite's automatic ones) copy the WAL
 * back but never shrink it, and cannot finish while readers hold old snapshots; under
 * steady ingest with a busy reader the WAL would grow without bound. TRUNCATE checkpoints
 * after a number of commits (or some time) reset it to zero bytes. They are driven by
 * commits, not a timer, so there is nothing to clear on close and an idle store does no work.
 */
export class WalCheckpointer {
  private commits = 0;
  private lastAt = performance.now();

  /** `beforeCheckpoint`: waits out another connection's checkpoint, which would make this one do nothing. */
  constructor(
    private readonly db: Database.Database,
    private readonly policy: CheckpointPolicy,
    private readonly beforeCheckpoint: () => void = () => {},
  ) {}

  afterCommit(): void {
    this.commits++;
    if (this.commits >= this.policy.everyCommits || performance.now() - this.lastAt >= this.policy.everyMs) {
      this.checkpoint({ waitForReaders: false });
    }
  }

  /**
   * Without waiting, a checkpoint that meets a reader does what it can and returns (the
   * next one catches up), so a long UI query never stalls ingest; on close it may wait.
   */
  checkpoint({ waitForReaders }: { waitForReaders: boolean }): void {
    this.commits = 0;
    this.lastAt = performance.now();
    this.beforeCheckpoint();
    const busyTimeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    if (!waitForReaders) this.db.pragma('busy_timeout = 0');
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      if (!waitForReaders) this.db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }
}
