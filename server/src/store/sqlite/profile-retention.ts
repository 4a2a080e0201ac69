import type Database from 'better-sqlite3';

/** What one step deleted, and whether any profile or execution trace is left at all. */
export interface ProfileRetentionStep {
  deleted: number;
  remaining: boolean;
}

/**
 * Profile retention follows the spans': a step deletes windows and execution traces older
 * than the age cutoff or than the oldest trace still stored (so a size sweep that dropped
 * old traces drops their profiles next), then stacks no sample uses any more.
 */
export class ProfileRetention {
  private readonly oldestTrace;
  private readonly anythingBefore;
  private readonly anyLeft;
  private readonly oldWindows;
  private readonly deleteSamples;
  private readonly deleteSpans;
  private readonly deleteWindow;
  private readonly deleteExecTraces;
  private readonly deleteUnusedStacks;
  private readonly stepInTransaction;

  constructor(db: Database.Database) {
    this.oldestTrace = db.prepare<[], bigint | null>('SELECT min(start_ns) FROM trace_summaries').pluck().safeIntegers(true);
    this.anythingBefore = db
      .prepare<[bigint, bigint], number>(
        'SELECT EXISTS (SELECT 1 FROM profile_windows WHERE end_ns < ?) OR EXISTS (SELECT 1 FROM exec_traces WHERE start_ns < ?)',
      )
      .pluck();
    this.anyLeft = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM profile_windows) OR EXISTS (SELECT 1 FROM exec_traces)').pluck();
    this.oldWindows = db.prepare<[bigint, number], number>('SELECT window_pk FROM profile_windows WHERE end_ns < ? ORDER BY start_ns LIMIT ?').pluck();
    this.deleteSamples = db.prepare('DELETE FROM profile_samples WHERE window_pk = ?');
    this.deleteSpans = db.prepare('DELETE FROM profile_spans WHERE window_pk = ?');
    this.deleteWindow = db.prepare('DELETE FROM profile_windows WHERE window_pk = ?');
    this.deleteExecTraces = db.prepare(
      `DELETE FROM exec_traces WHERE (trace_id, span_id) IN
         (SELECT trace_id, span_id FROM exec_traces WHERE start_ns < ? ORDER BY start_ns LIMIT ?)`,
    );
    this.deleteUnusedStacks = db.prepare(
      `DELETE FROM profile_stacks WHERE stack_id IN
         (SELECT stack_id FROM profile_stacks p WHERE NOT EXISTS (SELECT 1 FROM profile_samples s WHERE s.stack_id = p.stack_id) LIMIT ?)`,
    );
    this.stepInTransaction = db.transaction((cutoffNs: bigint, maxRows: number) => this.stepNow(cutoffNs, maxRows));
  }

  deleteBefore(cutoffNs: bigint, maxRows: number): ProfileRetentionStep {
    // Most sweeps find nothing: no write transaction (and no commit) for them.
    const cutoff = this.effectiveCutoff(cutoffNs);
    const deleted = this.anythingBefore.get(cutoff, cutoff) ? this.stepInTransaction.immediate(cutoffNs, maxRows) : 0;
    return { deleted, remaining: this.anyLeft.get() === 1 };
  }

  /** The age cutoff, or the oldest span's start when that is later: profiles never outlive their spans. */
  private effectiveCutoff(cutoffNs: bigint): bigint {
    const oldest = this.oldestTrace.get();
    // No span at all: only the age cutoff applies (profiles may arrive before their spans).
    return oldest != null && oldest > cutoffNs ? oldest : cutoffNs;
  }

  private stepNow(cutoffNs: bigint, maxRows: number): number {
    const cutoff = this.effectiveCutoff(cutoffNs);
    let deleted = 0;
    for (const windowPk of this.oldWindows.all(cutoff, maxRows)) {
      this.deleteSamples.run(windowPk);
      this.deleteSpans.run(windowPk);
      this.deleteWindow.run(windowPk);
      deleted++;
    }
    deleted += this.deleteExecTraces.run(cutoff, maxRows).changes;
    if (deleted > 0) deleted += this.deleteUnusedStacks.run(maxRows * 10).changes;
    return deleted;
  }
}
