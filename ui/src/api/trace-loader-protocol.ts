/** Messages between the page and trace-loader-worker.ts. */
import type { CompactTrailer } from './decode-compact-trace';
import type { PackedSpans } from './span-packing';

/** The body of an ok compact trace response, transferred to the worker, and where it came from (for messages). */
export interface TraceLoaderRequest {
  body: ReadableStream<Uint8Array>;
  url: string;
}

/**
 * The worker's replies: batches of decoded spans in document order while the body arrives,
 * packed (span-packing.ts; their resource, scope and service name still unset), then `end` with the trailer that
 * finishes them (applyTrailer), or one `failure`. An ApiError crosses as its fields: class
 * identity does not survive a structured clone.
 */
export type TraceLoaderReply =
  | { kind: 'spans'; packed: PackedSpans }
  | { kind: 'end'; traceId: string; trailer: CompactTrailer }
  | { kind: 'failure'; status: number; code: string; message: string };
