import { ApiError } from './api-error';
import { CompactTraceLineDecoder } from './compact-trace-lines';
import { applyTrailer, type CompactTrailer } from './decode-compact-trace';
import type { TraceResponse } from './wire-types';
import type { Span } from '@threadline/shared';

/** Receives the spans of a compact trace as they are decoded, then the trailer that finishes them all (applyTrailer). */
export interface CompactTraceSink {
  spans(batch: Span[]): void;
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
    let batch: Span[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      decoder.push(text.decode(read.value, { stream: true }));
      appendAll(batch, decoder.takeSpans());
      if (batch.length >= batchSpans) {
        sink.spans(batch);
        batch = [];
      }
    }
    decoder.push(text.decode());
    const { traceId, spans, trailer } = decoder.endParts();
    appendAll(batch, spans);
    sink.spans(batch);
    sink.end(traceId, trailer);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(200, 'bad_response', `${url} did not return a compact trace: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The whole trace of a compact trace body, decoded page by page as it arrives (streamCompactTrace). */
export async function readCompactTrace(body: ReadableStream<Uint8Array>, url: string): Promise<TraceResponse> {
  const spans: Span[] = [];
  let trace: TraceResponse | undefined;
  await streamCompactTrace(body, url, {
    spans: (batch) => appendAll(spans, batch),
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
