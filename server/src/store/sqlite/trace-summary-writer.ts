import type Database from 'better-sqlite3';
import type { SpanRow } from './span-row.js';

interface TraceDelta {
  startNs: bigint;
  endNs: bigint;
  spanCount: number;
  errorCount: number;
  services: Set<string>;
}

interface TraceRow {
  start_ns: bigint;
  end_ns: bigint;
  span_count: bigint;
  error_count: bigint;
  services: string;
}

interface RootRow {
  service: string;
  name: string;
}

/**
 * Keeps the `traces` summary rows right as spans arrive, in any order and from any
 * service. Every part is order-independent: start/end are min/max, counts add up (the
 * caller passes only newly inserted spans, so a retried batch counts once), services are
 * a set union, and the root is the earliest root candidate (see `root_candidates`).
 */
export class TraceSummaryWriter {
  private readonly spanExists;
  private readonly adoptCandidates;
  private readonly insertCandidate;
  private readonly selectRoot;
  private readonly selectEarliestSpan;
  private readonly selectTrace;
  private readonly upsertTrace;

  constructor(db: Database.Database) {
    this.spanExists = db.prepare('SELECT 1 FROM spans WHERE trace_id = ? AND span_id = ?').pluck();
    this.adoptCandidates = db.prepare('DELETE FROM root_candidates WHERE trace_id = ? AND parent_span_id = ?');
    this.insertCandidate = db.prepare(
      `INSERT INTO root_candidates (trace_id, span_id, parent_span_id, start_ns, service, name)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    // Ties go to a true root (no parent) over a span whose parent is missing.
    this.selectRoot = db.prepare<[string], RootRow>(
      `SELECT service, name FROM root_candidates WHERE trace_id = ?
       ORDER BY start_ns, parent_span_id <> '', span_id LIMIT 1`,
    );
    this.selectEarliestSpan = db.prepare<[string], RootRow>(
      'SELECT service, name FROM spans WHERE trace_id = ? ORDER BY start_ns, span_id LIMIT 1',
    );
    this.selectTrace = db
      .prepare<[string], TraceRow>(
        'SELECT start_ns, end_ns, span_count, error_count, services FROM traces WHERE trace_id = ?',
      )
      .safeIntegers(true);
    this.upsertTrace = db.prepare(
      `INSERT INTO traces (trace_id, start_ns, end_ns, root_service, root_name, span_count, error_count, services)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trace_id) DO UPDATE SET
         start_ns = excluded.start_ns, end_ns = excluded.end_ns,
         root_service = excluded.root_service, root_name = excluded.root_name,
         span_count = excluded.span_count, error_count = excluded.error_count, services = excluded.services`,
    );
  }

  /** `rows` are the spans this transaction inserted, all of them already in `spans`. */
  update(rows: readonly SpanRow[]): void {
    for (const row of rows) this.updateRootCandidates(row);
    for (const [traceId, delta] of buildTraceDeltas(rows)) this.updateTrace(traceId, delta);
  }

  private updateRootCandidates(row: SpanRow): void {
    this.adoptCandidates.run(row.traceId, row.spanId);
    // A span that names itself as parent has, in effect, none.
    const hasParent =
      row.parentSpanId !== '' &&
      row.parentSpanId !== row.spanId &&
      this.spanExists.get(row.traceId, row.parentSpanId) !== undefined;
    if (!hasParent) {
      this.insertCandidate.run(row.traceId, row.spanId, row.parentSpanId, row.startNs, row.service, row.name);
    }
  }

  private updateTrace(traceId: string, delta: TraceDelta): void {
    const prev = this.selectTrace.get(traceId);
    const services = new Set(delta.services);
    if (prev) for (const s of JSON.parse(prev.services) as string[]) services.add(s);
    // Only a parent cycle leaves no candidate; the earliest span is the best guess then.
    const root = this.selectRoot.get(traceId) ?? this.selectEarliestSpan.get(traceId);
    this.upsertTrace.run(
      traceId,
      prev && prev.start_ns < delta.startNs ? prev.start_ns : delta.startNs,
      prev && prev.end_ns > delta.endNs ? prev.end_ns : delta.endNs,
      root?.service ?? '',
      root?.name ?? '',
      (prev ? Number(prev.span_count) : 0) + delta.spanCount,
      (prev ? Number(prev.error_count) : 0) + delta.errorCount,
      JSON.stringify([...services].sort()),
    );
  }
}

function buildTraceDeltas(rows: readonly SpanRow[]): Map<string, TraceDelta> {
  const deltas = new Map<string, TraceDelta>();
  for (const row of rows) {
    const d = deltas.get(row.traceId);
    if (!d) {
      deltas.set(row.traceId, {
        startNs: row.startNs,
        endNs: row.endNs,
        spanCount: 1,
        errorCount: row.isError ? 1 : 0,
        services: new Set([row.service]),
      });
      continue;
    }
    if (row.startNs < d.startNs) d.startNs = row.startNs;
    if (row.endNs > d.endNs) d.endNs = row.endNs;
    d.spanCount++;
    if (row.isError) d.errorCount++;
    d.services.add(row.service);
  }
  return deltas;
}
