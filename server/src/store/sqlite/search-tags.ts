import { anyValueToString, StatusCode, type KeyValue, type Span } from '@threadline/shared';
import { toSpanKindName } from '../span-kind-name.js';

/**
 * Keys and values are indexed up to this many characters, so a sender cannot blow up the
 * index with huge attributes; a search compares the same prefix. (The payload keeps the
 * full value.)
 */
export const MAX_INDEXED_CHARS = 256;

export interface SearchTag {
  key: string;
  value: string;
}

export function toIndexedText(text: string): string {
  return text.length > MAX_INDEXED_CHARS ? text.slice(0, MAX_INDEXED_CHARS) : text;
}

export function buildAttributeTags(attributes: readonly KeyValue[]): SearchTag[] {
  return attributes.map((kv) => ({ key: toIndexedText(kv.key), value: toIndexedText(anyValueToString(kv.value)) }));
}

/**
 * Every tag a search can find a span by: its own tags (above), its resource's (process
 * tags), its events' attributes and its instrumentation scope, as both Jaeger storages
 * match them. Written as postings per trace, and checked span by span at search time.
 */
export function buildAllSearchTags(span: Span): SearchTag[] {
  return [...buildSpanOwnSearchTags(span), ...buildAttributeTags(span.resource.attributes)];
}

/**
 * buildAllSearchTags less the resource's, which are indexed per resource rather than per
 * trace: the span's attributes, the tags Jaeger derives from OTLP fields (`span.kind`,
 * `otel.status_code`, `error=true`, `otel.status_description`, which the Jaeger API shows as
 * tags and Jaeger users search for, error=true above all), its events' attributes and its scope.
 */
export function buildSpanOwnSearchTags(span: Span): SearchTag[] {
  const tags: SearchTag[] = [];
  visitSpanOwnSearchTags(span, (key, value) => tags.push({ key, value }));
  return tags;
}

/**
 * The tags of buildSpanOwnSearchTags, handed over one by one: ingest hashes them without
 * building objects. Tags many spans share as the very same strings (derived from the span
 * kind and status, and the scope's, one object per scope) go to `visitShared`, so that a
 * caller can remember their hashes.
 */
export function visitSpanOwnSearchTags(
  span: Span,
  visit: (key: string, value: string) => void,
  visitShared: (key: string, value: string) => void = visit,
): void {
  const attributes = (kvs: readonly KeyValue[]) => {
    for (const kv of kvs) visit(toIndexedText(kv.key), toIndexedText(anyValueToString(kv.value)));
  };
  attributes(span.attributes);
  visitDerivedTags(span.kind, span.status.code, span.status.message, visit, visitShared);
  for (const event of span.events) attributes(event.attributes);
  visitScopeTags(span.scope, visitShared);
}

/** The tags Jaeger derives from a span's kind and status; the ones many spans share go to `visitShared`. */
export function visitDerivedTags(
  kindNumber: number,
  statusCode: number,
  statusMessage: string,
  visit: (key: string, value: string) => void,
  visitShared: (key: string, value: string) => void,
): void {
  const kind = toSpanKindName(kindNumber);
  if (kind !== 'unspecified') visitShared('span.kind', kind);
  if (statusCode === StatusCode.OK) visitShared('otel.status_code', 'OK');
  if (statusCode === StatusCode.ERROR) {
    visitShared('otel.status_code', 'ERROR');
    visitShared('error', 'true');
  }
  if (statusMessage !== '') visit('otel.status_description', toIndexedText(statusMessage));
}

/** The tags of a span's instrumentation scope. */
export function visitScopeTags(scope: Span['scope'], visit: (key: string, value: string) => void): void {
  if (scope.name !== '') visit('otel.scope.name', toIndexedText(scope.name));
  if (scope.version !== '') visit('otel.scope.version', toIndexedText(scope.version));
}

/** Whether the span carries every tag, by the same rules as buildAllSearchTags (tags already cut to the indexed prefix). */
export function spanHasTags(span: Span, tags: readonly SearchTag[]): boolean {
  if (tags.length === 0) return true;
  const own = buildAllSearchTags(span);
  return tags.every((tag) => own.some((t) => t.key === tag.key && t.value === tag.value));
}
