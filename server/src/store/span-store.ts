import type { Span, JaegerDependency } from '@threadline/shared';

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
  getServices(): Promise<string[]>;
  /** Operations of a service, optionally narrowed to one span kind. */
  getOperations(service: string, spanKind?: SpanKindName): Promise<OperationInfo[]>;
  /** Trace IDs matching the query, most recent first, at most `query.limit`. */
  findTraceIds(query: TraceQuery): Promise<string[]>;
  /** Caller → callee edges between services from spans that started in [startNs, endNs]. */
  getDependencies(startNs: bigint, endNs: bigint): Promise<JaegerDependency[]>;
  /** Summary rows of traces, for result lists that must not load every span. */
  getTraceSummaries(traceIds: readonly string[]): Promise<TraceSummary[]>;
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
