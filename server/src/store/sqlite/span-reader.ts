import type Database from 'better-sqlite3';
import type { JaegerDependency, Resource, Span } from '@threadline/shared';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import type { OperationInfo, SpanKindName, TraceQuery, TraceSummary } from '../span-store.js';
import { hasSpecialNumbers, parseJsonText } from './span-json.js';

/**
 * How span-writer leaves the resource out of a payload. Inside a JSON string value the
 * quotes would be escaped, so this exact text can only be the span's own key.
 */
const RESOURCE_PLACEHOLDER = '"resource":null';
import { TraceSearch } from './trace-search.js';

interface TraceRow {
  trace_id: string;
  start_ns: bigint;
  end_ns: bigint;
  root_service: string;
  root_name: string;
  span_count: bigint;
  error_count: bigint;
  services: string;
}

interface OperationRow {
  name: string;
  kind: number;
}

/** Exported so that tests can check their query plans. */
export const READ_SQL = {
  traceSpans: `SELECT s.payload, r.resource_json FROM spans s JOIN resources r ON r.resource_id = s.resource_id
    WHERE s.trace_id = ? ORDER BY s.start_ns, s.span_id`,
  services: 'SELECT DISTINCT service FROM operations ORDER BY service',
  operations: 'SELECT name, kind FROM operations WHERE service = ? ORDER BY name, kind',
  operationsOfKind: 'SELECT name, kind FROM operations WHERE service = ? AND kind = ? ORDER BY name',
  // An edge is a span whose parent span belongs to another service.
  dependencies: `SELECT p.service AS parent, c.service AS child, COUNT(*) AS callCount
    FROM spans c JOIN spans p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
    WHERE c.start_ns >= ? AND c.start_ns <= ? AND c.parent_span_id <> '' AND p.service <> c.service
    GROUP BY p.service, c.service ORDER BY p.service, c.service`,
  summaries: `SELECT trace_id, start_ns, end_ns, root_service, root_name, span_count, error_count, services
    FROM traces WHERE trace_id IN (SELECT value FROM json_each(?))`,
} as const;

/** Every read the query API needs, over one connection. */
export class SpanReader {
  private readonly selectTraceSpans;
  private readonly selectServices;
  private readonly selectOperations;
  private readonly selectOperationsOfKind;
  private readonly selectDependencies;
  private readonly selectSummaries;
  private readonly search;

  constructor(db: Database.Database) {
    this.selectTraceSpans = db.prepare<[string], { payload: string; resource_json: string }>(READ_SQL.traceSpans);
    this.selectServices = db.prepare<[], string>(READ_SQL.services).pluck();
    this.selectOperations = db.prepare<[string], OperationRow>(READ_SQL.operations);
    this.selectOperationsOfKind = db.prepare<[string, number], OperationRow>(READ_SQL.operationsOfKind);
    this.selectDependencies = db.prepare<[bigint, bigint], JaegerDependency>(READ_SQL.dependencies);
    this.selectSummaries = db.prepare<[string], TraceRow>(READ_SQL.summaries).safeIntegers(true);
    this.search = new TraceSearch(db);
  }

  getTrace(traceId: string): Span[] {
    return this.selectTraceSpans.all(traceId).map((row) => {
      const span = parseJsonText<Span>(row.payload);
      // Assigning an existing key keeps its position: the span reads back as written.
      span.resource = parseJsonText<Resource>(row.resource_json);
      return span;
    });
  }

  /**
   * The trace as the JSON text of `getTrace`'s array, built by splicing the stored texts:
   * parsing 10k spans into objects, copying them across threads and stringifying them
   * again cost the UI most of a second. Spans holding the special-number marker take
   * the object path, so the client gets plain JSON (NaN → null) as JSON.stringify gives it.
   */
  getTraceJson(traceId: string): string {
    const parts = this.selectTraceSpans.all(traceId).map(({ payload, resource_json }) => {
      const at = payload.indexOf(RESOURCE_PLACEHOLDER);
      if (at < 0 || hasSpecialNumbers(payload) || hasSpecialNumbers(resource_json)) {
        const span = parseJsonText<Span>(payload);
        span.resource = parseJsonText<Resource>(resource_json);
        return JSON.stringify(span);
      }
      return `${payload.slice(0, at)}"resource":${resource_json}${payload.slice(at + RESOURCE_PLACEHOLDER.length)}`;
    });
    return `[${parts.join(',')}]`;
  }

  getServices(): string[] {
    return this.selectServices.all();
  }

  getOperations(service: string, spanKind?: SpanKindName): OperationInfo[] {
    const rows =
      spanKind === undefined
        ? this.selectOperations.all(service)
        : this.selectOperationsOfKind.all(service, toSpanKind(spanKind));
    return rows.map((r) => ({ name: r.name, spanKind: toSpanKindName(r.kind) }));
  }

  findTraceIds(query: TraceQuery): string[] {
    return this.search.find(query);
  }

  getDependencies(startNs: bigint, endNs: bigint): JaegerDependency[] {
    return this.selectDependencies.all(startNs, endNs);
  }

  /** In the order asked for; unknown IDs are left out. */
  getTraceSummaries(traceIds: readonly string[]): TraceSummary[] {
    const rows = new Map(this.selectSummaries.all(JSON.stringify(traceIds)).map((r) => [r.trace_id, r]));
    const summaries: TraceSummary[] = [];
    for (const traceId of new Set(traceIds)) {
      const row = rows.get(traceId);
      if (!row) continue;
      summaries.push({
        traceId,
        rootService: row.root_service,
        rootOperation: row.root_name,
        startNs: row.start_ns,
        durationNs: row.end_ns - row.start_ns,
        spanCount: Number(row.span_count),
        errorCount: Number(row.error_count),
        services: JSON.parse(row.services) as string[],
      });
    }
    return summaries;
  }
}
