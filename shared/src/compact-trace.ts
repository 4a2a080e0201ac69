/**
 * The compact trace format of `GET /api/v1/traces/{id}?format=compact` (docs/api.md §5.4):
 * the same spans as the full response, with each distinct resource and scope sent once
 * and referenced by index, times as ns offsets (JSON numbers) from a base time near the
 * trace's start, and every span a positional array instead of an object with repeated keys.
 * Spans come in the order the server reads them (it streams them), not in start order.
 */
import type { InstrumentationScope, KeyValue, Resource, SpanLink } from './span-model.js';

export const COMPACT_TRACE_FORMAT = 'compact-2';
/** The media type that asks for (and labels) the compact format. */
export const COMPACT_TRACE_MEDIA_TYPE = 'application/vnd.threadline.trace-compact+json';

/**
 * An offset in ns from `baseTimeUnixNano`: a JSON number when exact (below 2^53 ns,
 * 104 days), else a decimal string.
 */
export type CompactOffset = number | string;

/** `[time, name, attributes, droppedAttributesCount]` */
export type CompactEvent = [CompactOffset, string, KeyValue[], number];

/**
 * `[spanId, parentSpanId, name, kind, start, end, resource, scope, statusCode,
 *   statusMessage, attributes, events, links, flags, traceState,
 *   [droppedAttributes, droppedEvents, droppedLinks]]`
 * `resource` and `scope` index the trace's `resources` and `scopes`.
 */
export type CompactSpan = [
  string,
  string,
  string,
  number,
  CompactOffset,
  CompactOffset,
  number,
  number,
  number,
  string,
  KeyValue[],
  CompactEvent[],
  SpanLink[],
  number,
  string,
  [number, number, number],
];

export interface CompactResource extends Resource {
  /** As `Span.serviceName`: the resource's `service.name`, or `unknown_service`. */
  serviceName: string;
}

export interface CompactTrace {
  traceId: string;
  format: typeof COMPACT_TRACE_FORMAT;
  baseTimeUnixNano: string;
  spans: CompactSpan[];
  resources: CompactResource[];
  scopes: InstrumentationScope[];
  /**
   * `[index into spans, parentSpanId]`: parents that replace the one written in the span.
   * The children of Zipkin shared spans point at the server span sharing their parent's
   * ID, which is only known once every span was sent.
   */
  parentFixes: Array<[number, string]>;
}
