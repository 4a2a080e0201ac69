/**
 * Decodes the compact trace formats (`?format=compact` and `compact-3`, docs/api.md §5.4)
 * into the span model. Every span of one resource or scope shares one decoded object, and so does every
 * equal scalar attribute (attribute-interner.ts; compact-3's table gives that sharing by
 * itself): that is most of the heap a big trace saves besides the smaller response.
 */
import { COMPACT_ATTRIBUTE_TABLE_SIZE, COMPACT_TRACE_FORMAT, COMPACT_TRACE_FORMAT_3, attributeTableField, type InstrumentationScope, type KeyValue, type Resource, type Span, type SpanEvent, type SpanKind, type StatusCode } from '@threadline/shared';
import { JsonShapeError, expectArray, expectObject, expectString, optionalNumber, optionalString } from '../model/json-guards';
import { isDecimalNanos } from '../model/nanos';
import { parseKeyValue, parseLink, parseResource, parseScope } from '../model/span-json';
import { AttributeInterner } from './attribute-interner';
import { decoding } from './decode-responses';
import type { TraceResponse } from './wire-types';

const OFFSET = /^-?\d+$/;

function timeAt(base: bigint, value: unknown, path: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return (base + BigInt(value)).toString();
  if (typeof value === 'string' && OFFSET.test(value)) return (base + BigInt(value)).toString();
  throw new JsonShapeError(path, 'an integer ns offset (number or decimal string)');
}

function indexIn(length: number, index: unknown, path: string): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= length) throw new JsonShapeError(path, `an index below ${length}`);
  return index;
}

const ENDPOINT = '/api/v1/traces/{traceId}?format=compact-3';

/** What the trailer says about the spans, checked against them: enough to finish spans decoded earlier (applyTrailer). */
export interface CompactTrailer {
  readonly resources: readonly { readonly resource: Resource; readonly serviceName: string }[];
  readonly scopes: readonly InstrumentationScope[];
  /** Resource and scope index of every span, in document order: two numbers a span. */
  readonly owners: Uint32Array;
  readonly parentFixes: readonly (readonly [index: number, parentSpanId: string])[];
}

/**
 * Gives every span its resource, scope and service name, and applies the parent fixes.
 * `spans`: the document's spans in order, as decoded before the trailer came.
 */
export function applyTrailer(spans: readonly Span[], trailer: CompactTrailer): void {
  if (spans.length * 2 !== trailer.owners.length) throw new Error(`the trailer is for ${trailer.owners.length / 2} spans, not ${spans.length}`);
  spans.forEach((span, i) => {
    const owner = trailer.resources[trailer.owners[2 * i]!]!;
    span.resource = owner.resource;
    span.serviceName = owner.serviceName;
    span.scope = trailer.scopes[trailer.owners[2 * i + 1]!]!;
  });
  for (const [index, parentSpanId] of trailer.parentFixes) spans[index]!.parentSpanId = parentSpanId;
}

/**
 * Decodes a compact trace in the order the server writes it: the header, spans in any
 * number of batches (as they arrive), then the trailer with resources, scopes and parent
 * fixes. Lets a client decode a streamed response while the rest is still on its way, and
 * hand over the decoded spans in batches (takeSpans) before the trailer came.
 */
export class CompactTraceDecoder {
  readonly traceId: string;
  private readonly base: bigint;
  private readonly attributes = new AttributeInterner();
  /** Decoded spans not yet taken. */
  private fresh: Span[] = [];
  /** Resource and scope index of every span so far, as sent (checked once the trailer came). */
  private readonly owners: unknown[] = [];
  private readonly statuses = new Map<string, Span['status']>();
  /** compact-3's attribute table (attributes sent in full, in reading order); undefined for compact-2. */
  private readonly table: KeyValue[] | undefined;

  /** `header`: the document, or just its leading fields (`traceId`, `format`, `baseTimeUnixNano`). */
  constructor(header: unknown) {
    [this.traceId, this.base, this.table] = decoding(ENDPOINT, () => {
      const doc = expectObject(header, '$');
      if (doc.format !== COMPACT_TRACE_FORMAT && doc.format !== COMPACT_TRACE_FORMAT_3) {
        throw new JsonShapeError('$.format', `"${COMPACT_TRACE_FORMAT}" or "${COMPACT_TRACE_FORMAT_3}"`);
      }
      const baseText = expectString(doc.baseTimeUnixNano, '$.baseTimeUnixNano');
      if (!isDecimalNanos(baseText)) throw new JsonShapeError('$.baseTimeUnixNano', 'nanoseconds as a decimal string');
      return [expectString(doc.traceId, '$.traceId'), BigInt(baseText), doc.format === COMPACT_TRACE_FORMAT_3 ? [] : undefined] as const;
    });
  }

  /**
   * An attribute list. compact-3: a number is the table index of an attribute sent before
   * (shared, not copied); an attribute sent in full enters the table by the rule the server
   * follows (attributeTableField), in reading order.
   */
  private attributeList(value: unknown, path: string): KeyValue[] {
    const table = this.table;
    if (!table) return this.attributes.list(value, path);
    const raw = expectArray(value ?? [], path);
    if (raw.length === 0) return NONE;
    return raw.map((item, i) => {
      if (typeof item === 'number') return table[indexIn(table.length, item, `${path}[${i}]`)]!;
      const kv = parseKeyValue(item, `${path}[${i}]`);
      if (table.length < COMPACT_ATTRIBUTE_TABLE_SIZE && attributeTableField((item as { value?: unknown }).value) !== undefined) table.push(kv);
      return kv;
    });
  }

  /** How many spans were decoded so far, taken or not. */
  get spanCount(): number {
    return this.owners.length / 2;
  }

  /** The next spans of `$.spans`, in order. */
  addSpans(values: readonly unknown[]): void {
    decoding(ENDPOINT, () => {
      for (const value of values) {
        const s = expectArray(value, `$.spans[${this.spanCount}]`);
        this.fresh.push(this.decodeSpan(s, `$.spans[${this.spanCount}]`));
        this.owners.push(s[6], s[7]);
      }
    });
  }

  /** The spans decoded since the last call, in order; their resource, scope and service name come with the trailer. */
  takeSpans(): Span[] {
    const taken = this.fresh;
    this.fresh = [];
    return taken;
  }

  /** `doc`: the document, or just its trailing fields (`resources`, `scopes`, `parentFixes`); every index is checked. */
  trailer(doc: unknown): CompactTrailer {
    return decoding(ENDPOINT, () => {
      const trailer = expectObject(doc, '$');
      const resources = expectArray(trailer.resources, '$.resources').map((r, i) => ({
        resource: parseResource(r, `$.resources[${i}]`),
        serviceName: expectString(expectObject(r, `$.resources[${i}]`).serviceName, `$.resources[${i}].serviceName`),
      }));
      const scopes: InstrumentationScope[] = expectArray(trailer.scopes, '$.scopes').map((s, i) => parseScope(s, `$.scopes[${i}]`));
      const owners = new Uint32Array(this.owners.length);
      this.owners.forEach((index, k) => {
        const [list, field] = k % 2 === 0 ? [resources, 6] : [scopes, 7];
        owners[k] = indexIn(list.length, index, `$.spans[${k >> 1}][${field}]`);
      });
      const parentFixes = expectArray(trailer.parentFixes, '$.parentFixes').map((fix, i) => {
        const [index, parentSpanId] = expectArray(fix, `$.parentFixes[${i}]`);
        return [indexIn(this.spanCount, index, `$.parentFixes[${i}][0]`), expectString(parentSpanId, `$.parentFixes[${i}][1]`)] as const;
      });
      return { resources, scopes, owners, parentFixes };
    });
  }

  /** Every span of the document, finished with its trailer: for a document whose spans were never taken. */
  finish(trailer: unknown): TraceResponse {
    const done = this.trailer(trailer);
    const spans = this.takeSpans();
    applyTrailer(spans, done);
    return { traceId: this.traceId, spans };
  }

  /** Equal statuses share one object, like attributes (nearly all are unset or a few messages). */
  private status(code: StatusCode, message: string): Span['status'] {
    const key = `${code}:${message}`;
    let status = this.statuses.get(key);
    if (!status) this.statuses.set(key, (status = { code, message }));
    return status;
  }

  private decodeSpan(s: unknown[], path: string): Span {
    const base = this.base;
    const dropped = expectArray(s[15] ?? [0, 0, 0], `${path}[15]`);
    // The span's attributes before its events': compact-3's table indexes count in this order.
    const attributes = this.attributeList(s[10], `${path}[10]`);
    const rawEvents = expectArray(s[11], `${path}[11]`);
    const rawLinks = expectArray(s[12] ?? [], `${path}[12]`);
    const events: SpanEvent[] = rawEvents.length === 0 ? NONE : rawEvents.map((e, j) => {
      const event = expectArray(e, `${path}[11][${j}]`);
      return {
        timeUnixNano: timeAt(base, event[0], `${path}[11][${j}][0]`),
        name: optionalString(event[1], `${path}[11][${j}][1]`),
        attributes: this.attributeList(event[2], `${path}[11][${j}][2]`),
        droppedAttributesCount: optionalNumber(event[3], `${path}[11][${j}][3]`),
      };
    });
    const span: Span = {
      traceId: this.traceId,
      spanId: expectString(s[0], `${path}[0]`),
      parentSpanId: optionalString(s[1], `${path}[1]`),
      traceState: optionalString(s[14], `${path}[14]`),
      flags: optionalNumber(s[13], `${path}[13]`),
      name: optionalString(s[2], `${path}[2]`),
      kind: optionalNumber(s[3], `${path}[3]`) as SpanKind,
      startTimeUnixNano: timeAt(base, s[4], `${path}[4]`),
      endTimeUnixNano: timeAt(base, s[5], `${path}[5]`),
      attributes,
      droppedAttributesCount: optionalNumber(dropped[0], `${path}[15][0]`),
      events,
      droppedEventsCount: optionalNumber(dropped[1], `${path}[15][1]`),
      links: rawLinks.length === 0 ? NONE : rawLinks.map((l, j) => parseLink(l, `${path}[12][${j}]`)),
      droppedLinksCount: optionalNumber(dropped[2], `${path}[15][2]`),
      status: this.status(optionalNumber(s[8], `${path}[8]`) as StatusCode, optionalString(s[9], `${path}[9]`)),
      // Set by finish(), from the trailer.
      resource: unresolvedOwner.resource,
      scope: unresolvedOwner.scope,
      serviceName: unresolvedOwner.serviceName,
    };
    return span;
  }
}

/**
 * The events or links of every span that has none: one shared list instead of one per span,
 * which is a good part of what the page's copy of a big trace costs (structured clone).
 * Frozen, as nothing may add to a list other spans share.
 */
const NONE = Object.freeze([]) as unknown as never[];

/** What a span decoded before the trailer came has for resource, scope and service name (applyTrailer sets them). */
export const unresolvedOwner: Readonly<Pick<Span, 'resource' | 'scope' | 'serviceName'>> = {
  resource: { attributes: [], droppedAttributesCount: 0 },
  scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
  serviceName: '',
};

/** A whole compact document, already parsed. */
export function parseCompactTraceResponse(body: unknown): TraceResponse {
  return wholeDocumentDecoder(body).finish(body);
}

/** A decoder holding every span of a whole compact document, already parsed; its trailer is in `body` too. */
export function wholeDocumentDecoder(body: unknown): CompactTraceDecoder {
  const decoder = new CompactTraceDecoder(body);
  decoder.addSpans(decoding(ENDPOINT, () => expectArray(expectObject(body, '$').spans, '$.spans')));
  return decoder;
}
