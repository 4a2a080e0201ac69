/**
 * The compact trace format of `GET /api/v1/traces/{id}?format=compact` (docs/api.md §5.4):
 * the same spans as the full response, with each distinct resource and scope sent once
 * and referenced by index, times as ns offsets (JSON numbers) from a base time near the
 * trace's start, and every span a positional array instead of an object with repeated keys.
 * Spans come in the order the server reads them (it streams them), not in start order.
 */
import type { InstrumentationScope, KeyValue, Resource, SpanLink } from './span-model.js';

export const COMPACT_TRACE_FORMAT = 'compact-2';
/**
 * compact-2 plus an attribute table: an attribute equal to one sent before is sent as a
 * number, the index of that earlier one (asked for with `?format=compact-3`). Equal
 * attributes repeat across the spans of a trace (99% of a generated 100k-span trace's
 * attribute text), so the response is about a third of compact-2's size.
 */
export const COMPACT_TRACE_FORMAT_3 = 'compact-3';
/** The attribute table of compact-3 stops growing at this many entries. */
export const COMPACT_ATTRIBUTE_TABLE_SIZE = 65_536;
/** Longer string values never enter the table: they are likely unique. */
export const COMPACT_TABLE_STRING_LENGTH = 256;
/** The media type that asks for (and labels) the compact format. */
export const COMPACT_TRACE_MEDIA_TYPE = 'application/vnd.threadline.trace-compact+json';

/** The AnyValue fields whose attributes may enter compact-3's attribute table. */
export type TableField = 'stringValue' | 'intValue' | 'boolValue' | 'doubleValue';

/**
 * compact-3: whether an attribute sent in full enters the attribute table (as its next
 * index, while the table is not full), and by which field: an attribute is equal to a table
 * entry when key, field and the field's value are equal. Both ends decide alike, from the
 * attribute's value as its JSON spells it: exactly one field, a string of at most
 * COMPACT_TABLE_STRING_LENGTH UTF-16 units, an int64 as a decimal string, a bool or a
 * double; arrays, maps, bytes and empty values never enter.
 */
export function attributeTableField(value: unknown): TableField | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  let field: string | undefined;
  let scalar: unknown;
  for (const name in value) {
    const v = (value as Record<string, unknown>)[name];
    // JSON leaves undefined fields out; so does this count.
    if (v === undefined) continue;
    if (field !== undefined) return undefined;
    field = name;
    scalar = v;
  }
  switch (field) {
    case 'stringValue':
      return typeof scalar === 'string' && scalar.length <= COMPACT_TABLE_STRING_LENGTH ? field : undefined;
    case 'intValue':
      return typeof scalar === 'string' ? field : undefined;
    case 'boolValue':
    case 'doubleValue':
      return field;
    default:
      return undefined;
  }
}

/**
 * Something per distinct attribute of a trace, for attributes with an attributeTableField:
 * looked up by field, key and value, with no text made per attribute (a 100k-span trace has
 * ~770k of them). JSON-equal values are equal map keys, NaN and -0 included (SameValueZero;
 * JSON spells -0 as 0).
 */
export class ScalarAttributeMap<T> {
  private readonly byField: Record<TableField, Map<string, Map<unknown, T>>> = {
    stringValue: new Map(),
    intValue: new Map(),
    boolValue: new Map(),
    doubleValue: new Map(),
  };

  get(kv: KeyValue, field: TableField): T | undefined {
    return this.byField[field].get(kv.key)?.get((kv.value as Record<TableField, unknown>)[field]);
  }

  set(kv: KeyValue, field: TableField, value: T): void {
    const byKey = this.byField[field];
    let values = byKey.get(kv.key);
    if (!values) byKey.set(kv.key, (values = new Map()));
    values.set((kv.value as Record<TableField, unknown>)[field], value);
  }
}

/**
 * An offset in ns from `baseTimeUnixNano`: a JSON number when exact (below 2^53 ns,
 * 104 days), else a decimal string.
 */
export type CompactOffset = number | string;

/** An attribute in full, or (compact-3) the attribute table index of an equal one sent before. */
export type CompactAttribute = KeyValue | number;

/** `[time, name, attributes, droppedAttributesCount]` */
export type CompactEvent = [CompactOffset, string, CompactAttribute[], number];

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
  CompactAttribute[],
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
  format: typeof COMPACT_TRACE_FORMAT | typeof COMPACT_TRACE_FORMAT_3;
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
