/**
 * The one normalized span model every receiver produces, the store keeps and the
 * APIs serve. It follows OTLP's JSON mapping so that exporting a trace back as
 * OTLP JSON is a plain projection, and so that nothing a receiver understood is lost.
 *
 * Times are Unix nanoseconds as decimal strings: they exceed 2^53, so they must
 * never pass through a JS `number`. IDs are lowercase hex (32 chars trace, 16 span).
 */

/** OTLP AnyValue in its JSON form: exactly one member is set (none = empty value). */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string (OTLP JSON encodes int64 as a string). */
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  /** base64 (standard alphabet). */
  bytesValue?: string;
}

export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** OTLP Span.SpanKind numbers. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** OTLP Status.StatusCode numbers. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface SpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

export interface SpanStatus {
  code: StatusCode;
  message: string;
}

export interface Span {
  traceId: string;
  spanId: string;
  /** Empty string for a root span. */
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status: SpanStatus;
  resource: Resource;
  scope: InstrumentationScope;
  /** `service.name` of the resource, or `unknown_service` when absent. */
  serviceName: string;
}

export const UNKNOWN_SERVICE = 'unknown_service';
