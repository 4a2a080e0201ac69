import type { Span } from '@threadline/shared';
import type { SpanStore } from './span-store.js';

/**
 * Spans per page of `SpanStore.streamTrace` (at most in the fallback below; the SQLite store
 * pages by stored chunk, at least this many). Small pages die young: the spans in flight when
 * V8's young generation is collected survive it and pile up as garbage in the old one; with
 * pages of one stored chunk (512 spans) instead of 1,000 the heap peaked at 250–330 MB instead
 * of 350 MB while a 100k-span trace was encoded (in-process, 3 runs each).
 */
export const TRACE_PAGE_SPANS = 256;

/**
 * `SpanStore.streamTrace` for a store that can only read a trace whole: `getTrace` cut into
 * pages. Correct for any store, but the whole trace is in memory while it is sent; a store
 * that can read a trace a piece at a time should implement streamTrace itself.
 */
export async function* tracePagesFromGetTrace(store: Pick<SpanStore, 'getTrace'>, traceId: string, pageSpans = TRACE_PAGE_SPANS): AsyncGenerator<Span[]> {
  const spans = await store.getTrace(traceId);
  for (let from = 0; from < spans.length; from += pageSpans) yield spans.slice(from, from + pageSpans);
}
