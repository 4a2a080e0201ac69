import { describe, expect, it } from 'vitest';
import { COMPACT_TRACE_FORMAT, type Span } from '@threadline/shared';
import { applyTrailer, parseCompactTraceResponse, type CompactTrailer } from './decode-compact-trace';
import { SpanUnpacker } from './span-packing';
import { readIfWithin, streamCompactTrace, withHead } from './read-compact-trace';
import { ApiError } from './api-error';
import { BASE_NS, makeSpan, TRACE_ID } from '../model/fixtures/make-span';

const spans = Array.from({ length: 10 }, (_, i) => makeSpan({ id: `s${i}`, parent: i === 0 ? undefined : 's0', service: i % 3 ? 'web' : 'db', start: i, end: i + 10 }));
const row = (s: Span) => [
  s.spanId, s.parentSpanId, s.name, s.kind, Number(BigInt(s.startTimeUnixNano) - BASE_NS), Number(BigInt(s.endTimeUnixNano) - BASE_NS),
  s.serviceName === 'web' ? 0 : 1, 0, s.status.code, s.status.message, s.attributes, [], s.links, s.flags, s.traceState, [0, 0, 0],
];
const resources = [{ ...spans[1]!.resource, serviceName: 'web' }, { ...spans[0]!.resource, serviceName: 'db' }];
const doc = { traceId: TRACE_ID, format: COMPACT_TRACE_FORMAT, baseTimeUnixNano: BASE_NS.toString(), spans: spans.map(row), resources, scopes: [spans[0]!.scope], parentFixes: [[9, spans[3]!.spanId]] };

/** The document as the server streams it (pages of 2 spans on lines of their own), delivered in pieces of `piece` bytes. */
function body(piece: number): ReadableStream<Uint8Array> {
  const pages = [0, 2, 4, 6, 8].map((from, k) => `\n${k > 0 ? ',' : ''}${JSON.stringify(doc.spans.slice(from, from + 2)).slice(1, -1)}`);
  const header = JSON.stringify({ traceId: doc.traceId, format: doc.format, baseTimeUnixNano: doc.baseTimeUnixNano }).slice(0, -1);
  const bytes = new TextEncoder().encode(`${header},"spans":[${pages.join('')}\n],${JSON.stringify({ resources, scopes: doc.scopes, parentFixes: doc.parentFixes }).slice(1)}`);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += piece)));
    },
  });
}

describe('streamCompactTrace', () => {
  it('hands over the spans in batches before the trailer, which then finishes them like a whole decode', async () => {
    const batches: Span[][] = [];
    const unpacker = new SpanUnpacker();
    let end: { traceId: string; trailer: CompactTrailer } | undefined;
    await streamCompactTrace(body(40), '/t', { spans: (b) => batches.push(unpacker.unpack(b)), end: (traceId, trailer) => (end = { traceId, trailer }) }, 3);
    expect(batches.length).toBeGreaterThan(2);
    expect(batches.slice(0, -1).every((b) => b.length >= 3)).toBe(true);
    // Before the trailer the spans have no service yet.
    expect(batches[0]!.every((s) => s.serviceName === '')).toBe(true);
    const all = batches.flat();
    applyTrailer(all, end!.trailer);
    expect({ traceId: end!.traceId, spans: all }).toEqual(parseCompactTraceResponse(doc));
    expect(all[9]!.parentSpanId).toBe(spans[3]!.spanId);
    expect(await readIfWithin(body(7), '/t', Number.POSITIVE_INFINITY)).toEqual({ trace: parseCompactTraceResponse(doc) });
  });

  it('refuses a trailer whose indexes do not fit, and one applied to other spans', async () => {
    const bad = { ...doc, spans: doc.spans.map((s, i) => (i === 4 ? s.map((v, k) => (k === 6 ? 2 : v)) : s)) };
    const text = new TextEncoder().encode(JSON.stringify(bad));
    const stream = () => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(text), c.close()) });
    await expect(streamCompactTrace(stream(), '/t', { spans: () => {}, end: () => {} }, 100)).rejects.toThrow(/\$\.spans\[4\]\[6\]/);
    await expect(readIfWithin(stream(), '/t', Number.POSITIVE_INFINITY)).rejects.toThrow(/\$\.spans\[4\]\[6\]/);
    let trailer: CompactTrailer | undefined;
    await streamCompactTrace(body(64), '/t', { spans: () => {}, end: (_id, t) => (trailer = t) }, 100);
    expect(() => applyTrailer(spans.slice(1), trailer!)).toThrow(/for 10 spans, not 9/);
  });
});

describe('readIfWithin', () => {
  const whole = parseCompactTraceResponse(doc);

  it('decodes a body that ends within the limit', async () => {
    expect(await readIfWithin(body(40), '/t', 1 << 20)).toEqual({ trace: whole });
  });

  it('gives the spans to onSpans as pages arrive, in order: the very objects the trace then holds, finished', async () => {
    const batches: Span[][] = [];
    const read = await readIfWithin(body(40), '/t', 1 << 20, undefined, (batch) => batches.push([...batch]));
    if (!('trace' in read)) throw new Error('expected a trace');
    expect(batches.length).toBeGreaterThan(1);
    const given = batches.flat();
    expect(given).toHaveLength(whole.spans.length);
    given.forEach((span, i) => expect(span).toBe(read.trace.spans[i]));
    expect(read.trace).toEqual(whole);
    // A document not laid out in lines is decoded whole at its end, and given then.
    const once: Span[][] = [];
    const text = new TextEncoder().encode(JSON.stringify(doc));
    const flat = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(text), c.close()) });
    expect(await readIfWithin(flat, '/t', 1 << 20, undefined, (batch) => once.push([...batch]))).toEqual({ trace: whole });
    expect(once.map((b) => b.length)).toEqual([whole.spans.length]);
  });

  it('stops at a longer body and gives back its start, which withHead puts back in front of the rest', async () => {
    const stream = body(40);
    const read = await readIfWithin(stream, '/t', 100);
    if (!('head' in read)) throw new Error('expected the head of a long body');
    expect(read.head.reduce((n, c) => n + c.byteLength, 0)).toBeGreaterThan(100);
    expect(read.head.reduce((n, c) => n + c.byteLength, 0)).toBeLessThanOrEqual(140);
    expect(await readIfWithin(withHead(read.head, stream), '/t', Number.POSITIVE_INFINITY)).toEqual({ trace: whole });
  });

  it('answers a body that is not a compact trace with an ApiError, and passes an abort on as it came', async () => {
    const text = (t: string) => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode(t)), c.close()) });
    await expect(readIfWithin(text('{"nope":'), '/t', 1 << 20)).rejects.toThrow(ApiError);
    const controller = new AbortController();
    const aborted = new ReadableStream<Uint8Array>({ pull: () => { controller.abort(); throw new DOMException('aborted', 'AbortError'); } });
    await expect(readIfWithin(aborted, '/t', 1 << 20, controller.signal)).rejects.toThrow(DOMException);
  });
});
