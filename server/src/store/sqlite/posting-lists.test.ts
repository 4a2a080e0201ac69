import { describe, expect, it } from 'vitest';
import { decodePostingList, encodePostingList, mergePostingLists, PostingListBuilder, sortedDistinct } from './posting-lists.js';

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

  it('groups a pass by hour and tag, each list sorted, its last trace as key', () => {
    const builder = new PostingListBuilder();
    builder.add(10, 7, 30);
    builder.add(10, 7, 12);
    builder.add(10, 8, 12);
    builder.add(11, 7, 40);
    builder.add(10, 7, 30);
    const rows = [...builder.take()].map((r) => ({ ...r, nums: decodePostingList(r.nums) }));
    expect(rows).toEqual([
      { hour: 10, tag: 7, lastNum: 30, count: 2, nums: [12, 30] },
      { hour: 10, tag: 8, lastNum: 12, count: 1, nums: [12] },
      { hour: 11, tag: 7, lastNum: 40, count: 1, nums: [40] },
    ]);
    expect([...builder.take()]).toEqual([]);
  });
});
