import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ExecTraceRecord, ProfileWindow } from '../profile-store.js';

/** Writes profile windows and execution traces, one transaction each (runs in the writer worker). */
export class ProfileWriter {
  private readonly insertWindow;
  private readonly findStack;
  private readonly insertStack;
  private readonly insertSample;
  private readonly insertSpan;
  private readonly upsertExecTrace;
  private readonly writeWindowInTransaction;

  constructor(db: Database.Database) {
    this.insertWindow = db.prepare<[string, string, string, bigint, bigint, string]>(
      'INSERT INTO profile_windows (service, kind, unit, start_ns, end_ns, resource) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.findStack = db.prepare<[Buffer], number>('SELECT stack_id FROM profile_stacks WHERE hash = ?').pluck();
    this.insertStack = db.prepare<[Buffer, string]>('INSERT INTO profile_stacks (hash, frames) VALUES (?, ?)');
    this.insertSample = db.prepare<[number | bigint, string, string, bigint, string, string, string, number, number]>(
      `INSERT INTO profile_samples (window_pk, service, kind, start_ns, span_id, span_name, trace_id, stack_id, value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The marker goes with the span's newest window: retention deletes the oldest first.
    this.insertSpan = db.prepare<[string, string, number | bigint]>(
      `INSERT INTO profile_spans (trace_id, span_id, window_pk) VALUES (?, ?, ?)
       ON CONFLICT (trace_id, span_id) DO UPDATE SET window_pk = max(window_pk, excluded.window_pk)`,
    );
    this.upsertExecTrace = db.prepare(
      `INSERT OR REPLACE INTO exec_traces (trace_id, span_id, service, span_name, start_ns, duration_ns, is_error, summary, raw, raw_bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.writeWindowInTransaction = db.transaction((window: ProfileWindow) => this.writeWindowNow(window));
  }

  writeProfile(window: ProfileWindow): void {
    this.writeWindowInTransaction.immediate(window);
  }

  writeExecTrace(r: ExecTraceRecord): void {
    this.upsertExecTrace.run(
      r.traceId, r.spanId, r.service, r.spanName, r.startNs, r.durationNs, r.error ? 1 : 0,
      JSON.stringify(r.summary), r.raw === undefined ? null : Buffer.from(r.raw), r.rawBytes,
    );
  }

  private writeWindowNow(w: ProfileWindow): void {
    const windowPk = this.insertWindow.run(w.service, w.kind, w.unit, w.startNs, w.endNs, JSON.stringify(w.resource)).lastInsertRowid;
    for (const s of w.samples) {
      this.insertSample.run(windowPk, w.service, w.kind, w.startNs, s.spanId, s.spanName, s.traceId, this.stackId(s.frames), s.value);
      if (s.spanId !== '' && s.traceId !== '') this.insertSpan.run(s.traceId, s.spanId, windowPk);
    }
  }

  private stackId(frames: readonly string[]): number {
    const text = JSON.stringify(frames);
    const hash = createHash('sha1').update(text).digest();
    return this.findStack.get(hash) ?? Number(this.insertStack.run(hash, text).lastInsertRowid);
  }
}
