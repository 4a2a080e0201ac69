/** Messages between the page and trace-loader-worker.ts. */
import type { CompactTrailer } from './decode-compact-trace';
import type { PackedSpans } from './span-packing';

/**
 * An ok compact trace response for the worker: what the page read of its body already
 * (`head`, the first bytes), the rest of the body, transferred, and where it came from (for
 * messages).
 */
export interface TraceLoaderRequest {
  head: Uint8Array[];
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
