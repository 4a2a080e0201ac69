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
