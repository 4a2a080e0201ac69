/**
 * Web Worker entry: fetches a trace in the compact format and decodes it here, off the
 * page's thread. The response text and its parsed JSON (several times the decoded spans)
 * never reach the page's heap, and the page's thread stays free while they are built;
 * the page receives the decoded spans as one structured clone (shared objects stay shared).
 */
import { ApiError } from './api-error';
import { parseCompactTraceResponse } from './decode-compact-trace';
import { getJson } from './http-client';
import type { RequestTiming, TraceLoaderReply, TraceLoaderRequest } from './trace-loader-protocol';

const scope = self as unknown as { onmessage: ((e: MessageEvent<TraceLoaderRequest>) => void) | null; postMessage(reply: TraceLoaderReply): void };

scope.onmessage = async ({ data }) => {
  try {
    const url = `/api/v1/traces/${encodeURIComponent(data.traceId)}?format=compact`;
    const trace = parseCompactTraceResponse(await getJson(url));
    scope.postMessage({ kind: 'trace', trace, timing: timingOf(url) });
  } catch (error) {
    const failure = error instanceof ApiError ? error : new ApiError(0, 'bad_response', error instanceof Error ? error.message : String(error));
    scope.postMessage({ kind: 'failure', status: failure.status, code: failure.code, message: failure.message });
  }
};

function timingOf(url: string): RequestTiming | undefined {
  const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith(url)) as PerformanceResourceTiming | undefined;
  if (!entry) return undefined;
  const unix = (t: number) => performance.timeOrigin + t;
  return { requestStart: unix(entry.requestStart), responseEnd: unix(entry.responseEnd), transferSize: entry.transferSize, decodedBodySize: entry.decodedBodySize };
}
