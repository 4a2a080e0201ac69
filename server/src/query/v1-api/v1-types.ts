import type { Span } from '@threadline/shared';
import type { SpanKindName } from '../../store/span-store.js';

/**
 * Wire types of Threadline's own `/api/v1` (to move to shared/ once the UI reads them).
 * Times and durations are Unix nanoseconds as decimal strings: they exceed 2^53.
 */

/** `GET /api/v1/traces/{traceId}` */
export interface V1TraceResponse {
  traceId: string;
  /** In start order. */
  spans: Span[];
}

/** `GET /api/v1/services` */
export interface V1ServicesResponse {
  services: string[];
}

export interface V1Operation {
  name: string;
  spanKind: SpanKindName;
}

/** `GET /api/v1/services/{service}/operations` */
export interface V1OperationsResponse {
  operations: V1Operation[];
}

/** One row of a search result, from the store's per-trace summary (no spans loaded). */
export interface V1TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  startTimeUnixNano: string;
  durationNano: string;
  spanCount: number;
  errorCount: number;
  services: string[];
}

/** `GET /api/v1/search` — most recent first. */
export interface V1SearchResponse {
  traces: V1TraceSummary[];
}

/** Every `/api/v1` error; `code` is machine-readable (`not_found`, `bad_request`, `invalid_trace_id`, `internal`). */
export interface V1ErrorResponse {
  error: { code: string; message: string };
}

/** One event of a net/trace record; a sensitive message reads `[redacted]` unless the collector keeps them. */
export interface V1NettraceEvent {
  timeUnixNano: string;
  message: string;
  sensitive: boolean;
  error: boolean;
}

/** What request traces and event logs share: their latest report. */
export interface V1NettraceRecord {
  service: string;
  /** resource `service.instance.id`, else `host.name`, else ''. */
  instance: string;
  recordId: string;
  seq: number;
  family: string;
  title: string;
  startTimeUnixNano: string;
  elapsedNano: string;
  state: 'active' | 'finished';
  error: boolean;
  maxEvents: number;
  /** Events the service itself dropped. */
  discardedEvents: number;
}

/** A request trace (x/net/trace `trace.New`). */
export interface V1NettraceRequest extends V1NettraceRecord {
  /** The trace showing it; with `spanId`, a link to `/trace/{traceId}?span={spanId}`. */
  traceId: string;
  /** The span whose events include the record's: the span it joined, or its own. */
  spanId: string;
  /** True when the record named an OpenTelemetry span (its events are merged into that span). */
  joined: boolean;
  /** In the order logged. */
  events: V1NettraceEvent[];
}

/** `GET /api/v1/nettrace/requests` — newest start first. */
export interface V1NettraceRequestsResponse {
  requests: V1NettraceRequest[];
  /** Present when more requests follow: pass it back as `cursor` with the same parameters. */
  nextCursor?: string;
}

export interface V1EventLogFamily {
  service: string;
  family: string;
  logCount: number;
  activeCount: number;
  errorCount: number;
  lastUpdateUnixNano: string;
}

export interface V1EventLogSummary extends V1NettraceRecord {
  /** Events the collector holds (the newest ones). */
  eventCount: number;
  /** Older events the collector let go to keep the log bounded. */
  droppedEvents: number;
}

/** `GET /api/v1/nettrace/event-logs` — families by service and name; logs most recently updated first. */
export interface V1EventLogsResponse {
  families: V1EventLogFamily[];
  logs: V1EventLogSummary[];
  /** Present when more logs follow: pass it back as `cursor` with the same parameters. */
  nextCursor?: string;
}

export interface V1EventLog extends V1EventLogSummary {
  /** Oldest first. */
  events: V1NettraceEvent[];
}

/** `GET /api/v1/nettrace/event-logs/{recordId}` */
export interface V1EventLogResponse {
  log: V1EventLog;
}

/**
 * `GET /api/v1/nettrace/families` — the fleet's `/debug/requests` and `/debug/events`
 * tables. Bucket `minNano` bounds: 0, 50ms, 100ms, 200ms, 500ms, 1s, 10s, 100s; a finished
 * request counts in every bucket whose bound it reaches, active ones only in `active`.
 */
export interface V1NettraceFamiliesResponse {
  requestFamilies: Array<{ family: string; active: number; buckets: Array<{ minNano: string; count: number }>; errors: number }>;
  /** `errors` keys: 10s, 1m, 10m, 1h, 10h — logs with an error event that recent. */
  eventLogFamilies: Array<{ family: string; total: number; errors: Record<string, number> }>;
}
