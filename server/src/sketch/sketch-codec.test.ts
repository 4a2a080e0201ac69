import { describe, expect, it } from 'vitest';
import { LatencySketch } from './latency-sketch.js';
import { encodeSketch, mergeEncodedSketch, parseSketch, SketchFormatError } from './sketch-codec.js';
import { logNormalDurations } from './test-support/random.js';
import { seededRandom } from '../test-support/seeded-random.js';

function sketchOf(values: readonly (number | bigint)[]): LatencySketch {
  const s = new LatencySketch();
  for (const v of values) s.add(v);
  return s;
}

function expectSameSketch(a: LatencySketch, b: LatencySketch): void {
  expect(encodeSketch(a)).toEqual(encodeSketch(b));
  expect([a.count, a.zeroCount, a.sumNs, a.minNs, a.maxNs]).toEqual([b.count, b.zeroCount, b.sumNs, b.minNs, b.maxNs]);
  for (const q of [0, 0.5, 0.9, 0.99, 0.999, 1]) expect(a.quantile(q)).toBe(b.quantile(q));
}

const formatError = (bytes: number[]) => {
  try {
    parseSketch(Uint8Array.from(bytes));
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('round trip', () => {
  it.each([
    ['empty', [] as Array<number | bigint>],
    ['one value', [42]],
    ['zeros only', [0, 0]],
    ['huge', [2n ** 63n - 1n, 2n ** 63n - 1n, 0n, 1n]],
    ['collapsed', [1, 2, 2 ** 62]],
    ['log-normal', logNormalDurations(seededRandom(3), 5_000, 3e6, 1)],
  ])('%s', (_name, values) => {
    const sketch = sketchOf(values);
    expectSameSketch(parseSketch(encodeSketch(sketch)), sketch);
  });

  it('is compact: about two bytes per bucket in use', () => {
    const sketch = sketchOf(logNormalDurations(seededRandom(9), 2_000, 4e6, 0.4));
    let buckets = 0;
    sketch.forEachBin(() => buckets++);
    expect(encodeSketch(sketch).length).toBeLessThan(2 * buckets + 20);
  });

  it('merges encoded bytes into a sketch as merge would', () => {
    const a = sketchOf(logNormalDurations(seededRandom(1), 1_000, 1e6, 1));
    const b = logNormalDurations(seededRandom(2), 1_000, 1e8, 1);
    const target = parseSketch(encodeSketch(a));
    mergeEncodedSketch(target, encodeSketch(sketchOf(b)));
    a.merge(sketchOf(b));
    expectSameSketch(target, a);
  });
});

describe('corrupt bytes', () => {
  // version 1, no zeros, one bucket at index 10 with count 2, sum 30, min 10, max 20.
  const VALID = [1, 0, 1, 10, 2, 30, 10, 20];

  it('accepts the reference encoding', () => {
    const s = parseSketch(Uint8Array.from(VALID));
    expect([s.count, s.sumNs, s.minNs, s.maxNs]).toEqual([2, 30n, 10, 20]);
  });

  it.each([
    ['empty input', [], /truncated at byte 0/],
    ['unknown version', [2, ...VALID.slice(1)], /unknown version 2/],
    ['truncated', VALID.slice(0, 6), /truncated/],
    ['trailing bytes', [...VALID, 0], /trailing bytes at byte 8/],
    ['an empty bucket', [1, 0, 1, 10, 0, 0], /empty bucket/],
    ['indexes not increasing', [1, 0, 2, 10, 1, 0, 1, 20, 10, 10], /not increasing/],
    ['an index past any duration', [1, 0, 1, 0xff, 0x7f, 1, 1, 1, 1], /bucket index 16383/],
    ['too many buckets', [1, 0, 0x81, 0x10, 10, 1], /buckets \(at most 2048\)/],
    ['an endless varint', [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], /varint too large/],
    ['min above max', [1, 0, 1, 10, 2, 30, 20, 10], /min above max/],
    ['a sum without values', [1, 0, 0, 5], /empty sketch with a sum/],
  ])('refuses %s', (_name, bytes, message) => {
    const err = formatError(bytes);
    expect(err).toBeInstanceOf(SketchFormatError);
    expect((err as Error).message).toMatch(message);
  });

  it('throws only SketchFormatError on random corruption, and never half-merges', () => {
    const good = encodeSketch(sketchOf(logNormalDurations(seededRandom(11), 500, 2e6, 1)));
    const random = seededRandom(12);
    for (let trial = 0; trial < 2_000; trial++) {
      const bytes = Uint8Array.from(good);
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const target = sketchOf([7]);
      try {
        mergeEncodedSketch(target, bytes.subarray(0, Math.floor(random() * (bytes.length + 1))));
      } catch (err) {
        expect(err).toBeInstanceOf(SketchFormatError);
        expect(target.count).toBe(1);
      }
    }
  });
});
