/** Messages between the page and trace-loader-worker.ts. */
import type { TraceResponse } from './wire-types';

/** The body of an ok compact trace response, transferred to the worker, and where it came from (for messages). */
export interface TraceLoaderRequest {
  body: ReadableStream<Uint8Array>;
  url: string;
}

/** An ApiError crosses as its fields: class identity does not survive a structured clone. */
export type TraceLoaderReply =
  | { kind: 'trace'; trace: TraceResponse }
  | { kind: 'failure'; status: number; code: string; message: string };
