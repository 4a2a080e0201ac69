import { describe, expect, it } from 'vitest';
import { COMPACT_TRACE_FORMAT } from '@threadline/shared';
import { CompactTraceLineDecoder } from './compact-trace-lines';
import { parseCompactTraceResponse } from './decode-compact-trace';
import { ApiError } from './api-error';
import { BASE_NS, makeSpan, TRACE_ID } from '../model/fixtures/make-span';

const spans = Array.from({ length: 7 }, (_, i) => makeSpan({ id: `s${i}`, parent: i === 0 ? undefined : 's0', service: i % 2 ? 'web' : 'db', start: i, end: i + 10 }));
const compact = (s: (typeof spans)[number]) => [
  s.spanId, s.parentSpanId, s.name, s.kind, Number(BigInt(s.startTimeUnixNano) - BASE_NS), Number(BigInt(s.endTimeUnixNano) - BASE_NS),
  s.serviceName === 'web' ? 0 : 1, 0, s.status.code, s.status.message, s.attributes, [], s.links, s.flags, s.traceState, [0, 0, 0],
];
const resources = [{ ...spans[1]!.resource, serviceName: 'web' }, { ...spans[0]!.resource, serviceName: 'db' }];
const parentFixes = [[6, spans[5]!.spanId]];
const doc = { traceId: TRACE_ID, format: COMPACT_TRACE_FORMAT, baseTimeUnixNano: BASE_NS.toString(), spans: spans.map(compact), resources, scopes: [spans[0]!.scope], parentFixes };

/** The document laid out as the server streams it: header, pages of 3 spans, trailer, each on its own line. */
function streamed(): string {
  const pages = [0, 3, 6].map((from, k) => `\n${k > 0 ? ',' : ''}${JSON.stringify(doc.spans.slice(from, from + 3)).slice(1, -1)}`);
  const header = JSON.stringify({ traceId: doc.traceId, format: doc.format, baseTimeUnixNano: doc.baseTimeUnixNano }).slice(0, -1);
  const trailer = JSON.stringify({ resources, scopes: doc.scopes, parentFixes }).slice(1);
  return `${header},"spans":[${pages.join('')}\n],${trailer}`;
}

function decodeIn(text: string, pieceLength: number, output: 'packed' | 'objects' = 'packed') {
  const decoder = new CompactTraceLineDecoder(output);
  for (let at = 0; at < text.length; at += pieceLength) decoder.push(text.slice(at, at + pieceLength));
  return decoder.end();
}

describe.each(['packed', 'objects'] as const)('CompactTraceLineDecoder making %s spans', (output) => {
  it('gives the spans of the whole document however the text is cut into pieces', () => {
    const whole = parseCompactTraceResponse(doc);
    expect(JSON.parse(streamed())).toEqual(doc);
    for (const piece of [1, 7, 64, streamed().length]) expect(decodeIn(streamed(), piece, output)).toEqual(whole);
    expect(whole.spans[6]!.parentSpanId).toBe(spans[5]!.spanId);
    expect(whole.spans.map((s) => s.serviceName)).toEqual(['db', 'web', 'db', 'web', 'db', 'web', 'db']);
  });

  it('decodes a document not laid out in lines as a whole', () => {
    expect(decodeIn(JSON.stringify(doc), 50, output)).toEqual(parseCompactTraceResponse(doc));
    expect(decodeIn(JSON.stringify(doc, null, 2), 50, output)).toEqual(parseCompactTraceResponse(doc));
  });

  it('refuses a response cut short, and a bad span with its path', () => {
    const text = streamed();
    expect(() => decodeIn(text.slice(0, text.lastIndexOf('\n')), 100, output)).toThrow(/before its trailer/);
    const bad = text.replace(`"${spans[4]!.spanId}"`, '4');
    expect(() => decodeIn(bad, 100, output)).toThrow(ApiError);
    expect(() => decodeIn(bad, 100, output)).toThrow(/\$\.spans\[4\]\[0\]/);
  });
});

describe('CompactTraceLineDecoder offsets', () => {
  it("gives each span's times as the offsets sent, from one base object, NaN for those sent as text", () => {
    const text = streamed().replace(`,${Number(BigInt(spans[2]!.endTimeUnixNano) - BASE_NS)},`, `,"${Number(BigInt(spans[2]!.endTimeUnixNano) - BASE_NS)}",`);
    const decoder = new CompactTraceLineDecoder('objects');
    decoder.push(text);
    const decoded = decoder.objectsSoFar;
    expect(decoded).toHaveLength(7);
    const first = decoder.offsetsOf(0, 3)!;
    const rest = decoder.offsetsOf(3, 7)!;
    expect(rest.base).toBe(first.base);
    const startEnd = [...Array.from(first.startEnd), ...Array.from(rest.startEnd)];
    expect(startEnd).toHaveLength(14);
    decoded.forEach((span, i) => {
      expect(first.base.nanos + BigInt(startEnd[2 * i]!)).toBe(BigInt(span.startTimeUnixNano));
      if (i !== 2) expect(first.base.nanos + BigInt(startEnd[2 * i + 1]!)).toBe(BigInt(span.endTimeUnixNano));
    });
    expect(startEnd[5]).toBeNaN();
  });

  it('knows none while the text is decoded whole', () => {
    const decoder = new CompactTraceLineDecoder('objects');
    decoder.push(JSON.stringify(doc));
    expect(decoder.offsetsOf(0, 0)).toBeUndefined();
  });
});
