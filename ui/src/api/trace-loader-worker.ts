/**
 * Web Worker entry: fetches a trace in the compact format and decodes it here, off the
 * page's thread, page by page as the response arrives (compact-trace-lines.ts). The
 * response text and its parsed JSON (several times the decoded spans) never reach the
 * page's heap, and the page's thread stays free while they are built; the page receives
 * the decoded spans as one structured clone (shared objects stay shared).
 */
import { ApiError } from './api-error';
import { CompactTraceLineDecoder } from './compact-trace-lines';
import { fetchOk } from './http-client';
import type { RequestTiming, TraceLoaderReply, TraceLoaderRequest } from './trace-loader-protocol';
import type { TraceResponse } from './wire-types';

const scope = self as unknown as { onmessage: ((e: MessageEvent<TraceLoaderRequest>) => void) | null; postMessage(reply: TraceLoaderReply): void };

scope.onmessage = async ({ data }) => {
  try {
    const url = `/api/v1/traces/${encodeURIComponent(data.traceId)}?format=compact`;
    const trace = await readCompactTrace(await fetchOk(url));
    scope.postMessage({ kind: 'trace', trace, timing: timingOf(url) });
  } catch (error) {
    const failure = error instanceof ApiError ? error : new ApiError(0, 'bad_response', error instanceof Error ? error.message : String(error));
    scope.postMessage({ kind: 'failure', status: failure.status, code: failure.code, message: failure.message });
  }
};

/** Decodes the response page by page as it arrives, while the server is still sending the rest. */
async function readCompactTrace(response: Response): Promise<TraceResponse> {
  const decoder = new CompactTraceLineDecoder();
  const text = new TextDecoder();
  try {
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) decoder.push(text.decode(read.value, { stream: true }));
    decoder.push(text.decode());
    return decoder.end();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(response.status, 'bad_response', `${response.url} did not return a compact trace: ${(error as Error).message}`);
  }
}

function timingOf(url: string): RequestTiming | undefined {
  const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith(url)) as PerformanceResourceTiming | undefined;
  if (!entry) return undefined;
  const unix = (t: number) => performance.timeOrigin + t;
  return { requestStart: unix(entry.requestStart), responseEnd: unix(entry.responseEnd), transferSize: entry.transferSize, decodedBodySize: entry.decodedBodySize };
}
