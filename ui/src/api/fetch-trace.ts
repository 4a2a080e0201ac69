/**
 * Loads a trace in the compact format: the page fetches it (or takes the request its first
 * script made for the trace its address names, trace-prefetch.ts) and, for a big trace, hands
 * the body to trace-loader-worker.ts, so the page's thread only receives the decoded spans, in
 * batches while the body arrives, and finishes them when the trailer came. A small trace is
 * decoded on the page: the worker's start costs more than that (below).
 */
import { ApiError } from './api-error';
import { fetchOk } from './http-client';
import { appendAll, readCompactTrace, readIfWithin, withHead } from './read-compact-trace';
import { applyTrailer } from './decode-compact-trace';
import { SpanUnpacker } from './span-packing';
import { compactTraceUrl, takePrefetchedTrace } from './trace-prefetch';
import type { Span } from '@threadline/shared';
import type { TraceLoaderReply, TraceLoaderRequest } from './trace-loader-protocol';
import type { TraceResponse } from './wire-types';

/**
 * Bodies up to this long are decoded on the page, as they arrive. Starting the worker took
 * 100–150 ms on the 2-core machine, about what decoding 2 MiB of compact-3 (some 12,000
 * spans) takes on the page, whose thread waits for the body anyway: the 10,000-span trace of
 * bench:ui (1.7 MB) painted first at a median 747 ms decoded on the page against 836 ms in
 * the worker (12 loads each, alternating). A longer body goes to the worker whole, from its
 * first byte (the page's decoding of its start is dropped, a few tens of ms); the 100,000-span
 * trace painted as soon as before (medians 2.19 s and 2.24 s, 8 loads each).
 */
export const PAGE_DECODE_BYTES = 2 * 1024 * 1024;

/**
 * `onSpans` sees each batch as it arrives, in order, so that work on them can start before
 * the rest came; the batch's spans get their resource, scope, service name and any parent
 * fix only when the whole trace has come (they are the spans the promise resolves with).
 */
export async function fetchTrace(traceId: string, signal?: AbortSignal, onSpans?: (batch: readonly Span[]) => void): Promise<TraceResponse> {
  const url = compactTraceUrl(traceId);
  const response = await fetchOk(url, signal, takePrefetchedTrace(traceId, signal));
  if (!response.body) throw new ApiError(response.status, 'bad_response', `${url} returned no body.`);
  const read = await readIfWithin(response.body, url, PAGE_DECODE_BYTES, signal);
  if ('trace' in read) {
    onSpans?.(read.trace.spans);
    return read.trace;
  }
  // Started once the body is known to be long: a worker that starts with the request competes for the CPU with the page's own decoding of a short one.
  const worker = new Worker(new URL('./trace-loader-worker.ts', import.meta.url), { type: 'module' });
  return decodeInWorker(worker, read.head, response.body, url, signal, onSpans);
}

function decodeInWorker(worker: Worker, head: Uint8Array[], body: ReadableStream<Uint8Array>, url: string, signal?: AbortSignal, onSpans?: (batch: readonly Span[]) => void): Promise<TraceResponse> {
  return new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener('abort', abort);
      worker.terminate();
    };
    const abort = () => {
      done();
      reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, { once: true });
    const spans: Span[] = [];
    const unpacker = new SpanUnpacker();
    worker.onmessage = ({ data }: MessageEvent<TraceLoaderReply>) => {
      if (data.kind === 'failure') {
        done();
        return reject(new ApiError(data.status, data.code, data.message));
      }
      try {
        if (data.kind === 'spans') {
          const batch = unpacker.unpack(data.packed);
          appendAll(spans, batch);
          return onSpans?.(batch);
        }
        done();
        applyTrailer(spans, data.trailer);
        resolve({ traceId: data.traceId, spans });
      } catch (error) {
        done();
        reject(new ApiError(200, 'bad_response', `${url}: ${error instanceof Error ? error.message : String(error)}`));
      }
    };
    worker.onerror = (event) => {
      done();
      reject(new ApiError(0, 'bad_response', `the trace loader failed: ${event.message}`));
    };
    try {
      worker.postMessage({ head, body, url } satisfies TraceLoaderRequest, [body]);
    } catch {
      // A browser that cannot transfer streams: decode here, still page by page.
      done();
      readCompactTrace(withHead(head, body), url).then((trace) => {
        onSpans?.(trace.spans);
        resolve(trace);
      }, reject);
    }
  });
}
