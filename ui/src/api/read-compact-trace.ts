import { ApiError } from './api-error';
import { CompactTraceLineDecoder } from './compact-trace-lines';
import type { CompactTrailer } from './decode-compact-trace';
import type { PackedSpans } from './span-packing';
import type { TraceResponse } from './wire-types';
import type { Span } from '@threadline/shared';
import type { SpanOffsets } from '../model/span-offsets';

/** Receives the spans of a compact trace as they are decoded, packed, then the trailer that finishes them all (applyTrailer). */
export interface CompactTraceSink {
  spans(batch: PackedSpans): void;
  end(traceId: string, trailer: CompactTrailer): void;
}

/**
 * Decodes a compact trace body page by page as it arrives, while the server is still
 * sending the rest, handing the decoded spans to `sink` in batches of at least
 * `batchSpans` (the last may be smaller). Every failure is an ApiError (`bad_response`
 * when the text is not a compact trace).
 */
export async function streamCompactTrace(body: ReadableStream<Uint8Array>, url: string, sink: CompactTraceSink, batchSpans: number): Promise<void> {
  try {
    const decoder = new CompactTraceLineDecoder();
    const text = new TextDecoder();
    const reader = body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      decoder.push(text.decode(read.value, { stream: true }));
      if (decoder.freshCount >= batchSpans) sink.spans(decoder.takeSpans()!);
    }
    decoder.push(text.decode());
    const { traceId, spans, trailer } = decoder.endParts();
    sink.spans(spans);
    sink.end(traceId, trailer);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw notACompactTrace(url, error);
  }
}

/** Spans as they are decoded, with their times as offsets when the decoder knew them as numbers (span-offsets.ts). */
export type SpansDecoded = (batch: readonly Span[], offsets?: SpanOffsets) => void;

/**
 * How long decoding on the page may hold its thread before it lets the browser in (input,
 * frames): a body already buffered is otherwise decoded in one task, as each read resolves
 * at once.
 */
const SLICE_MS = 40;

/** Lets the event loop run what waits (a message, unlike a timer, is not clamped to 4 ms). */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/**
 * Reads a compact trace body on this thread while it stays within `maxBytes`: decoded page
 * by page as it arrives, into span objects, and whole once it ended. `onSpans` is given the
 * spans as they are decoded, in order, so that work on them can start while the rest is on
 * its way (they are finished, resource and all, once the trailer came: they are the spans of
 * the trace returned). A longer body is left unfinished: what was read of it (`head`) comes
 * back, and the body (its reader released) can be decoded elsewhere from its first byte
 * (withHead); the spans given to `onSpans` until then are not in the trace that decoding
 * gives. Failures are ApiErrors, but for an abort, which is thrown as it came.
 */
export async function readIfWithin(
  body: ReadableStream<Uint8Array>,
  url: string,
  maxBytes: number,
  signal?: AbortSignal,
  onSpans?: SpansDecoded,
): Promise<{ trace: TraceResponse } | { head: Uint8Array[] }> {
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  let bytes = 0;
  let given = 0;
  try {
    const decoder = new CompactTraceLineDecoder('objects');
    const text = new TextDecoder();
    let sliceStart = performance.now();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      head.push(read.value);
      bytes += read.value.byteLength;
      if (bytes > maxBytes) {
        reader.releaseLock();
        return { head };
      }
      decoder.push(text.decode(read.value, { stream: true }));
      const decoded = decoder.objectsSoFar;
      if (onSpans && decoded.length > given) {
        onSpans(decoded.slice(given), decoder.offsetsOf(given, decoded.length));
        given = decoded.length;
      }
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToBrowser();
        sliceStart = performance.now();
      }
    }
    decoder.push(text.decode());
    const decodedInLines = decoder.objectsSoFar.length;
    const trace = decoder.end();
    // The offsets of the spans the last text gave; none for a text decoded whole (its spans are others).
    if (onSpans && trace.spans.length > given) onSpans(trace.spans.slice(given), decodedInLines === trace.spans.length ? decoder.offsetsOf(given, decodedInLines) : undefined);
    return { trace };
  } catch (error) {
    if (error instanceof ApiError || signal?.aborted) throw error;
    throw notACompactTrace(url, error);
  }
}

/** What reading a body fails with when it is not a compact trace. */
function notACompactTrace(url: string, error: unknown): ApiError {
  return new ApiError(200, 'bad_response', `${url} did not return a compact trace: ${error instanceof Error ? error.message : String(error)}`);
}

/** `head`, then the rest of `body`: a body read in part elsewhere, whole again. */
export function withHead(head: readonly Uint8Array[], body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let next = 0;
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next < head.length) return controller.enqueue(head[next++]!);
      const read = await reader.read();
      if (read.done) controller.close();
      else controller.enqueue(read.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** `push(...batch)` without the argument-count limit a spread has. */
export function appendAll<T>(into: T[], batch: readonly T[]): void {
  for (const item of batch) into.push(item);
}
