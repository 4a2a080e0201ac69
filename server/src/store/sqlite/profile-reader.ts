import type Database from 'better-sqlite3';
import type { ExecTraceInfo, ExecTraceSummary, ProfileMarker, ProfileStackQuery, ProfileStacks } from '../profile-store.js';

interface ExecTraceRow {
  trace_id: string;
  span_id: string;
  service: string;
  span_name: string;
  start_ns: bigint;
  duration_ns: bigint;
  is_error: number;
  summary: string;
  raw_bytes: number;
  has_raw: number;
}

/** Reads profiles for the query API (runs in the reader worker). */
export class ProfileReader {
  private readonly selectExecTrace;
  private readonly selectRaw;
  private readonly selectCpuSpans;
  private readonly selectExecSpans;

  constructor(private readonly db: Database.Database) {
    this.selectExecTrace = db
      .prepare<[string, string], ExecTraceRow>(
        `SELECT trace_id, span_id, service, span_name, start_ns, duration_ns, is_error, summary, raw_bytes, raw IS NOT NULL AS has_raw
         FROM exec_traces WHERE trace_id = ? AND span_id = ?`,
      )
      .safeIntegers(true);
    this.selectRaw = db.prepare<[string, string], Buffer | null>('SELECT raw FROM exec_traces WHERE trace_id = ? AND span_id = ?').pluck();
    this.selectCpuSpans = db.prepare<[string], string>('SELECT span_id FROM profile_spans WHERE trace_id = ?').pluck();
    this.selectExecSpans = db.prepare<[string], string>('SELECT span_id FROM exec_traces WHERE trace_id = ?').pluck();
  }

  getProfileStacks(q: ProfileStackQuery): ProfileStacks {
    const where: string[] = ['s.kind = ?'];
    const args: unknown[] = [q.kind];
    if (q.spanIds !== undefined) {
      if (q.spanIds.length === 0) return { unit: '', total: 0, stacks: [] };
      where.push(`s.span_id IN (SELECT value FROM json_each(?))`);
      args.push(JSON.stringify(q.spanIds));
    }
    if (q.service !== undefined) {
      where.push('s.service = ?');
      args.push(q.service);
    }
    if (q.spanName !== undefined) {
      where.push('s.span_name = ?');
      args.push(q.spanName);
    }
    if (q.startNs !== undefined && q.endNs !== undefined) {
      // Windows overlapping [start, end): a window starts at most its length before.
      where.push('w.end_ns > ? AND s.start_ns < ?');
      args.push(q.startNs, q.endNs);
    }
    const rows = this.db
      .prepare<unknown[], { stack_id: number; value: number; unit: string }>(
        `SELECT s.stack_id, sum(s.value) AS value, max(w.unit) AS unit
         FROM profile_samples s JOIN profile_windows w ON w.window_pk = s.window_pk
         WHERE ${where.join(' AND ')} GROUP BY s.stack_id ORDER BY value DESC`,
      )
      .all(...args);
    const frames = this.db.prepare<[number], string>('SELECT frames FROM profile_stacks WHERE stack_id = ?').pluck();
    return {
      unit: rows[0]?.unit ?? '',
      total: rows.reduce((sum, r) => sum + r.value, 0),
      stacks: rows.slice(0, q.limit).map((r) => ({ frames: JSON.parse(frames.get(r.stack_id) ?? '[]') as string[], value: r.value })),
    };
  }

  getExecTrace(traceId: string, spanId: string): ExecTraceInfo | undefined {
    const row = this.selectExecTrace.get(traceId, spanId);
    if (row === undefined) return undefined;
    return {
      traceId: row.trace_id,
      spanId: row.span_id,
      service: row.service,
      spanName: row.span_name,
      startNs: row.start_ns,
      durationNs: row.duration_ns,
      error: Number(row.is_error) === 1,
      summary: JSON.parse(row.summary) as ExecTraceSummary,
      rawBytes: Number(row.raw_bytes),
      hasRaw: Number(row.has_raw) === 1,
    };
  }

  getExecTraceRaw(traceId: string, spanId: string): Uint8Array | undefined {
    return this.selectRaw.get(traceId, spanId) ?? undefined;
  }

  getProfileMarkers(traceId: string): ProfileMarker[] {
    const markers = new Map<string, ProfileMarker>();
    for (const spanId of this.selectCpuSpans.all(traceId)) markers.set(spanId, { spanId, cpu: true, execTrace: false });
    for (const spanId of this.selectExecSpans.all(traceId)) {
      const m = markers.get(spanId);
      if (m) m.execTrace = true;
      else markers.set(spanId, { spanId, cpu: false, execTrace: true });
    }
    return [...markers.values()];
  }
}
