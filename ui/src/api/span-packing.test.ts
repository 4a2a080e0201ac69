import { describe, expect, it } from 'vitest';
import { COMPACT_TRACE_FORMAT_3, type KeyValue } from '@threadline/shared';
import { CompactTraceDecoder } from './decode-compact-trace';
import { SpanUnpacker, unresolvedOwner, type PackedSpans } from './span-packing';
import { BASE_NS, TRACE_ID, sid } from '../model/fixtures/make-span';

/** What crosses to the page: a structured clone, as postMessage makes. */
const crossed = (packed: PackedSpans): PackedSpans => structuredClone(packed);

const header = { traceId: TRACE_ID, format: COMPACT_TRACE_FORMAT_3, baseTimeUnixNano: BASE_NS.toString() };

/** A compact-3 span row: [id, parent, name, kind, start, end, resource, scope, status, message, attributes, events, links, flags, traceState, dropped]. */
function row(id: string, parent: string, start: number | string, end: number | string, attributes: unknown[] = [], events: unknown[] = []): unknown[] {
  return [sid(id), parent && sid(parent), `op ${id}`, 2, start, end, 0, 0, 0, '', attributes, events, [], 1, '', [0, 0, 0]];
}

describe('span packing', () => {
  it('gives back every kind of attribute value, with the spans that carry them', () => {
    const values: KeyValue[] = [
      { key: 'rpc.system', value: { stringValue: 'grpc' } },
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
    const decoder = new CompactTraceDecoder(header);
    decoder.addSpans([row('root', '', 0, 10, values, [[5, 'retry', [{ key: 'n', value: { intValue: '2' } }], 1]])]);
    const [span] = new SpanUnpacker().unpack(crossed(decoder.takeSpans()));
    expect(span!.attributes).toEqual(values);
    expect(Object.is(span!.attributes[3]!.value.doubleValue, -0)).toBe(true);
    expect(span!.events).toEqual([{ timeUnixNano: (BASE_NS + 5n).toString(), name: 'retry', attributes: [{ key: 'n', value: { intValue: '2' } }], droppedAttributesCount: 1 }]);
    expect(span!.resource).toBe(unresolvedOwner.resource);
  });

  it('writes times exactly: offsets either side of the base, across second boundaries, and beyond what a double holds', () => {
    const big = '9007199254740993';
    const decoder = new CompactTraceDecoder(header);
    decoder.addSpans([row('a', '', -1, 999_999_999), row('b', '', -(10 ** 12) - 7, 2 ** 52), row('c', '', big, `-${big}`)]);
    const spans = new SpanUnpacker().unpack(crossed(decoder.takeSpans()));
    const expected = [[-1n, 999_999_999n], [-(10n ** 12n) - 7n, 2n ** 52n], [BigInt(big), -BigInt(big)]].map(([s, e]) => [(BASE_NS + s!).toString(), (BASE_NS + e!).toString()]);
    expect(spans.map((s) => [s.startTimeUnixNano, s.endTimeUnixNano])).toEqual(expected);
  });

  it('writes times near zero as plain decimals', () => {
    const decoder = new CompactTraceDecoder({ ...header, baseTimeUnixNano: '5' });
    decoder.addSpans([row('a', '', 0, -5), row('b', '', 1_000_000_000, 1_999_999_995)]);
    const spans = new SpanUnpacker().unpack(decoder.takeSpans());
    expect(spans.flatMap((s) => [s.startTimeUnixNano, s.endTimeUnixNano])).toEqual(['5', '0', '1000000005', '2000000000']);
  });

  it('sends each string and attribute once over all batches, and the page shares them', () => {
    const route = { key: 'http.route', value: { stringValue: '/orders' } };
    const decoder = new CompactTraceDecoder(header);
    const unpacker = new SpanUnpacker();
    decoder.addSpans([row('a', '', 0, 1, [route]), row('b', 'a', 0, 1, [0])]);
    const first = decoder.takeSpans();
    // Sent in full again (as compact-2 does, or compact-3 once its table is full): still one object.
    decoder.addSpans([row('c', 'a', 0, 1, [route])]);
    const second = decoder.takeSpans();
    expect(second.strings).not.toContain('/orders');
    expect(second.strings).not.toContain(sid('a'));
    const [a, b] = unpacker.unpack(crossed(first));
    const [c] = unpacker.unpack(crossed(second));
    expect(c!.attributes[0]).toBe(a!.attributes[0]);
    expect(b!.attributes[0]).toBe(a!.attributes[0]);
    expect(c!.parentSpanId).toBe(a!.spanId);
    expect(c!.status).toBe(a!.status);
  });

  it('refuses a batch that does not add up, rather than building wrong spans', () => {
    const decoder = new CompactTraceDecoder(header);
    decoder.addSpans([row('a', '', 0, 1)]);
    const packed = decoder.takeSpans();
    expect(() => new SpanUnpacker().unpack({ ...packed, words: packed.words.subarray(0, packed.words.length - 1) })).toThrow(/ended in the middle/);
    expect(() => new SpanUnpacker().unpack({ ...packed, count: 0 })).toThrow(/left over/);
    expect(() => new SpanUnpacker().unpack({ ...packed, strings: [] })).toThrow(/refer to string/);
  });
});
