import { ApiError } from './api-error';
import { CompactTraceLineDecoder } from './compact-trace-lines';
import type { TraceResponse } from './wire-types';

/**
 * Decodes a compact trace body page by page as it arrives, while the server is still
 * sending the rest. Every failure is an ApiError (`bad_response` when the text is not a
 * compact trace).
 */
export async function readCompactTrace(body: ReadableStream<Uint8Array>, url: string): Promise<TraceResponse> {
  try {
    const decoder = new CompactTraceLineDecoder();
    const text = new TextDecoder();
    const reader = body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) decoder.push(text.decode(read.value, { stream: true }));
    decoder.push(text.decode());
    return decoder.end();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(200, 'bad_response', `${url} did not return a compact trace: ${error instanceof Error ? error.message : String(error)}`);
  }
}
