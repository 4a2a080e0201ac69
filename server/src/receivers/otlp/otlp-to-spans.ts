/**
 * Validates a decoded OTLP request and normalizes it into the shared span model. A bad
 * span is rejected on its own (OTLP partial success); the rest of the batch goes through.
 */

import {
  SPAN_ID_HEX_LENGTH,
  SpanKind,
  StatusCode,
  TRACE_ID_HEX_LENGTH,
  UNKNOWN_SERVICE,
  compareDecimalNanos,
  findAttribute,
  isHexId,
  isValidSpanId,
  isValidTraceId,
  isZeroId,
  type Resource,
  type Span,
  type SpanEvent,
  type SpanLink,
} from '@threadline/shared';
import { rawProtoOf, setRawProto } from './otlp-raw.js';
import type { OtlpSpan, OtlpTraceRequest } from './otlp-types.js';

export interface ToSpansResult {
  spans: Span[];
  rejected: number;
  /** The first few distinct reasons, for the partial-success message; not one per rejected span. */
  rejectionMessages: string[];
}

export const MAX_REJECTION_MESSAGES = 10;
const MAX_NAME_IN_MESSAGE = 64;

export function toSpans(req: OtlpTraceRequest): ToSpansResult {
  const spans: Span[] = [];
  const messages = new Set<string>();
  let rejected = 0;
  req.resourceSpans.forEach((rs, i) => {
    const serviceName = serviceNameOf(rs.resource);
    rs.scopeSpans.forEach((ss, j) => {
      ss.spans.forEach((s, k) => {
        const problem = spanProblem(s);
        if (problem === undefined) {
          spans.push(toSpan(s, rs.resource, ss.scope, serviceName));
          return;
        }
        rejected++;
        if (messages.size < MAX_REJECTION_MESSAGES) {
          messages.add(`span ${describe(s)} (resourceSpans[${i}].scopeSpans[${j}].spans[${k}]) rejected: ${problem}`);
        }
      });
    });
  });
  return { spans, rejected, rejectionMessages: [...messages] };
}

/** A resource's `service.name`, or unknown_service when it has none. */
export function serviceNameOf(resource: Resource): string {
  const name = findAttribute(resource.attributes, 'service.name')?.stringValue;
  return name ? name : UNKNOWN_SERVICE;
}

function spanProblem(s: OtlpSpan): string | undefined {
  if (!isHexId(s.traceId, TRACE_ID_HEX_LENGTH)) return `trace ID ${quote(s.traceId)} is not ${TRACE_ID_HEX_LENGTH} hex digits`;
  if (isZeroId(s.traceId)) return 'trace ID is all zeros';
  if (!isHexId(s.spanId, SPAN_ID_HEX_LENGTH)) return `span ID ${quote(s.spanId)} is not ${SPAN_ID_HEX_LENGTH} hex digits`;
  if (isZeroId(s.spanId)) return 'span ID is all zeros';
  if (s.parentSpanId !== '' && !isHexId(s.parentSpanId, SPAN_ID_HEX_LENGTH)) {
    return `parent span ID ${quote(s.parentSpanId)} is not ${SPAN_ID_HEX_LENGTH} hex digits`;
  }
  if (s.startTimeUnixNano === '0') return 'start time is missing (0)';
  if (compareDecimalNanos(s.endTimeUnixNano, s.startTimeUnixNano) < 0) {
    return `end time ${s.endTimeUnixNano} is before start time ${s.startTimeUnixNano}`;
  }
  return undefined;
}

/**
 * One decoded span as the shared model. Also applied to spans read back from storage,
 * which keeps a span's OTLP bytes as received: normalizing twice changes nothing.
 */
export function toSpan(s: OtlpSpan, resource: Span['resource'], scope: Span['scope'], serviceName: string): Span {
  const links = s.links.filter(isUsableLink);
  const events = s.events.filter(isUsableEvent);
  const span: Span = {
    traceId: s.traceId,
    spanId: s.spanId,
    // Some tracers send an all-zero parent for a root span.
    parentSpanId: isZeroId(s.parentSpanId) ? '' : s.parentSpanId,
    traceState: s.traceState,
    flags: s.flags,
    name: s.name,
    kind: isSpanKind(s.kind) ? s.kind : SpanKind.UNSPECIFIED,
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: s.attributes,
    droppedAttributesCount: s.droppedAttributesCount,
    events,
    // What we drop here is dropped in the sender's sense too: counting it keeps the total honest.
    droppedEventsCount: s.droppedEventsCount + (s.events.length - events.length),
    links,
    droppedLinksCount: s.droppedLinksCount + (s.links.length - links.length),
    status: { code: isStatusCode(s.status.code) ? s.status.code : StatusCode.UNSET, message: s.status.message },
    // Shared, not copied, by every span of the resource and scope: treat them as immutable.
    resource,
    scope,
    serviceName,
  };
  const raw = rawProtoOf(s);
  if (raw) setRawProto(span, raw);
  return span;
}

/** A link is only useful if it can point at a span. */
export function isUsableLink(link: SpanLink): boolean {
  return isValidTraceId(link.traceId) && isValidSpanId(link.spanId);
}

/** An event without a time cannot be placed on the span's timeline. */
function isUsableEvent(event: SpanEvent): boolean {
  return event.timeUnixNano !== '0';
}

function isSpanKind(kind: number): kind is SpanKind {
  return Number.isInteger(kind) && kind >= SpanKind.UNSPECIFIED && kind <= SpanKind.CONSUMER;
}

function isStatusCode(code: number): code is StatusCode {
  return code === StatusCode.UNSET || code === StatusCode.OK || code === StatusCode.ERROR;
}

/** Both decoders produce canonical decimals (no sign, no leading zeros). */
function describe(s: OtlpSpan): string {
  const name = s.name.length > MAX_NAME_IN_MESSAGE ? `${s.name.slice(0, MAX_NAME_IN_MESSAGE)}…` : s.name;
  return s.spanId === '' ? quote(name) : `${quote(s.spanId)} ${quote(name)}`;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 2 * MAX_NAME_IN_MESSAGE ? `${s.slice(0, 2 * MAX_NAME_IN_MESSAGE)}…` : s);
}
