import type { SpanKind } from '@threadline/shared';
import type { SpanKindName } from './span-store.js';

/** Indexed by OTLP's SpanKind number. */
const NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** OTLP kind number → Jaeger's lowercase name; numbers OTLP does not define read as unspecified. */
export function toSpanKindName(kind: number): SpanKindName {
  return NAMES[kind] ?? 'unspecified';
}

export function toSpanKind(name: SpanKindName): SpanKind {
  return NAMES.indexOf(name) as SpanKind;
}
