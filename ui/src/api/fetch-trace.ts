/**
 * Loads a trace in the compact format: the page fetches it (or takes the request its first
 * script made for the trace its address names, trace-prefetch.ts) and decodes it as it
 * arrives, in slices that let the browser in between. A body past pageDecodeBytes (32 MiB,
 * some 200,000 spans) goes to trace-loader-worker.ts instead, so that the page's thread only
 * receives the decoded spans, packed, in batches while the body arrives, and finishes them
 * when the trailer came.
 */
import { ApiError } from './api-error';
import { fetchOk } from './http-client';
import { appendAll, readIfWithin, withHead, type SpansDecoded } from './read-compact-trace';
import { applyTrailer } from './decode-compact-trace';
import { SpanUnpacker } from './span-packing';
import { compactTraceUrl, takePrefetchedTrace } from './trace-prefetch';
import type { Span } from '@threadline/shared';
import type { TraceLoaderReply, TraceLoaderRequest } from './trace-loader-protocol';
import type { TraceResponse } from './wire-types';

/**
 * Bodies up to this long are decoded on the page, as they arrive, straight into span objects
 * (decode-compact-trace.ts); a longer one goes to the worker, which packs its spans for the
 * page to unpack. On the 2-core machine, where the collector shares the cores with the
 * browser, the page is faster at every size bench:ui has: the worker's start (100–150 ms),
 * packing each span and unpacking it again cost more than they let run side by side.
 * bench:ui's 100,000-span trace (16.3 MB) painted first at a median 2.02 s decoded on the
 * page against 2.22 s through the worker (8 loads each, alternating); its 10,000-span trace
 * (1.7 MB) at 747 against 836 ms when this was first measured (12 loads each). The worker
 * stays for bodies past this, not measured here (bench:ui's biggest is 16 MB): a trace that
 * takes many seconds to decode then leaves the page's thread free.
 * `localStorage['threadline.traceWorkerBytes']` sets another limit (the browser tests use it
 * to take the worker's way with a trace CI can afford).
 */
export const PAGE_DECODE_BYTES = 32 * 1024 * 1024;
const WORKER_BYTES_KEY = 'threadline.traceWorkerBytes';

/** PAGE_DECODE_BYTES, or the limit stored under WORKER_BYTES_KEY (a whole number of bytes). */
export function pageDecodeBytes(): number {
  try {
    const stored = localStorage.getItem(WORKER_BYTES_KEY);
    const bytes = stored !== null && /^\d{1,15}$/.test(stored) ? Number(stored) : Number.NaN;
    return Number.isNaN(bytes) ? PAGE_DECODE_BYTES : bytes;
  } catch {
    // Storage can be disabled (privacy settings).
    return PAGE_DECODE_BYTES;
  }
}

/**
 * `onSpans` sees each batch as it arrives, in order, so that work on them can start before
 * the rest came; the batch's spans get their resource, scope, service name and any parent
 * fix only when the whole trace has come (they are the spans the promise resolves with).
 * `onRestart` is called when the spans given so far are dropped: the body turned out too
 * long for the page, and the worker decodes it again from its start.
 */
export async function fetchTrace(traceId: string, signal?: AbortSignal, onSpans?: SpansDecoded, onRestart?: () => void): Promise<TraceResponse> {
  const url = compactTraceUrl(traceId);
  const response = await fetchOk(url, signal, takePrefetchedTrace(traceId, signal));
  if (!response.body) throw new ApiError(response.status, 'bad_response', `${url} returned no body.`);
  const read = await readIfWithin(response.body, url, pageDecodeBytes(), signal, onSpans);
  if ('trace' in read) return read.trace;
  onRestart?.();
  // Started once the body is known to be long: a worker that starts with the request competes for the CPU with the page's own decoding of a short one.
  const worker = new Worker(new URL('./trace-loader-worker.ts', import.meta.url), { type: 'module' });
  return decodeInWorker(worker, read.head, response.body, url, signal, onSpans);
}

function decodeInWorker(worker: Worker, head: Uint8Array[], body: ReadableStream<Uint8Array>, url: string, signal?: AbortSignal, onSpans?: SpansDecoded): Promise<TraceResponse> {
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
      // A browser that cannot transfer streams: decode here after all, as a shorter body is.
      done();
      readIfWithin(withHead(head, body), url, Number.POSITIVE_INFINITY, signal, onSpans).then(
        // Without a limit the body is always read to its end.
        (read) => ('trace' in read ? resolve(read.trace) : reject(new Error(`${url}: the body was left unread`))),
        reject,
      );
    }
  });
}
