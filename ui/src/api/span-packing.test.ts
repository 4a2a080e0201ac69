import { describe, expect, it } from 'vitest';
import type { KeyValue, Span } from '@threadline/shared';
import { SpanPacker, SpanUnpacker, type PackedSpans } from './span-packing';
import { makeSpan } from '../model/fixtures/make-span';

const owner = { resource: { attributes: [], droppedAttributesCount: 0 }, scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, serviceName: '' };

/** What crosses to the page: a structured clone, as postMessage makes. */
const crossed = (packed: PackedSpans): PackedSpans => structuredClone(packed);

function unowned(span: Span): Span {
  return { ...span, ...owner };
}

describe('span packing', () => {
  it('gives back every field of every span, over several batches', () => {
    const grpc: KeyValue = { key: 'rpc.system', value: { stringValue: 'grpc' } };
    const values: KeyValue[] = [
      grpc,
      { key: 'retries', value: { intValue: '-9007199254740993' } },
      { key: 'ratio', value: { doubleValue: Number.NaN } },
      { key: 'zero', value: { doubleValue: -0 } },
      { key: 'ok', value: { boolValue: true } },
      { key: 'cached', value: { boolValue: false } },
      { key: 'blob', value: { bytesValue: 'AAEC' } },
      { key: 'empty', value: {} },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } },
      { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
      { key: 'uni\u2028code', value: { stringValue: '\u{1F600} "quoted" \n' } },
    ];
    const first: Span[] = [
      { ...makeSpan({ id: 'root', start: 0, end: 10, attributes: values, events: [{ at: 1, name: 'retry', attributes: [grpc] }] }), flags: 0xffffffff, traceState: 'a=b' },
      { ...makeSpan({ id: 'child', parent: 'root', start: 1, end: 2, error: true }), links: [{ traceId: 'ff'.repeat(16), spanId: 'ee'.repeat(8), traceState: '', attributes: [grpc], droppedAttributesCount: 1, flags: 1 }] },
    ];
    const second: Span[] = [
      { ...makeSpan({ id: 'late', parent: 'child', start: 3, end: 4, attributes: [grpc] }), droppedAttributesCount: 2, droppedEventsCount: 3, droppedLinksCount: 4 },
      makeSpan({ id: 'orphan', parent: 'gone', start: 5, end: 6 }),
    ];
    const packer = new SpanPacker();
    const unpacker = new SpanUnpacker(owner);
    const got = [...unpacker.unpack(crossed(packer.pack(first))), ...unpacker.unpack(crossed(packer.pack(second)))];
    expect(got).toEqual([...first, ...second].map(unowned));
    expect(Object.is(got[0]!.attributes[3]!.value.doubleValue, -0)).toBe(true);
    expect(got[2]!.resource).toBe(owner.resource);
  });

  it('sends each string and attribute once, and shares them on the page', () => {
    const attribute = (): KeyValue => ({ key: 'http.route', value: { stringValue: '/orders' } });
    const spans = (from: number): Span[] =>
      [0, 1].map((i) => ({ ...makeSpan({ id: `s${from + i}`, parent: 'root', name: 'GET', start: i, end: i + 1 }), attributes: [attribute()] }));
    const packer = new SpanPacker();
    const unpacker = new SpanUnpacker(owner);
    const batches = [packer.pack(spans(0)), packer.pack(spans(2))];
    // The second batch sends only what is new in it: IDs and times.
    expect(batches[1]!.strings).not.toContain('GET');
    expect(batches[1]!.strings).not.toContain('/orders');
    const [a, b] = batches.map((p) => unpacker.unpack(crossed(p)));
    expect(b![1]!.attributes[0]).toBe(a![0]!.attributes[0]);
    expect(b![1]!.name).toBe(a![0]!.name);
    expect(b![1]!.status).toBe(a![0]!.status);
  });

  it('refuses a batch that does not add up, rather than building wrong spans', () => {
    const packed = new SpanPacker().pack([makeSpan({ id: 'a', start: 0, end: 1 })]);
    expect(() => new SpanUnpacker(owner).unpack({ ...packed, words: packed.words.subarray(0, packed.words.length - 1) })).toThrow(/ended in the middle/);
    expect(() => new SpanUnpacker(owner).unpack({ ...packed, count: 0 })).toThrow(/left over/);
    expect(() => new SpanUnpacker(owner).unpack({ ...packed, strings: [] })).toThrow(/refer to string/);
  });
});
