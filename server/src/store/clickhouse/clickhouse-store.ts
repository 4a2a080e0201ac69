import { isHexId, TRACE_ID_HEX_LENGTH, type JaegerDependency, type Span } from '@threadline/shared';
import { AppError } from '../../app-error.js';
import type {
  LatencyHeatmap,
  LatencyHeatmapQuery,
  LatencyHistogram,
  LatencyHistogramQuery,
  LatencyQuery,
  LatencyStats,
  OperationStats,
  OperationStatsQuery,
  RetentionStep,
  SlowSpanPage,
  SlowSpanQuery,
} from '../latency-queries.js';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import type {
  EventLog,
  EventLogFamily,
  EventLogListQuery,
  EventLogQuery,
  EventLogSummary,
  NettraceBatch,
  NettraceFamilies,
  NettraceFamiliesQuery,
  NettraceRequest,
  NettraceRequestQuery,
  NettraceStore,
  OperationInfo,
  SpanKindName,
  SpanStore,
  TraceQuery,
  TraceSummary,
} from '../span-store.js';
import { parseJsonText } from '../sqlite/span-json.js';
import { toOtlpJsonText } from '@threadline/shared';
import { tracePagesFromGetTrace } from '../trace-pages.js';
import { StoreInputError } from '../sqlite/store-input-error.js';
import { sortByStart } from '../sqlite/trace-chunks.js';
import { ClickhouseConnection, type ClickhouseLogger } from './clickhouse-connection.js';
import { LatencyReader } from './latency-reader.js';
import { mergeJoinedRecords } from './nettrace-records.js';
import { ClickhouseNettrace } from './nettrace-store.js';
import { ClickhouseRetention } from './retention.js';
import { migrateSchema } from './migrate.js';
import { queryTable, type SchemaTarget } from './schema.js';
import { findSlowSpans } from './slow-spans.js';
import { buildSpanBatchRows, type SpanBatchRows } from './span-rows.js';
import { buildFindTraceIdsSql, MAX_TAG_FILTERS } from './trace-search-sql.js';

export interface ClickhouseStoreOptions {
  /** http(s)://[user[:password]@]host:port */
  url: string;
  /** Overrides the URL's password (THREADLINE_CLICKHOUSE_PASSWORD). */
  password?: string;
  database: string;
  cluster?: string;
  logger?: ClickhouseLogger;
}

const HOUR_NS = 3_600_000_000_000n;
const SILENT: ClickhouseLogger = { info() {}, warn() {} };

/**
 * Connects, creates or migrates the schema (idempotent: any number of nodes may start at
 * once on an empty database) and returns the store. Rejects with StoreVersionError for a
 * schema from a newer Threadline, StoreOpenError when ClickHouse cannot be reached.
 */
export async function createClickhouseStore(options: ClickhouseStoreOptions): Promise<ClickhouseSpanStore> {
  const logger = options.logger ?? SILENT;
  // A Distributed table otherwise answers once the rows are queued for the shards, not stored there.
  const connection = new ClickhouseConnection(options.url, options.password, logger, options.cluster ? { insert_distributed_sync: 1 } : {});
  const target: SchemaTarget = { database: options.database, ...(options.cluster ? { cluster: options.cluster } : {}) };
  try {
    await migrateSchema(connection, target);
  } catch (err) {
    await connection.close();
    throw err;
  }
  return new ClickhouseSpanStore(connection, target);
}

/**
 * SpanStore and NettraceStore over ClickHouse. Stateless apart from a cache of the
 * operations already written: every node sharing the database sees every other node's
 * spans as soon as their insert was acknowledged.
 */
export class ClickhouseSpanStore implements SpanStore, NettraceStore {
  private readonly tables;
  private readonly latency: LatencyReader;
  private readonly nettrace: ClickhouseNettrace;
  private readonly retention: ClickhouseRetention;
  /** Operations this node already wrote to the catalog: each is inserted once per process. */
  private readonly knownOperations = new Set<string>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly connection: ClickhouseConnection,
    target: SchemaTarget,
  ) {
    const t = (name: string) => queryTable(target, name);
    this.tables = { spans: t('spans'), traceIndex: t('trace_index'), operations: t('operations') };
    this.latency = new LatencyReader(connection, this.tables.spans);
    this.nettrace = new ClickhouseNettrace(
      connection,
      { requests: t('nettrace_requests'), eventLogs: t('nettrace_event_logs'), logEvents: t('nettrace_log_events') },
      { writeSpans: (spans) => this.writeBatch(spans), deleteSpans: (spans) => this.retention.deleteSpans(spans) },
    );
    this.retention = new ClickhouseRetention(connection, target);
  }

  /**
   * One insert per table, each acknowledged by ClickHouse before this resolves: a node
   * killed after the ack loses nothing. Spans (a batch of up to thousands) go as a plain
   * insert, at the same time as the rare new operations; the trace index (a small row per
   * trace, from every node) as an async insert, and last, so a trace never appears in it
   * before its spans are stored.
   */
  async writeBatch(spans: readonly Span[]): Promise<void> {
    if (spans.length === 0) return;
    let rows: SpanBatchRows;
    try {
      rows = buildSpanBatchRows(spans);
    } catch (err) {
      if (err instanceof StoreInputError) throw new AppError(400, err.code, err.message);
      throw err;
    }
    const newOperations = rows.operations.filter((o) => !this.knownOperations.has(operationKey(o)));
    await Promise.all([
      this.connection.insert(this.tables.spans, rows.spans, { async: false }),
      this.connection.insert(this.tables.operations, newOperations, { async: true }),
    ]);
    for (const o of newOperations) this.knownOperations.add(operationKey(o));
    await this.connection.insert(this.tables.traceIndex, rows.traces, { async: true });
  }

  async getTrace(traceId: string): Promise<Span[]> {
    if (!isHexId(traceId, TRACE_ID_HEX_LENGTH)) return [];
    // The trace index narrows the read to the partitions (days) the trace's spans are in;
    // the bloom filter on trace_id skips the granules without it.
    const [rows, joined] = await Promise.all([
      this.connection.rows<{ span: string }>(
        `WITH (SELECT (min(first_start_ns), max(last_start_ns)) FROM ${this.tables.traceIndex} WHERE trace_id = {traceId:String}) AS range
         SELECT span FROM ${this.tables.spans}
         WHERE trace_id = {traceId:String} AND start_ns >= range.1 AND start_ns <= range.2`,
        { traceId },
      ),
      this.nettrace.joinedTo(traceId),
    ]);
    // A retried batch may have been stored twice: one copy of each span.
    const spans: Span[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const span = parseJsonText<Span>(row.span);
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      spans.push(span);
    }
    return mergeJoinedRecords(sortByStart(spans), joined);
  }

  /** ClickHouse reads a trace whole; paging it is left to the generic fallback. */
  streamTrace(traceId: string): AsyncIterable<Span[]> {
    return tracePagesFromGetTrace(this, traceId);
  }

  async getTraceJson(traceId: string): Promise<string> {
    return toOtlpJsonText(await this.getTrace(traceId));
  }

  async getServices(): Promise<string[]> {
    const rows = await this.connection.rows<{ service: string }>(`SELECT DISTINCT service FROM ${this.tables.operations} ORDER BY service`);
    return rows.map((r) => r.service);
  }

  async getOperations(service: string, spanKind?: SpanKindName): Promise<OperationInfo[]> {
    const kindTerm = spanKind === undefined ? '' : ' AND kind = {kind:UInt8}';
    const rows = await this.connection.rows<{ name: string; kind: number }>(
      `SELECT DISTINCT name, kind FROM ${this.tables.operations} WHERE service = {service:String}${kindTerm} ORDER BY name, kind`,
      { service, ...(spanKind === undefined ? {} : { kind: toSpanKind(spanKind) }) },
    );
    return rows.map((r) => ({ name: r.name, spanKind: toSpanKindName(Number(r.kind)) }));
  }

  async findTraceIds(query: TraceQuery): Promise<string[]> {
    if (!Number.isInteger(query.limit) || query.limit < 0) throw new AppError(400, 'invalid_query', 'limit must be a non-negative integer');
    if (query.tags.length > MAX_TAG_FILTERS) throw new AppError(400, 'invalid_query', `at most ${MAX_TAG_FILTERS} tag filters are supported`);
    if (query.limit === 0) return [];
    const { sql, params } = buildFindTraceIdsSql(this.tables.spans, query);
    return (await this.connection.rows<{ trace_id: string }>(sql, params)).map((r) => r.trace_id);
  }

  /**
   * Edges from the spans that started in the window and whose parent (started up to an
   * hour before the window) is of another service: one join, done by ClickHouse.
   */
  async getDependencies(startNs: bigint, endNs: bigint): Promise<JaegerDependency[]> {
    const from = startNs > HOUR_NS ? startNs - HOUR_NS : 0n;
    const rows = await this.connection.rows<{ parent: string; child: string; n: string }>(
      `SELECT p.service AS parent, c.service AS child, count() AS n
       FROM (SELECT DISTINCT trace_id, parent_span_id, span_id, service FROM ${this.tables.spans}
             WHERE start_ns >= {start:Int64} AND start_ns <= {end:Int64} AND parent_span_id != '') AS c
       INNER JOIN (SELECT DISTINCT trace_id, span_id, service FROM ${this.tables.spans}
             WHERE start_ns >= {from:Int64} AND start_ns <= {end:Int64}) AS p
         ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
       WHERE p.service != c.service
       GROUP BY parent, child ORDER BY parent, child`,
      { start: String(startNs), end: String(clampInt64(endNs)), from: String(from) },
    );
    return rows.map((r) => ({ parent: r.parent, child: r.child, callCount: Number(r.n) }));
  }

  /** In the order asked for; unknown IDs are left out. Counts each span once, retried or not. */
  async getTraceSummaries(traceIds: readonly string[]): Promise<TraceSummary[]> {
    const wanted = [...new Set(traceIds.filter((id) => isHexId(id, TRACE_ID_HEX_LENGTH)))];
    if (wanted.length === 0) return [];
    const rows = await this.connection.rows<{
      trace_id: string; first_ns: string; end_ns: string; span_count: string; error_count: string; root_service: string; root_name: string; services: string[];
    }>(
      `WITH ranges AS (SELECT min(first_start_ns) AS lo, max(last_start_ns) AS hi FROM ${this.tables.traceIndex} WHERE trace_id IN {ids:Array(String)})
       SELECT trace_id, toString(min(start_ns)) AS first_ns, toString(max(start_ns + duration_ns)) AS end_ns,
         uniqExact(span_id) AS span_count, uniqExactIf(span_id, is_error = 1) AS error_count,
         argMin(service, (parent_span_id != '' AND parent_span_id != span_id, start_ns, span_id)) AS root_service,
         argMin(name, (parent_span_id != '' AND parent_span_id != span_id, start_ns, span_id)) AS root_name,
         arraySort(groupUniqArray(service)) AS services
       FROM ${this.tables.spans}
       WHERE trace_id IN {ids:Array(String)} AND start_ns >= (SELECT lo FROM ranges) AND start_ns <= (SELECT hi FROM ranges)
       GROUP BY trace_id`,
      { ids: wanted },
    );
    const byId = new Map(rows.map((r) => [r.trace_id, r]));
    return wanted.flatMap((traceId) => {
      const r = byId.get(traceId);
      if (!r) return [];
      const startNs = BigInt(r.first_ns);
      return [{
        traceId,
        rootService: r.root_service,
        rootOperation: r.root_name,
        startNs,
        durationNs: BigInt(r.end_ns) - startNs,
        spanCount: Number(r.span_count),
        errorCount: Number(r.error_count),
        services: r.services,
      }];
    });
  }

  getLatencyStats(query: LatencyQuery): Promise<LatencyStats> {
    return this.latency.getLatencyStats(query);
  }

  getOperationStats(query: OperationStatsQuery): Promise<OperationStats> {
    return this.latency.getOperationStats(query);
  }

  getLatencyHistogram(query: LatencyHistogramQuery): Promise<LatencyHistogram> {
    return this.latency.getLatencyHistogram(query);
  }

  getLatencyHeatmap(query: LatencyHeatmapQuery): Promise<LatencyHeatmap> {
    return this.latency.getLatencyHeatmap(query);
  }

  findSlowSpans(query: SlowSpanQuery): Promise<SlowSpanPage> {
    return findSlowSpans(this.connection, this.tables.spans, query);
  }

  writeNettrace(batch: NettraceBatch): Promise<void> {
    return this.nettrace.write(batch);
  }

  findNettraceRequests(query: NettraceRequestQuery): Promise<NettraceRequest[]> {
    return this.nettrace.findRequests(query);
  }

  getEventLogFamilies(query: EventLogQuery): Promise<EventLogFamily[]> {
    return this.nettrace.getEventLogFamilies(query);
  }

  findEventLogs(query: EventLogListQuery): Promise<EventLogSummary[]> {
    return this.nettrace.findEventLogs(query);
  }

  getEventLogs(recordId: string, service?: string): Promise<EventLog[]> {
    return this.nettrace.getEventLogs(recordId, service);
  }

  getNettraceFamilies(query: NettraceFamiliesQuery): Promise<NettraceFamilies> {
    return this.nettrace.getFamilies(query);
  }

  deleteBefore(cutoffNs: bigint, maxSpans: number): Promise<RetentionStep> {
    return this.retention.deleteBefore(cutoffNs, maxSpans);
  }

  deleteOldestTraces(maxSpans: number): Promise<RetentionStep> {
    return this.retention.deleteOldestTraces(maxSpans);
  }

  getStorageBytes(): Promise<number> {
    return this.retention.getStorageBytes();
  }

  /** Ready while ClickHouse answers; after a failure, until a ping gets through again. */
  isReady(): boolean {
    return this.connection.isHealthy && this.closing === undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.connection.close();
    return this.closing;
  }
}

function operationKey(o: { service: string; name: string; kind: number }): string {
  return `${o.kind}\u0000${o.service}\u0000${o.name}`;
}

function clampInt64(ns: bigint): bigint {
  const max = 2n ** 63n - 1n;
  return ns > max ? max : ns;
}
