import { describe, expect, it } from 'vitest';
import { anyValueToString, COMPACT_TRACE_FORMAT, type Span } from '@threadline/shared';
import { parseCompactTraceResponse } from './decode-compact-trace';
import { ApiError } from './api-error';
import { BASE_NS, makeSpan, TRACE_ID } from '../model/fixtures/make-span';

/** The compact document of `spans`, all of one resource and scope, written out by hand as the server would. */
function compactOf(spans: Span[], parentFixes: Array<[number, string]> = []) {
  const offset = (ns: string) => Number(BigInt(ns) - BASE_NS);
  return {
    traceId: TRACE_ID,
    format: COMPACT_TRACE_FORMAT,
    baseTimeUnixNano: BASE_NS.toString(),
    spans: spans.map((s) => [
      s.spanId,
      s.parentSpanId,
      s.name,
      s.kind,
      offset(s.startTimeUnixNano),
      offset(s.endTimeUnixNano),
      0,
      0,
      s.status.code,
      s.status.message,
      s.attributes,
      s.events.map((e) => [offset(e.timeUnixNano), e.name, e.attributes, e.droppedAttributesCount]),
      s.links,
      s.flags,
      s.traceState,
      [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
    ]),
    resources: [{ ...spans[0]!.resource, serviceName: spans[0]!.serviceName }],
    scopes: [spans[0]!.scope],
    parentFixes,
  };
}

describe.each(['packed', 'objects'] as const)('compact trace decoding into %s spans', (output) => {
  const parse = (doc: unknown) => parseCompactTraceResponse(doc, output);
  const spans = [
    makeSpan({ id: 'root', service: 'web', start: 0, end: 10, events: [{ at: 2, name: 'cache miss' }] }),
    makeSpan({ id: 'child', parent: 'root', service: 'web', start: 1, end: 4, error: true }),
  ];

  it('gives the spans of the full format, one shared object per resource and scope', () => {
    const decoded = parse(compactOf(spans));
    expect(decoded.traceId).toBe(TRACE_ID);
    expect(decoded.spans).toEqual(spans);
    expect(decoded.spans[0]!.resource).toBe(decoded.spans[1]!.resource);
    expect(decoded.spans[0]!.scope).toBe(decoded.spans[1]!.scope);
  });

  it('shares one status object among spans with equal statuses', () => {
    const three = [...spans, makeSpan({ id: 'grandchild', parent: 'child', service: 'web', start: 2, end: 3, error: true })];
    const decoded = parse(compactOf(three)).spans;
    expect(decoded).toEqual(three);
    expect(decoded[2]!.status).toBe(decoded[1]!.status);
    expect(decoded[0]!.status).not.toBe(decoded[1]!.status);
  });

  it('replaces the parents that parentFixes name, and only those', () => {
    const three = [...spans, makeSpan({ id: 'grandchild', parent: 'root', service: 'web', start: 2, end: 3 })];
    const decoded = parse(compactOf(three, [[2, three[1]!.spanId]])).spans;
    expect(decoded.map((s) => s.parentSpanId)).toEqual(['', three[0]!.spanId, three[1]!.spanId]);
    expect(() => parse(compactOf(three, [[3, 'x']]))).toThrow(/parentFixes\[0\]\[0\]/);
    expect(() => parse({ ...compactOf(three), parentFixes: undefined })).toThrow(/parentFixes/);
  });

  it('reads offsets given as decimal strings (beyond 2^53 ns)', () => {
    const doc = compactOf(spans);
    doc.spans[0]![5] = '9007199254740993';
    expect(parse(doc).spans[0]!.endTimeUnixNano).toBe((BASE_NS + 9007199254740993n).toString());
  });

  it('decodes non-finite doubles spelled as OTLP JSON strings, and shows them', () => {
    const values = ['NaN', 'Infinity', '-Infinity', '2.5e3', 0.25];
    const doc = compactOf(spans);
    doc.spans[0]![10] = values.map((v, i) => ({ key: `d${i}`, value: { doubleValue: v } })) as never;
    const decoded = parse(doc).spans[0]!.attributes.map((kv) => kv.value.doubleValue);
    expect(decoded).toEqual([Number.NaN, Infinity, -Infinity, 2500, 0.25]);
    expect(decoded.map((d) => anyValueToString({ doubleValue: d }))).toEqual(['NaN', 'Infinity', '-Infinity', '2500', '0.25']);
    doc.spans[0]![10] = [{ key: 'lost', value: { doubleValue: null } }] as never;
    expect(parse(doc).spans[0]!.attributes).toEqual([{ key: 'lost', value: {} }]);
    for (const bad of ['fast', '', true]) {
      doc.spans[0]![10] = [{ key: 'd', value: { doubleValue: bad } }] as never;
      expect(() => parse(doc)).toThrow(/doubleValue/);
    }
  });

  it('reports an unexpected shape as a bad_response ApiError with its path', () => {
    const badIndex = compactOf(spans);
    badIndex.spans[1]![6] = 3;
    expect(() => parse(badIndex)).toThrow(ApiError);
    expect(() => parse(badIndex)).toThrow(/\$\.spans\[1\]\[6\]/);
    expect(() => parse({ ...compactOf(spans), format: 'full' })).toThrow(/format/);
    const badTime = compactOf(spans);
    badTime.spans[0]![4] = 1.5;
    expect(() => parse(badTime)).toThrow(/\$\.spans\[0\]\[4\]: expected an integer ns offset/);
    // Paths inside events, dropped counts, links and attributes; and a span that is not an array.
    const at = (edit: (rows: unknown[][]) => void) => {
      const doc = compactOf(spans);
      edit(doc.spans as unknown[][]);
      return () => parse(doc);
    };
    expect(at((rows) => ((rows[0]![11] as unknown[][])[0]![0] = 'soon'))).toThrow(/\$\.spans\[0\]\[11\]\[0\]\[0\]: expected an integer/);
    expect(at((rows) => ((rows[0]![11] as unknown[][])[0]![1] = 7))).toThrow(/\$\.spans\[0\]\[11\]\[0\]\[1\]: expected a string/);
    expect(at((rows) => (rows[1]![15] = [0, 0, 'x']))).toThrow(/\$\.spans\[1\]\[15\]\[2\]: expected a number/);
    expect(at((rows) => (rows[1]![12] = [{ spanId: 'ab' }]))).toThrow(/\$\.spans\[1\]\[12\]\[0\]\.traceId: expected a string/);
    expect(at((rows) => (rows[1]![10] = [{ key: 3 }]))).toThrow(/\$\.spans\[1\]\[10\]\[0\]\.key: expected a string/);
    expect(at((rows) => (rows[1] = 'span' as unknown as unknown[]))).toThrow(/\$\.spans\[1\]: expected an array/);
  });

  it('compact-3: resolves table indexes to the attribute sent before (one shared object), and refuses an index not yet sent', () => {
    const attrs = [{ key: 'rpc.system', value: { stringValue: 'grpc' } }, { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }] } } }];
    const [a, b] = [makeSpan({ id: 'a', service: 'web', start: 0, end: 10 }), makeSpan({ id: 'b', parent: 'a', service: 'web', start: 1, end: 2 })];
    const doc = { ...compactOf([a!, b!]), format: 'compact-3' };
    const rows = doc.spans as unknown[][];
    rows[0]![10] = attrs;
    // Index 0 is rpc.system; the array never entered the table, so it is sent in full again.
    rows[1]![10] = [0, attrs[1]];
    const spans = parse(doc).spans;
    expect(spans[1]!.attributes).toEqual(attrs);
    expect(spans[1]!.attributes[0]).toBe(spans[0]!.attributes[0]);
    rows[1]![10] = [1];
    expect(() => parse(doc)).toThrow(/\$\.spans\[1\]\[10\]\[0\]/);
  });
});
