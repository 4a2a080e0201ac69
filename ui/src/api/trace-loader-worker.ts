/**
 * Web Worker entry: decodes a compact trace response off the page's thread, page by page
 * as the body arrives (compact-trace-lines.ts). The page starts the request itself (no
 * wait for the worker to load) and hands over the body stream. The response text and its
 * parsed JSON (several times the decoded spans) never reach the page's heap, and the
 * page's thread stays free while they are built. The decoded spans go to the page in
 * batches as they are decoded, so that copying them to the page (a structured clone, about
 * as slow as the decoding) happens while the rest of the body is still on its way instead
 * of after it; equal attributes stay shared within a batch, hence batches of thousands.
 */
import type { ApiError } from './api-error';
import { streamCompactTrace } from './read-compact-trace';
import type { TraceLoaderReply, TraceLoaderRequest } from './trace-loader-protocol';

const BATCH_SPANS = 4096;

const scope = self as unknown as { onmessage: ((e: MessageEvent<TraceLoaderRequest>) => void) | null; postMessage(reply: TraceLoaderReply): void };

scope.onmessage = async ({ data }) => {
  try {
    await streamCompactTrace(data.body, data.url, {
      spans: (spans) => scope.postMessage({ kind: 'spans', spans }),
      end: (traceId, trailer) => scope.postMessage({ kind: 'end', traceId, trailer }),
    }, BATCH_SPANS);
  } catch (error) {
    const failure = error as ApiError;
    scope.postMessage({ kind: 'failure', status: failure.status, code: failure.code, message: failure.message });
  }
};
