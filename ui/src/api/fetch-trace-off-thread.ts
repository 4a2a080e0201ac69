/** Loads a trace through trace-loader-worker.ts: the page's thread only receives the decoded spans. */
import { ApiError } from './api-error';
import { fetchTrace } from './threadline-api';
import { TRACE_REQUEST_MEASURE, type RequestTiming, type TraceLoaderReply, type TraceLoaderRequest } from './trace-loader-protocol';
import type { TraceResponse } from './wire-types';

export function fetchTraceOffThread(traceId: string, signal?: AbortSignal): Promise<TraceResponse> {
  // Without workers (never in the browsers the UI supports) the page decodes it itself.
  if (typeof Worker === 'undefined') return fetchTrace(traceId, signal);
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./trace-loader-worker.ts', import.meta.url), { type: 'module' });
    const abort = () => {
      worker.terminate();
      reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, { once: true });
    const done = () => {
      signal?.removeEventListener('abort', abort);
      worker.terminate();
    };
    worker.onmessage = ({ data }: MessageEvent<TraceLoaderReply>) => {
      done();
      if (data.kind === 'trace') {
        if (data.timing) measureRequest(data.timing);
        resolve(data.trace);
      }
      else reject(new ApiError(data.status, data.code, data.message));
    };
    worker.onerror = (event) => {
      done();
      reject(new ApiError(0, 'bad_response', `the trace loader failed: ${event.message}`));
    };
    worker.postMessage({ traceId } satisfies TraceLoaderRequest);
  });
}

function measureRequest(timing: RequestTiming): void {
  const page = (t: number) => t - performance.timeOrigin;
  const detail = { transferSize: timing.transferSize, decodedBodySize: timing.decodedBodySize };
  performance.measure(TRACE_REQUEST_MEASURE, { start: page(timing.requestStart), end: page(timing.responseEnd), detail });
}
