import { describe, expect, it } from 'vitest';
import { durationBucketOf } from './duration-buckets.js';
import { decodeDurationList, DurationListBuilder, encodeDurationList, type DurationEntry } from './duration-lists.js';

const entry = (startNs: bigint, durationNs: bigint, traceNum = 7): DurationEntry => ({
  startNs,
  durationNs,
  traceNum,
  spanId: -(2n ** 63n) + startNs,
  isError: startNs % 2n === 0n ? 1 : 0,
});

describe('duration lists', () => {
  it('decode to the entries encoded, extreme values included', () => {
    const entries = [
      entry(1_700_000_000_000_000_000n, 1n, 1),
      entry(2n ** 63n - 1n, 2n ** 63n - 1n, 2 ** 53 - 1),
      { startNs: -(2n ** 63n), durationNs: 0n, traceNum: 3, spanId: 2n ** 63n - 1n, isError: 0 },
    ];
    const bytes = encodeDurationList(entries);
    expect(bytes.length).toBe(33 * 3);
    expect(decodeDurationList(bytes)).toEqual(entries);
    // From an unaligned view, as a blob can come.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(decodeDurationList(shifted.subarray(1))).toEqual(entries);
    expect(decodeDurationList(new Uint8Array(0))).toEqual([]);
  });

  it('refuse bytes that are not whole entries', () => {
    expect(() => decodeDurationList(new Uint8Array(34))).toThrow('not whole entries');
  });

  it('gather a pass by (operation, bucket), each list with its time range, and start over once taken', () => {
    const builder = new DurationListBuilder();
    const spans = [entry(30n, 1_000_000n, 1), entry(10n, 900_000n, 2), entry(20n, 5n, 3), entry(5n, 1_000_000n, 4)];
    const columns = {
      operation: new Int32Array(4),
      startNs: BigInt64Array.from(spans, (e) => e.startNs),
      durationNs: BigInt64Array.from(spans, (e) => e.durationNs),
      spanId: BigInt64Array.from(spans, (e) => e.spanId),
      isError: Uint8Array.from(spans, (e) => e.isError),
    };
    [3, 3, 3, 4].forEach((op, row) => builder.add(op, columns, row, spans[row]!.traceNum));
    const lists = [...builder.take()];
    expect(lists.map((l) => [l.opId, l.bucket, l.count, l.firstStartNs, l.lastStartNs])).toEqual([
      [3, durationBucketOf(1_000_000n), 2, 10n, 30n],
      [3, durationBucketOf(5n), 1, 20n, 20n],
      [4, durationBucketOf(1_000_000n), 1, 5n, 5n],
    ]);
    expect(decodeDurationList(lists[0]!.entries)).toEqual([spans[0], spans[1]]);
    expect(decodeDurationList(lists[2]!.entries)).toEqual([spans[3]]);
    expect([...builder.take()]).toEqual([]);
  });
});
