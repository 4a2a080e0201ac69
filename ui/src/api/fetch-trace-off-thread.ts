/**
 * Loads a trace in the compact format: the page fetches it and hands the body to
 * trace-loader-worker.ts, so the page's thread only receives the decoded spans, in
 * batches while the body arrives, and finishes them when the trailer came.
 */
import { ApiError } from './api-error';
import { fetchOk } from './http-client';
import { appendAll, readCompactTrace } from './read-compact-trace';
import { applyTrailer, unresolvedOwner } from './decode-compact-trace';
import { SpanUnpacker } from './span-packing';
import type { Span } from '@threadline/shared';
import type { TraceLoaderReply, TraceLoaderRequest } from './trace-loader-protocol';
import type { TraceResponse } from './wire-types';

/**
 * `onSpans` sees each batch as it arrives, in order, so that work on them can start before
 * the rest came; the batch's spans get their resource, scope, service name and any parent
 * fix only when the whole trace has come (they are the spans the promise resolves with).
 */
export async function fetchTraceOffThread(traceId: string, signal?: AbortSignal, onSpans?: (batch: readonly Span[]) => void): Promise<TraceResponse> {
  const url = `/api/v1/traces/${encodeURIComponent(traceId)}?format=compact-3`;
  // Started first, so that its script loads while the server works on the trace.
  const worker = new Worker(new URL('./trace-loader-worker.ts', import.meta.url), { type: 'module' });
  let response: Response;
  try {
    response = await fetchOk(url, signal);
    if (!response.body) throw new ApiError(response.status, 'bad_response', `${url} returned no body.`);
  } catch (error) {
    worker.terminate();
    throw error;
  }
  return decodeInWorker(worker, response.body, url, signal, onSpans);
}

function decodeInWorker(worker: Worker, body: ReadableStream<Uint8Array>, url: string, signal?: AbortSignal, onSpans?: (batch: readonly Span[]) => void): Promise<TraceResponse> {
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
    const unpacker = new SpanUnpacker(unresolvedOwner);
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
      worker.postMessage({ body, url } satisfies TraceLoaderRequest, [body]);
    } catch {
      // A browser that cannot transfer streams: decode here, still page by page.
      done();
      readCompactTrace(body, url).then((trace) => {
        onSpans?.(trace.spans);
        resolve(trace);
      }, reject);
    }
  });
}
