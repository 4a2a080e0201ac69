/**
 * Web Worker entry: decodes a compact trace response off the page's thread, page by page
 * as the body arrives (compact-trace-lines.ts). The page makes the request and decodes a
 * short body itself; a long one it hands over, the rest of the body stream with the first
 * bytes it read already (fetch-trace.ts). The response text and its
 * parsed JSON (several times the decoded spans) never reach the page's heap, and the
 * page's thread stays free while they are built. The spans go to the page in batches as
 * they are decoded, packed into a transferred buffer (span-packing.ts), so that the page
 * builds them while the rest of the body is still on its way instead of after it.
 */
import type { ApiError } from './api-error';
import { streamCompactTrace, withHead } from './read-compact-trace';
import type { TraceLoaderReply, TraceLoaderRequest } from './trace-loader-protocol';

const BATCH_SPANS = 4096;

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<TraceLoaderRequest>) => void) | null;
  postMessage(reply: TraceLoaderReply, transfer?: Transferable[]): void;
};

scope.onmessage = async ({ data }) => {
  try {
    await streamCompactTrace(withHead(data.head, data.body), data.url, {
      spans: (packed) => scope.postMessage({ kind: 'spans', packed }, [packed.words.buffer]),
      end: (traceId, trailer) => scope.postMessage({ kind: 'end', traceId, trailer }),
    }, BATCH_SPANS);
  } catch (error) {
    const failure = error as ApiError;
    scope.postMessage({ kind: 'failure', status: failure.status, code: failure.code, message: failure.message });
  }
};
