import type Database from 'better-sqlite3';
import { isHexId, TRACE_ID_HEX_LENGTH, type JaegerDependency, type Span } from '@threadline/shared';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import type { OperationInfo, SpanKindName, TraceQuery, TraceSummary } from '../span-store.js';
import { HOUR_NS } from './chunk-time.js';
import { TraceChunks, type PackedChunks } from './trace-chunks.js';
import { TraceSearch } from './trace-search.js';

interface SummaryRow {
  trace_id: Buffer;
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

/**
 * Dependencies decode every trace that started in the window (and the hour before, for
 * spans of long traces), so a window is cut to this many traces, newest first.
 */
export const MAX_DEPENDENCY_TRACES = 20_000;

/** Exported so that tests can check their query plans. */
export const READ_SQL = {
  services: 'SELECT DISTINCT service FROM operations ORDER BY service',
  operations: 'SELECT name, kind FROM operations WHERE service = ? ORDER BY name, kind',
  operationsOfKind: 'SELECT name, kind FROM operations WHERE service = ? AND kind = ? ORDER BY name',
  dependencyTraces: `SELECT trace_num FROM trace_summaries WHERE start_ns >= ? AND start_ns <= ? ORDER BY start_ns DESC LIMIT ${MAX_DEPENDENCY_TRACES}`,
  summaries: `SELECT trace_id, start_ns, end_ns, root_service, root_name, span_count, error_count, services
    FROM trace_summaries WHERE trace_id IN (SELECT unhex(value) FROM json_each(?))`,
} as const;

/** Every read the query API needs, over one connection. */
export class SpanReader {
  private readonly selectServices;
  private readonly selectOperations;
  private readonly selectOperationsOfKind;
  private readonly selectDependencyTraces;
  private readonly selectSummaries;
  private readonly chunks;
  private readonly search;

  constructor(db: Database.Database) {
    this.selectServices = db.prepare<[], string>(READ_SQL.services).pluck();
    this.selectOperations = db.prepare<[string], OperationRow>(READ_SQL.operations);
    this.selectOperationsOfKind = db.prepare<[string, number], OperationRow>(READ_SQL.operationsOfKind);
    this.selectDependencyTraces = db.prepare<[bigint, bigint], number>(READ_SQL.dependencyTraces).pluck();
    this.selectSummaries = db.prepare<[string], SummaryRow>(READ_SQL.summaries).safeIntegers(true);
    this.chunks = new TraceChunks(db);
    this.search = new TraceSearch(db, this.chunks);
  }

  /** `unindexed`: the trace's acknowledged chunks the writer has not indexed yet (UnindexedBatches). */
  getTrace(traceId: string, unindexed?: readonly Uint8Array[]): Span[] {
    return this.chunks.byTraceId(traceId, unindexed);
  }

  /** The trace's chunks undecoded in one buffer, for reading it a page at a time (trace-chunk-pages.ts). */
  getTracePacked(traceId: string, unindexed?: readonly Uint8Array[]): PackedChunks {
    return this.chunks.packedChunks(traceId, unindexed);
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

  /** Caller → callee edges from the spans that started in the window and whose parent is of another service. */
  getDependencies(startNs: bigint, endNs: bigint): JaegerDependency[] {
    const counts = new Map<string, JaegerDependency>();
    const from = startNs > HOUR_NS ? startNs - HOUR_NS : 0n;
    for (const traceNum of this.selectDependencyTraces.all(from, endNs)) {
      const spans = this.chunks.byTraceNum(traceNum);
      const serviceOf = new Map(spans.map((s) => [s.spanId, s.serviceName]));
      for (const child of spans) {
        if (child.parentSpanId === '') continue;
        const start = BigInt(child.startTimeUnixNano);
        if (start < startNs || start > endNs) continue;
        const parent = serviceOf.get(child.parentSpanId);
        if (parent === undefined || parent === child.serviceName) continue;
        const key = `${parent}\u0000${child.serviceName}`;
        const edge = counts.get(key);
        if (edge) edge.callCount++;
        else counts.set(key, { parent, child: child.serviceName, callCount: 1 });
      }
    }
    return [...counts.values()].sort((a, b) => (a.parent < b.parent ? -1 : a.parent > b.parent ? 1 : a.child < b.child ? -1 : a.child > b.child ? 1 : 0));
  }

  /** In the order asked for; unknown IDs are left out. */
  getTraceSummaries(traceIds: readonly string[]): TraceSummary[] {
    const wanted = traceIds.filter((id) => isHexId(id, TRACE_ID_HEX_LENGTH));
    const rows = new Map(this.selectSummaries.all(JSON.stringify(wanted)).map((r) => [r.trace_id.toString('hex'), r]));
    const summaries: TraceSummary[] = [];
    for (const traceId of new Set(wanted)) {
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
