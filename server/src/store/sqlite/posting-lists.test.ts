import { describe, expect, it } from 'vitest';
import { decodePostingList, encodePostingList, mergePostingLists, PostingListBuilder, sortedDistinct, startBoundsOf, windowBoundsMs } from './posting-lists.js';

describe('posting lists', () => {
  it('round-trips trace numbers from 1 to just below 2^53, dense and sparse', () => {
    const lists = [[], [1], [1, 2, 3, 4, 5], [127, 128, 129, 16_383, 16_384, 2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1]];
    for (const list of lists) expect(decodePostingList(encodePostingList(list))).toEqual(list);
  });

  it('takes one byte per trace for consecutive trace numbers', () => {
    const dense = Array.from({ length: 1000 }, (_, i) => 5_000_000 + i);
    expect(encodePostingList(dense).length).toBe(1000 + 3);
  });

  it('refuses a truncated list instead of inventing trace numbers', () => {
    const bytes = encodePostingList([1, 300]);
    expect(() => decodePostingList(bytes.subarray(0, bytes.length - 1))).toThrow('truncated posting list');
    expect(() => decodePostingList(new Uint8Array(10).fill(0xff))).toThrow(/truncated|too long/);
  });

  it('merges two lists into one sorted list without repeats', () => {
    const merged = mergePostingLists(encodePostingList([1, 5, 9]), encodePostingList([2, 5, 10]));
    expect(decodePostingList(merged)).toEqual([1, 2, 5, 9, 10]);
    expect(sortedDistinct([3, 1, 3, 2, 1])).toEqual([1, 2, 3]);
  });

  it('groups a pass by hour and tag, each list sorted, its last trace as key, bounded by the starts of every chunk that posted to it', () => {
    const builder = new PostingListBuilder();
    builder.add(10, 7, 30, 500, 600);
    builder.add(10, 7, 12, 100, 200);
    builder.add(10, 8, 12, 100, 200);
    builder.add(11, 7, 40, 4_000, 4_001);
    builder.add(10, 7, 30, 550, 900);
    const rows = [...builder.take()].map((r) => ({ ...r, nums: decodePostingList(r.nums) }));
    expect(rows).toEqual([
      { hour: 10, tag: 7, lastNum: 30, count: 2, nums: [12, 30], fromMs: 100, toMs: 900 },
      { hour: 10, tag: 8, lastNum: 12, count: 1, nums: [12], fromMs: 100, toMs: 200 },
      { hour: 11, tag: 7, lastNum: 40, count: 1, nums: [40], fromMs: 4_000, toMs: 4_001 },
    ]);
    expect([...builder.take()]).toEqual([]);
  });

  it('rounds start bounds outward, by at most a millisecond more, and a window inward, so a list meets every window its spans start in', () => {
    const exact = (ns: bigint) => ({ floor: Number(ns / 1_000_000n) - (ns % 1_000_000n < 0n ? 1 : 0), ceil: Number(ns / 1_000_000n) + (ns % 1_000_000n > 0n ? 1 : 0) });
    const BIG = 1_712_345_678_000_000_000n;
    const INT64_MAX = 2n ** 63n - 1n;
    for (const ns of [0n, 1n, 999_999n, 1_000_000n, 1_500_000n, BIG - 1n, BIG, BIG + 1n, BIG + 999_999n, -1_500_000n, -1n, INT64_MAX, -INT64_MAX]) {
      const { fromMs, toMs } = startBoundsOf(ns, ns);
      const { floor, ceil } = exact(ns);
      expect(fromMs, String(ns)).toBeLessThanOrEqual(floor);
      expect(fromMs, String(ns)).toBeGreaterThanOrEqual(floor - 1);
      expect(toMs, String(ns)).toBeGreaterThanOrEqual(ceil);
      expect(toMs, String(ns)).toBeLessThanOrEqual(ceil + 1);
    }
    // [end, start]: a list meets the window when fromMs <= end and toMs >= start.
    expect(windowBoundsMs(1_000_001n, 2_999_999n)).toEqual([2, 2]);
    expect(windowBoundsMs(1_000_000n, 3_000_000n)).toEqual([3, 1]);
    // A span starting at 2.5 ms lies in the window [2.1 ms, 2.9 ms]: its list must meet it.
    const list = startBoundsOf(2_500_000n, 2_500_000n);
    const [end, start] = windowBoundsMs(2_100_000n, 2_900_000n);
    expect(list.fromMs <= end && list.toMs >= start).toBe(true);
  });
});
