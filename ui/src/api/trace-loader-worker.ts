/**
 * Web Worker entry: decodes a compact trace response off the page's thread, page by page
 * as the body arrives (compact-trace-lines.ts). The page starts the request itself (no
 * wait for the worker to load) and hands over the body stream. The response text and its
 * parsed JSON (several times the decoded spans) never reach the page's heap, and the
 * page's thread stays free while they are built; the page receives the decoded spans as
 * one structured clone (shared objects stay shared).
 */
import type { ApiError } from './api-error';
import { readCompactTrace } from './read-compact-trace';
import type { TraceLoaderReply, TraceLoaderRequest } from './trace-loader-protocol';

const scope = self as unknown as { onmessage: ((e: MessageEvent<TraceLoaderRequest>) => void) | null; postMessage(reply: TraceLoaderReply): void };

scope.onmessage = async ({ data }) => {
  try {
    scope.postMessage({ kind: 'trace', trace: await readCompactTrace(data.body, data.url) });
  } catch (error) {
    const failure = error as ApiError;
    scope.postMessage({ kind: 'failure', status: failure.status, code: failure.code, message: failure.message });
  }
};
