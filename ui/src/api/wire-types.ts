/** Response shapes of Threadline's `/api/v1/*` endpoints that the UI reads. */
import type { Span } from '@threadline/shared';

export interface OperationInfo {
  readonly name: string;
  readonly spanKind: string;
}

/** One hit of `/api/v1/search`: the per-trace summary row, never the spans. */
export interface TraceSearchHit {
  readonly traceId: string;
  readonly rootService: string;
  readonly rootOperation: string;
  readonly startTimeUnixNano: string;
  readonly durationNano: string;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly services: readonly string[];
}

export interface TraceResponse {
  readonly traceId: string;
  readonly spans: Span[];
}
