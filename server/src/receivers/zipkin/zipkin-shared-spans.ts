import { findAttribute, type Span } from '@threadline/shared';

/** On a shared span whose ID we replaced: the ID it shares with its client span, for search. */
export const SHARED_SPAN_ID_ATTRIBUTE = 'zipkin.shared_span_id';

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
  const fixes = new SharedChildrenFixes();
  for (const s of spans) fixes.note(s);
  const parents = fixes.parents();
  if (parents.size === 0) return [...spans];
  return spans.map((s, i) => {
    const parentSpanId = parents.get(i);
    return parentSpanId === undefined ? s : { ...s, parentSpanId };
  });
}

/**
 * `toSharedChildrenRepointed` for a trace seen a piece at a time, when the spans already
 * sent on cannot be changed any more (a streamed response): note every span in order, and
 * at the end `parents()` gives the new parent of each repointed span, by its position.
 * Keeps a span's IDs and service name until then, not the span.
 */
export class SharedChildrenFixes {
  /** Shared span key → the shared server span's own (derived) ID. */
  private readonly derived = new Map<string, string>();
  /**
   * Per position: the IDs and service a child's parent key is made of ('' parent for spans
   * that cannot be repointed). Kept apart, and joined into keys only for a trace that has
   * shared spans: a key per span was 100k strings kept to the end of a big trace, for nothing.
   */
  private readonly traceIds: string[] = [];
  private readonly parentIds: string[] = [];
  private readonly services: string[] = [];
  private readonly spanIds: string[] = [];

  note(s: Span): void {
    this.noteIds(s.traceId, s.spanId, s.parentSpanId, s.serviceName, findAttribute(s.attributes, SHARED_SPAN_ID_ATTRIBUTE)?.stringValue);
  }

  /** `note` for a span not held as a `Span`: `sharedSpanId` is its first `zipkin.shared_span_id` attribute's string value. */
  noteIds(traceId: string, spanId: string, parentSpanId: string, serviceName: string, sharedSpanId: string | undefined): void {
    // A shared server span we renamed at ingest keeps the ID it had on the wire as its parent and in that attribute.
    const shared = sharedSpanId !== undefined && sharedSpanId === parentSpanId ? sharedSpanId : undefined;
    if (shared !== undefined) this.derived.set(sharedKey(traceId, shared, serviceName), spanId);
    this.traceIds.push(traceId);
    this.parentIds.push(shared === undefined ? parentSpanId : '');
    this.services.push(serviceName);
    this.spanIds.push(spanId);
  }

  parents(): Map<number, string> {
    const parents = new Map<number, string>();
    if (this.derived.size === 0) return parents;
    this.parentIds.forEach((parentId, i) => {
      const target = parentId === '' ? undefined : this.derived.get(sharedKey(this.traceIds[i]!, parentId, this.services[i]!));
      if (target !== undefined && target !== this.spanIds[i]) parents.set(i, target);
    });
    return parents;
  }
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
