/** Messages between the page and trace-loader-worker.ts. */
import type { TraceResponse } from './wire-types';

export interface TraceLoaderRequest {
  traceId: string;
}

/** An ApiError crosses as its fields: class identity does not survive a structured clone. */
export type TraceLoaderReply =
  | { kind: 'trace'; trace: TraceResponse; timing?: RequestTiming }
  | { kind: 'failure'; status: number; code: string; message: string };

/**
 * The trace request's Resource Timing, which only the worker's timeline holds, in Unix ms
 * (worker and page have different time origins); the page records it as a
 * `performance.measure` so that its timeline shows the request as it would without the worker.
 */
export interface RequestTiming {
  requestStart: number;
  responseEnd: number;
  transferSize: number;
  decodedBodySize: number;
}

/** Name of the page's measure of the trace request (read by `npm run bench:ui`). */
export const TRACE_REQUEST_MEASURE = 'threadline: trace request';
