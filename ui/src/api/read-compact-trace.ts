import { ApiError } from './api-error';
import { CompactTraceLineDecoder } from './compact-trace-lines';
import { applyTrailer, unresolvedOwner, type CompactTrailer } from './decode-compact-trace';
import { SpanUnpacker, type PackedSpans } from './span-packing';
import type { TraceResponse } from './wire-types';
import type { Span } from '@threadline/shared';

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
    throw new ApiError(200, 'bad_response', `${url} did not return a compact trace: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The whole trace of a compact trace body, decoded page by page as it arrives (streamCompactTrace). */
export async function readCompactTrace(body: ReadableStream<Uint8Array>, url: string): Promise<TraceResponse> {
  const spans: Span[] = [];
  const unpacker = new SpanUnpacker(unresolvedOwner);
  let trace: TraceResponse | undefined;
  await streamCompactTrace(body, url, {
    spans: (batch) => appendAll(spans, unpacker.unpack(batch)),
    end: (traceId, trailer) => {
      applyTrailer(spans, trailer);
      trace = { traceId, spans };
    },
  }, Number.POSITIVE_INFINITY);
  return trace!;
}

/** `push(...batch)` without the argument-count limit a spread has. */
export function appendAll<T>(into: T[], batch: readonly T[]): void {
  for (const item of batch) into.push(item);
}
