import type { Span, JaegerDependency } from '@threadline/shared';
import type { TracePage } from './proto-span-page.js';
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
} from './latency-queries.js';

/**
 * What receivers and the query API need from storage. Nothing outside `store/`
 * may depend on SQLite specifics: a PostgreSQL implementation must fit here too.
 * Times are Unix nanoseconds as bigint.
 */
export interface SpanStore {
  /** Persists a batch atomically; resolves only after the transaction committed. */
  writeBatch(spans: readonly Span[]): Promise<void>;
  /** Every stored span of the trace, in start order; empty when the trace is unknown. */
  getTrace(traceId: string): Promise<Span[]>;
  /** `getTrace` as JSON text (`[]` when unknown): lets big traces reach a client without object copies. */
  getTraceJson(traceId: string): Promise<string>;
  /**
   * The spans `getTrace` gives, in pages, for answers that must not hold a big trace whole.
   * Pages come in no promised order, nor do spans across pages (a page is in start order);
   * no page is empty, and none comes for an unknown trace. A trace written to meanwhile may
   * show spans stored after the first page was read (never a span twice). A store that can
   * only read whole traces implements it with `tracePagesFromGetTrace` (trace-pages.ts).
   */
  streamTrace(traceId: string): AsyncIterable<Span[]>;
  /**
   * `streamTrace` for readers that can read OTLP protobuf: the same pages, in which a store
   * that keeps spans as protobuf may hand them over undecoded (proto-span-page.ts).
   */
  streamTraceProto?(traceId: string): AsyncIterable<TracePage>;
  /**
   * streamTraceProto's pages, all of them in one read: for answers that hold the trace whole
   * anyway (Jaeger's), where a read per page cost more than the pages' transcoding saved.
   */
  getTraceProto?(traceId: string): Promise<TracePage[]>;
  getServices(): Promise<string[]>;
  /** Operations of a service, optionally narrowed to one span kind. */
  getOperations(service: string, spanKind?: SpanKindName): Promise<OperationInfo[]>;
  /** Trace IDs matching the query, most recent first, at most `query.limit`. */
  findTraceIds(query: TraceQuery): Promise<string[]>;
  /** Caller → callee edges between services from spans that started in [startNs, endNs]. */
  getDependencies(startNs: bigint, endNs: bigint): Promise<JaegerDependency[]>;
  /** Summary rows of traces, for result lists that must not load every span. */
  getTraceSummaries(traceIds: readonly string[]): Promise<TraceSummary[]>;
  /** Count, errors and a merged latency sketch, from per-minute sketches: never scans spans. */
  getLatencyStats(query: LatencyQuery): Promise<LatencyStats>;
  /** Per operation of a service: counts, a sketch and a p99 series (for sparklines). */
  getOperationStats(query: OperationStatsQuery): Promise<OperationStats>;
  /** Log-scale latency histogram with an error count per bucket. */
  getLatencyHistogram(query: LatencyHistogramQuery): Promise<LatencyHistogram>;
  /** Time × log-latency counts, and error counts, on one set of latency buckets. */
  getLatencyHeatmap(query: LatencyHeatmapQuery): Promise<LatencyHeatmap>;
  /** Exact spans in a (time × duration) box, slowest first, paged. */
  findSlowSpans(query: SlowSpanQuery): Promise<SlowSpanPage>;
  /**
   * Retention, one short transaction per call so that ingest commits interleave: deletes up
   * to `maxSpans` spans started before `cutoffNs` with every row derived from them, then
   * sketches and other records older than the cutoff. Call again until it deletes nothing.
   */
  deleteBefore(cutoffNs: bigint, maxSpans: number): Promise<RetentionStep>;
  /** Deletes the oldest traces whole, about `maxSpans` spans' worth, and sketches older than what remains. */
  deleteOldestTraces(maxSpans: number): Promise<RetentionStep>;
  /** Bytes the stored data takes (what `--max-db-size` limits); space freed for reuse does not count. */
  getStorageBytes(): Promise<number>;
  /** True when migrations are done and the store can serve. */
  isReady(): boolean;
  close(): Promise<void>;
}

/** Lowercase span kind names as Jaeger's `/api/operations?spanKind=` uses them. */
export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface OperationInfo {
  name: string;
  spanKind: SpanKindName;
}

export interface TagFilter {
  key: string;
  value: string;
}

/**
 * A trace matches when one of its spans satisfies every filter at once
 * (service, operation, tags, duration), as in Jaeger.
 */
export interface TraceQuery {
  service?: string;
  operation?: string;
  tags: TagFilter[];
  startNs?: bigint;
  endNs?: bigint;
  minDurationNs?: bigint;
  maxDurationNs?: bigint;
  limit: number;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  startNs: bigint;
  durationNs: bigint;
  spanCount: number;
  errorCount: number;
  services: string[];
}

/**
 * net/trace records (DESIGN.md §3), the golang.org/x/net/trace data of Go services.
 * `SqliteSpanStore` implements both this and SpanStore; they are apart so that test
 * doubles of SpanStore need not know net/trace.
 *
 * `SpanStore.getTrace` of an implementation also shows the request traces joined to the
 * trace: their events appended to the span they name (sorted by time), or, while that
 * span has not arrived, the record as a span of its own under it.
 */
export interface NettraceStore {
  /**
   * Stores a batch atomically; resolves only after the transaction committed. Per record
   * ID only a newer `seq` changes anything: request traces replace their older snapshot,
   * event logs append the delta's events; an older or repeated `seq` is ignored.
   */
  writeNettrace(batch: NettraceBatch): Promise<void>;
  /**
   * Request traces matching the query, at most `query.limit`, newest start first (equal
   * starts: by service, then record ID, both descending), after `query.after` when given.
   */
  findNettraceRequests(query: NettraceRequestQuery): Promise<NettraceRequest[]>;
  /** One row per (service, family) with event logs matching the query, by service and family. */
  getEventLogFamilies(query: EventLogQuery): Promise<EventLogFamily[]>;
  /**
   * Event logs matching the query without their events, most recently updated (start +
   * elapsed) first, then by service and record ID descending, after `query.after` when given.
   */
  findEventLogs(query: EventLogListQuery): Promise<EventLogSummary[]>;
  /** Logs with this record ID (of `service` when given), most recently updated first; empty when unknown. */
  getEventLogs(recordId: string, service?: string): Promise<EventLog[]>;
  /** The fleet-wide `/debug/requests` and `/debug/events` tables: counts per family. */
  getNettraceFamilies(query: NettraceFamiliesQuery): Promise<NettraceFamilies>;
}

/** Lower bounds of the `/debug/requests` latency columns, as x/net/trace draws them. */
export const NETTRACE_REQUEST_BUCKETS_NS: readonly bigint[] = [
  0n, 50_000_000n, 100_000_000n, 200_000_000n, 500_000_000n, 1_000_000_000n, 10_000_000_000n, 100_000_000_000n,
];

/**
 * Events kept per event log: the newest ones. A connection's log may live for weeks and
 * log every few seconds; older events are counted (`droppedEvents`) rather than kept.
 */
export const MAX_EVENTS_PER_LOG = 1000;

/** The `/debug/events` error columns. */
export const NETTRACE_ERROR_PERIODS: ReadonlyArray<readonly [label: string, ns: bigint]> = [
  ['10s', 10_000_000_000n], ['1m', 60_000_000_000n], ['10m', 600_000_000_000n], ['1h', 3_600_000_000_000n], ['10h', 36_000_000_000_000n],
];

export interface NettraceFamiliesQuery {
  service?: string;
  instance?: string;
  /** Window on request start; event-log error periods count back from `nowNs`. */
  startNs?: bigint;
  endNs?: bigint;
  nowNs: bigint;
}

export interface NettraceRequestFamily {
  family: string;
  /** Requests still in flight (their latest snapshot is `active`); not in the buckets. */
  active: number;
  /** Finished requests whose elapsed time is at least each `NETTRACE_REQUEST_BUCKETS_NS` bound. */
  buckets: Array<{ minNs: bigint; count: number }>;
  /** Finished requests that failed. */
  errors: number;
}

export interface NettraceEventLogFamily {
  family: string;
  /** Event logs of the family. */
  total: number;
  /** Logs with an error event within each `NETTRACE_ERROR_PERIODS` period before now. */
  errors: Record<string, number>;
}

export interface NettraceFamilies {
  requestFamilies: NettraceRequestFamily[];
  eventLogFamilies: NettraceEventLogFamily[];
}

export type NettraceState = 'active' | 'finished';

export interface NettraceEvent {
  timeNs: bigint;
  /** Already redacted when `sensitive`, unless the collector keeps sensitive messages. */
  message: string;
  sensitive: boolean;
  error: boolean;
}

/** One snapshot (`seq`) of a trace or event log, as the service reported it. */
export interface NettraceRecordFields {
  service: string;
  /** The process: resource `service.instance.id`, else `host.name`, else ''. */
  instance: string;
  recordId: string;
  seq: number;
  family: string;
  title: string;
  startNs: bigint;
  elapsedNs: bigint;
  state: NettraceState;
  error: boolean;
  maxEvents: number;
  /** Events the service itself dropped (x/net/trace keeps the first and the latest). */
  discardedEvents: number;
  events: NettraceEvent[];
}

/** A request trace (`trace.New`): every seq is a full snapshot. */
export interface NettraceRequestRecord extends NettraceRecordFields {
  /**
   * The span the record names, whose events it extends when a trace is read; '' when it
   * named none, and `span` is then stored as a span like any other.
   */
  joinedSpanId: string;
  /**
   * The record as a span: in the joined span's trace with that span as parent when
   * joined, else with IDs derived from (service, recordId) so that a newer seq replaces it.
   */
  span: Span;
}

export interface NettraceBatch {
  requests: NettraceRequestRecord[];
  /** Event-log records (`trace.NewEventLog`) carry only the events logged since the previous seq. */
  eventLogs: NettraceRecordFields[];
}

/**
 * Where a page of a net/trace list ended: its last record's sort time (a request's start,
 * an event log's start + elapsed) and identity. Both stores order by (ns, service,
 * recordId) descending, comparing strings by their bytes, so a key means the same on each.
 */
export interface NettracePageKey {
  ns: bigint;
  service: string;
  recordId: string;
}

export interface NettraceRequestQuery {
  service?: string;
  family?: string;
  instance?: string;
  /** true: only requests still in flight; false: only finished ones; absent: both. */
  active?: boolean;
  /** Window on the record's start. */
  startNs?: bigint;
  endNs?: bigint;
  minElapsedNs?: bigint;
  errorsOnly: boolean;
  limit: number;
  /** Only records after this one in the list's order (the next page). */
  after?: NettracePageKey;
}

export interface NettraceRequest extends NettraceRecordFields {
  traceId: string;
  /** The span showing the record's events: the joined one, or the record's own span. */
  spanId: string;
  joined: boolean;
}

export interface EventLogQuery {
  service?: string;
  family?: string;
  instance?: string;
}

export interface EventLogListQuery extends EventLogQuery {
  limit: number;
  /** Only logs after this one in the list's order (the next page). */
  after?: NettracePageKey;
}

export interface EventLogFamily {
  service: string;
  family: string;
  logCount: number;
  activeCount: number;
  errorCount: number;
  /** Latest `start + elapsed` reported by a log of the family. */
  lastUpdateNs: bigint;
}

export interface EventLogSummary extends Omit<NettraceRecordFields, 'events'> {
  /** Events the collector holds for the log. */
  eventCount: number;
  /** Older events the collector let go to keep the log bounded (on top of `discardedEvents`). */
  droppedEvents: number;
}

export interface EventLog extends EventLogSummary {
  /** Oldest first. */
  events: NettraceEvent[];
}
