import type Database from 'better-sqlite3';
import type { Span } from '@threadline/shared';
import { LatencySketchWriter } from './latency-sketch-writer.js';
import { buildSpanSearchTags } from './search-tags.js';
import { parseJsonText } from './span-json.js';
import { parseSpanRow } from './span-row.js';

interface StoredSpan {
  span_pk: bigint;
  start_ns: bigint;
  payload: string;
}

interface TraceTotals {
  start_ns: bigint | null;
  end_ns: bigint | null;
  span_count: bigint;
  error_count: bigint | null;
}

interface RootRow {
  service: string;
  name: string;
}

/**
 * Deletes a stored span with every row derived from it (tag rows, root candidate, its
 * count in the latency sketches), and recomputes its trace's summary from the spans that
 * remain (start/end are min/max and cannot be "subtracted"). Used when
 * a newer snapshot replaces a span (net/trace records without a span of their own); the
 * caller runs it inside its write transaction. Reads stay cheap: everything is found by
 * trace ID, and attribute rows by their full key, recomputed from the payload.
 */
export class SpanRemover {
  private readonly selectSpan;
  private readonly deleteAttribute;
  private readonly deleteSpan;
  private readonly deleteCandidate;
  private readonly orphanChildrenToCandidates;
  private readonly selectTotals;
  private readonly selectServices;
  private readonly selectRoot;
  private readonly selectEarliestSpan;
  private readonly upsertTrace;
  private readonly deleteTrace;
  private readonly sketches;

  constructor(db: Database.Database) {
    this.selectSpan = db
      .prepare<[string, string], StoredSpan>(
        'SELECT span_pk, start_ns, payload FROM spans WHERE trace_id = ? AND span_id = ?',
      )
      .safeIntegers(true);
    this.deleteAttribute = db.prepare(
      'DELETE FROM span_attributes WHERE key = ? AND value = ? AND start_ns = ? AND span_pk = ?',
    );
    this.deleteSpan = db.prepare('DELETE FROM spans WHERE span_pk = ?');
    this.deleteCandidate = db.prepare('DELETE FROM root_candidates WHERE trace_id = ? AND span_id = ?');
    // Children lose their parent: they become root candidates until it is stored again.
    this.orphanChildrenToCandidates = db.prepare(
      `INSERT OR IGNORE INTO root_candidates (trace_id, span_id, parent_span_id, start_ns, service, name)
       SELECT trace_id, span_id, parent_span_id, start_ns, service, name FROM spans
       WHERE trace_id = ? AND parent_span_id = ? AND span_id <> parent_span_id`,
    );
    this.selectTotals = db
      .prepare<[string], TraceTotals>(
        `SELECT min(start_ns) AS start_ns, max(end_ns) AS end_ns, count(*) AS span_count, sum(is_error) AS error_count
         FROM spans WHERE trace_id = ?`,
      )
      .safeIntegers(true);
    this.selectServices = db
      .prepare<[string], string>('SELECT DISTINCT service FROM spans WHERE trace_id = ? ORDER BY service')
      .pluck();
    // The same choice as TraceSummaryWriter: earliest candidate, ties to a true root.
    this.selectRoot = db.prepare<[string], RootRow>(
      `SELECT service, name FROM root_candidates WHERE trace_id = ?
       ORDER BY start_ns, parent_span_id <> '', span_id LIMIT 1`,
    );
    this.selectEarliestSpan = db.prepare<[string], RootRow>(
      'SELECT service, name FROM spans WHERE trace_id = ? ORDER BY start_ns, span_id LIMIT 1',
    );
    this.upsertTrace = db.prepare(
      `INSERT INTO traces (trace_id, start_ns, end_ns, root_service, root_name, span_count, error_count, services)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trace_id) DO UPDATE SET
         start_ns = excluded.start_ns, end_ns = excluded.end_ns,
         root_service = excluded.root_service, root_name = excluded.root_name,
         span_count = excluded.span_count, error_count = excluded.error_count, services = excluded.services`,
    );
    this.deleteTrace = db.prepare('DELETE FROM traces WHERE trace_id = ?');
    this.sketches = new LatencySketchWriter(db);
  }

  /** False when no such span is stored. */
  remove(traceId: string, spanId: string): boolean {
    const stored = this.selectSpan.get(traceId, spanId);
    if (!stored) return false;
    const span = parseJsonText<Span>(stored.payload);
    for (const tag of buildSpanSearchTags(span)) {
      this.deleteAttribute.run(tag.key, tag.value, stored.start_ns, stored.span_pk);
    }
    this.sketches.remove(parseSpanRow(span));
    this.deleteSpan.run(stored.span_pk);
    this.deleteCandidate.run(traceId, spanId);
    this.orphanChildrenToCandidates.run(traceId, spanId);
    this.rebuildSummary(traceId);
    return true;
  }

  private rebuildSummary(traceId: string): void {
    const totals = this.selectTotals.get(traceId)!;
    if (totals.span_count === 0n || totals.start_ns === null || totals.end_ns === null) {
      this.deleteTrace.run(traceId);
      return;
    }
    const root = this.selectRoot.get(traceId) ?? this.selectEarliestSpan.get(traceId);
    this.upsertTrace.run(
      traceId,
      totals.start_ns,
      totals.end_ns,
      root?.service ?? '',
      root?.name ?? '',
      totals.span_count,
      totals.error_count ?? 0n,
      JSON.stringify(this.selectServices.all(traceId)),
    );
  }
}
