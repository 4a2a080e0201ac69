/**
 * ExportTraceServiceRequest as decoded from the wire, before validation. Both the protobuf
 * and the JSON decoder produce this shape; `toSpans` turns it into the shared span model.
 *
 * It mirrors OTLP/JSON (so `JSON.stringify` of it is a valid OTLP/JSON request), with every
 * field present: IDs are lowercase hex exactly as received ('' when absent, any length),
 * times are decimal strings ('0' when absent), enums are the raw numbers (possibly unknown).
 */

import type { InstrumentationScope, KeyValue, Resource, SpanEvent, SpanLink } from '@threadline/shared';

export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}

export interface OtlpResourceSpans {
  resource: Resource;
  scopeSpans: OtlpScopeSpans[];
  schemaUrl: string;
}

export interface OtlpScopeSpans {
  scope: InstrumentationScope;
  spans: OtlpSpan[];
  schemaUrl: string;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState: string;
  parentSpanId: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status: OtlpStatus;
}

export interface OtlpStatus {
  code: number;
  message: string;
}

/** AnyValue arrays and kvlists may nest; deeper than this is refused (stack and abuse guard). */
export const MAX_ANY_VALUE_DEPTH = 32;
