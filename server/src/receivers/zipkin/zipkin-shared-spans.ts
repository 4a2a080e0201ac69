import { findAttribute, type Span } from '@threadline/shared';

/** On a shared span whose ID we replaced: the ID it shares with its client span, for search. */
export const SHARED_SPAN_ID_ATTRIBUTE = 'zipkin.shared_span_id';

/**
 * The ID a shared server span had on the wire, when `s` is one we renamed at ingest
 * (renamed shared spans keep that ID as their parent and in `zipkin.shared_span_id`).
 */
function sharedIdOf(s: Span): string | undefined {
  const shared = findAttribute(s.attributes, SHARED_SPAN_ID_ATTRIBUTE)?.stringValue;
  return shared !== undefined && shared === s.parentSpanId ? shared : undefined;
}

function sharedKey(traceId: string, spanId: string, service: string): string {
  return `${traceId}/${spanId}/${service}`;
}

/**
 * Children of Zipkin shared server spans, pointed at the server span instead of the client
 * span whose ID the two share: a span whose parent is a shared ID and whose service is the
 * shared span's own service (the server's work, as Zipkin's UI also decides by local
 * endpoint) gets the shared span's derived ID as parent. The client's service keeps the
 * shared ID. The input is left alone; changed spans are copies.
 *
 * Pure and order-blind, so it gives the same tree whether the children arrived in the same
 * upload as their shared parent (ingest applies it per upload) or in an earlier one
 * (zipkin-go flushes children first; the query side applies it per trace, as Jaeger does).
 */
export function toSharedChildrenRepointed(spans: readonly Span[]): Span[] {
  const derived = new Map<string, string>();
  for (const s of spans) {
    const shared = sharedIdOf(s);
    if (shared !== undefined) derived.set(sharedKey(s.traceId, shared, s.serviceName), s.spanId);
  }
  if (derived.size === 0) return [...spans];
  return spans.map((s) => {
    if (s.parentSpanId === '' || sharedIdOf(s) !== undefined) return s;
    const target = derived.get(sharedKey(s.traceId, s.parentSpanId, s.serviceName));
    return target === undefined || target === s.spanId ? s : { ...s, parentSpanId: target };
  });
}

/**
 * `toSharedChildrenRepointed` over a trace stored as JSON text (a `Span[]`), for routes that
 * pass the store's text through. Traces without shared spans (nearly all) are returned as
 * they are, unparsed; the rest are parsed and written back only when a parent changed.
 */
export function toSharedChildrenRepointedJson(spansJson: string): string {
  if (!spansJson.includes(`"${SHARED_SPAN_ID_ATTRIBUTE}"`)) return spansJson;
  const spans = JSON.parse(spansJson) as Span[];
  const repointed = toSharedChildrenRepointed(spans);
  return repointed.every((s, i) => s === spans[i]) ? spansJson : JSON.stringify(repointed);
}
