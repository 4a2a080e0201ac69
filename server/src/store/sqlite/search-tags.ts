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
 * The tags a span can be found by, besides its resource's: its attributes, plus the tags
 * Jaeger derives from OTLP fields (`span.kind`, `otel.status_code`, `error=true`,
 * `otel.status_description`), which the Jaeger API shows as tags (query/jaeger-api/
 * span-to-jaeger.ts) and Jaeger users search for, error=true above all.
 */
export function buildSpanSearchTags(span: Span): SearchTag[] {
  const tags = buildAttributeTags(span.attributes);
  const kind = toSpanKindName(span.kind);
  if (kind !== 'unspecified') tags.push({ key: 'span.kind', value: kind });
  if (span.status.code === StatusCode.OK) tags.push({ key: 'otel.status_code', value: 'OK' });
  if (span.status.code === StatusCode.ERROR) {
    tags.push({ key: 'otel.status_code', value: 'ERROR' }, { key: 'error', value: 'true' });
  }
  if (span.status.message !== '') {
    tags.push({ key: 'otel.status_description', value: toIndexedText(span.status.message) });
  }
  return tags;
}

/**
 * Every tag a search can find a span by: its own tags (above), its resource's (process
 * tags), its events' attributes and its instrumentation scope, as both Jaeger storages
 * match them. Written as postings per trace, and checked span by span at search time.
 */
export function buildAllSearchTags(span: Span): SearchTag[] {
  const tags = buildSpanSearchTags(span);
  tags.push(...buildAttributeTags(span.resource.attributes));
  for (const event of span.events) tags.push(...buildAttributeTags(event.attributes));
  if (span.scope.name !== '') tags.push({ key: 'otel.scope.name', value: toIndexedText(span.scope.name) });
  if (span.scope.version !== '') tags.push({ key: 'otel.scope.version', value: toIndexedText(span.scope.version) });
  return tags;
}

/** Whether the span carries the tag, by the same rules as buildAllSearchTags (tag already cut to the indexed prefix). */
export function spanHasTag(span: Span, tag: SearchTag): boolean {
  return buildAllSearchTags(span).some((t) => t.key === tag.key && t.value === tag.value);
}
