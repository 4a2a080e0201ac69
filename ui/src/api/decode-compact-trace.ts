/**
 * Decodes the compact trace format (`?format=compact`, docs/api.md §5.4) into the span
 * model. Every span of one resource or scope shares one decoded object, and so does every
 * equal scalar attribute (attribute-interner.ts): that is most of the heap a big trace
 * saves besides the smaller response.
 */
import { COMPACT_TRACE_FORMAT, type InstrumentationScope, type Span, type SpanEvent, type SpanKind, type StatusCode } from '@threadline/shared';
import { JsonShapeError, expectArray, expectObject, expectString, optionalNumber, optionalString } from '../model/json-guards';
import { isDecimalNanos } from '../model/nanos';
import { parseLink, parseResource, parseScope } from '../model/span-json';
import { AttributeInterner } from './attribute-interner';
import { decoding } from './decode-responses';
import type { TraceResponse } from './wire-types';

const OFFSET = /^-?\d+$/;

function timeAt(base: bigint, value: unknown, path: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return (base + BigInt(value)).toString();
  if (typeof value === 'string' && OFFSET.test(value)) return (base + BigInt(value)).toString();
  throw new JsonShapeError(path, 'an integer ns offset (number or decimal string)');
}

function at<T>(list: readonly T[], index: unknown, path: string): T {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= list.length) throw new JsonShapeError(path, `an index below ${list.length}`);
  return list[index]!;
}

export function parseCompactTraceResponse(body: unknown): TraceResponse {
  return decoding('/api/v1/traces/{traceId}?format=compact', () => {
    const doc = expectObject(body, '$');
    if (doc.format !== COMPACT_TRACE_FORMAT) throw new JsonShapeError('$.format', `"${COMPACT_TRACE_FORMAT}"`);
    const traceId = expectString(doc.traceId, '$.traceId');
    const baseText = expectString(doc.baseTimeUnixNano, '$.baseTimeUnixNano');
    if (!isDecimalNanos(baseText)) throw new JsonShapeError('$.baseTimeUnixNano', 'nanoseconds as a decimal string');
    const base = BigInt(baseText);
    const resources = expectArray(doc.resources, '$.resources').map((r, i) => ({
      resource: parseResource(r, `$.resources[${i}]`),
      serviceName: expectString(expectObject(r, `$.resources[${i}]`).serviceName, `$.resources[${i}].serviceName`),
    }));
    const attributes = new AttributeInterner();
    const scopes: InstrumentationScope[] = expectArray(doc.scopes, '$.scopes').map((s, i) => parseScope(s, `$.scopes[${i}]`));
    const spans: Span[] = expectArray(doc.spans, '$.spans').map((value, i) => {
      const path = `$.spans[${i}]`;
      const s = expectArray(value, path);
      const owner = at(resources, s[6], `${path}[6]`);
      const dropped = expectArray(s[15] ?? [0, 0, 0], `${path}[15]`);
      const events: SpanEvent[] = expectArray(s[11], `${path}[11]`).map((e, j) => {
        const event = expectArray(e, `${path}[11][${j}]`);
        return {
          timeUnixNano: timeAt(base, event[0], `${path}[11][${j}][0]`),
          name: optionalString(event[1], `${path}[11][${j}][1]`),
          attributes: attributes.list(event[2], `${path}[11][${j}][2]`),
          droppedAttributesCount: optionalNumber(event[3], `${path}[11][${j}][3]`),
        };
      });
      return {
        traceId,
        spanId: expectString(s[0], `${path}[0]`),
        parentSpanId: optionalString(s[1], `${path}[1]`),
        traceState: optionalString(s[14], `${path}[14]`),
        flags: optionalNumber(s[13], `${path}[13]`),
        name: optionalString(s[2], `${path}[2]`),
        kind: optionalNumber(s[3], `${path}[3]`) as SpanKind,
        startTimeUnixNano: timeAt(base, s[4], `${path}[4]`),
        endTimeUnixNano: timeAt(base, s[5], `${path}[5]`),
        attributes: attributes.list(s[10], `${path}[10]`),
        droppedAttributesCount: optionalNumber(dropped[0], `${path}[15][0]`),
        events,
        droppedEventsCount: optionalNumber(dropped[1], `${path}[15][1]`),
        links: expectArray(s[12] ?? [], `${path}[12]`).map((l, j) => parseLink(l, `${path}[12][${j}]`)),
        droppedLinksCount: optionalNumber(dropped[2], `${path}[15][2]`),
        status: { code: optionalNumber(s[8], `${path}[8]`) as StatusCode, message: optionalString(s[9], `${path}[9]`) },
        resource: owner.resource,
        scope: at(scopes, s[7], `${path}[7]`),
        serviceName: owner.serviceName,
      };
    });
    expectArray(doc.parentFixes, '$.parentFixes').forEach((fix, i) => {
      const [index, parentSpanId] = expectArray(fix, `$.parentFixes[${i}]`);
      at(spans, index, `$.parentFixes[${i}][0]`).parentSpanId = expectString(parentSpanId, `$.parentFixes[${i}][1]`);
    });
    return { traceId, spans };
  });
}
