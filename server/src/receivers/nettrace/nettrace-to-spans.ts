import {
  SpanKind,
  StatusCode,
  stringAttr,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type Span,
  type SpanEvent,
} from '@threadline/shared';
import type { NettraceRecordFields } from '../../store/span-store.js';

/** Attribute keys net/trace data carries in the span model (DESIGN.md §3: "tagged nettrace.*"). */
export const NETTRACE_ATTR = {
  family: 'nettrace.family',
  title: 'nettrace.title',
  recordId: 'nettrace.record_id',
  state: 'nettrace.state',
  sensitive: 'nettrace.sensitive',
  error: 'nettrace.error',
} as const;

/** Marks spans made from net/trace records, so they can be told from instrumented ones. */
export const NETTRACE_SCOPE: InstrumentationScope = {
  name: 'threadline/nettrace',
  version: '',
  attributes: [],
  droppedAttributesCount: 0,
};

export interface SpanPlacement {
  traceId: string;
  spanId: string;
  /** '' for a span of its own, else the span the record joins. */
  parentSpanId: string;
}

function boolAttr(key: string, value: boolean): KeyValue {
  return { key, value: { boolValue: value } };
}

/**
 * The record's events as span events: named by their message, at their own time, tagged
 * with where they come from so a waterfall can show them apart from the span's own events.
 */
export function toNettraceSpanEvents(record: NettraceRecordFields): SpanEvent[] {
  return record.events.map((e) => ({
    timeUnixNano: e.timeNs.toString(),
    name: e.message,
    attributes: [
      stringAttr(NETTRACE_ATTR.family, record.family),
      stringAttr(NETTRACE_ATTR.title, record.title),
      stringAttr(NETTRACE_ATTR.recordId, record.recordId),
      boolAttr(NETTRACE_ATTR.sensitive, e.sensitive),
      boolAttr(NETTRACE_ATTR.error, e.error),
    ],
    droppedAttributesCount: 0,
  }));
}

/**
 * A request trace as a span: named by its title (the family when untitled), lasting from
 * its start for its elapsed time, ERROR when the trace was marked failed. The events the
 * service discarded are the span's dropped events.
 */
export function toNettraceSpan(record: NettraceRecordFields, resource: Resource, placement: SpanPlacement): Span {
  return {
    traceId: placement.traceId,
    spanId: placement.spanId,
    parentSpanId: placement.parentSpanId,
    traceState: '',
    flags: 1,
    name: record.title !== '' ? record.title : record.family,
    kind: SpanKind.INTERNAL,
    startTimeUnixNano: record.startNs.toString(),
    endTimeUnixNano: (record.startNs + record.elapsedNs).toString(),
    attributes: [
      stringAttr(NETTRACE_ATTR.family, record.family),
      stringAttr(NETTRACE_ATTR.recordId, record.recordId),
      stringAttr(NETTRACE_ATTR.state, record.state),
    ],
    droppedAttributesCount: 0,
    events: toNettraceSpanEvents(record),
    droppedEventsCount: record.discardedEvents,
    links: [],
    droppedLinksCount: 0,
    status: { code: record.error ? StatusCode.ERROR : StatusCode.UNSET, message: '' },
    resource,
    scope: NETTRACE_SCOPE,
    serviceName: record.service,
  };
}
