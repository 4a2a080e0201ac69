import type { Span } from '@threadline/shared';
import { toSharedChildrenRepointed } from '../receivers/zipkin/zipkin-shared-spans.js';
import type { SpanStore } from '../store/span-store.js';

/**
 * A stored trace as every reader must see it: the children of Zipkin shared server spans
 * under the server span, however the uploads were split and ordered (Jaeger, too, adjusts
 * shared spans at query time).
 */
export async function readTrace(store: SpanStore, traceId: string): Promise<Span[]> {
  return toSharedChildrenRepointed(await store.getTrace(traceId));
}
