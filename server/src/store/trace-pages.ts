import type { Span } from '@threadline/shared';
import type { SpanStore } from './span-store.js';

/** How many spans a page of `SpanStore.streamTrace` holds at most, in the fallback below. */
export const TRACE_PAGE_SPANS = 1000;

/**
 * `SpanStore.streamTrace` for a store that can only read a trace whole: `getTrace` cut into
 * pages. Correct for any store, but the whole trace is in memory while it is sent; a store
 * that can read a trace a piece at a time should implement streamTrace itself.
 */
export async function* tracePagesFromGetTrace(store: Pick<SpanStore, 'getTrace'>, traceId: string, pageSpans = TRACE_PAGE_SPANS): AsyncGenerator<Span[]> {
  const spans = await store.getTrace(traceId);
  for (let from = 0; from < spans.length; from += pageSpans) yield spans.slice(from, from + pageSpans);
}
