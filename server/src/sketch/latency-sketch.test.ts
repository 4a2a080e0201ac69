import { describe, expect, it } from 'vitest';
import {
  bucketIndexOf,
  bucketUpperBound,
  LatencySketch,
  MAX_BINS,
  mergeSketches,
  rankOf,
  RELATIVE_ACCURACY,
  SketchValueError,
} from './latency-sketch.js';
import { encodeSketch } from './sketch-codec.js';
import { logNormalDurations } from './test-support/random.js';
import { seededRandom } from '../test-support/seeded-random.js';

const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999];

function sketchOf(values: readonly (number | bigint)[]): LatencySketch {
  const s = new LatencySketch();
  for (const v of values) s.add(v);
  return s;
}

/** Nearest rank, the definition the sketch documents. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[rankOf(q, sorted.length) - 1]!;
}

const relativeError = (estimate: number, exact: number) => Math.abs(estimate - exact) / exact;

describe('relative accuracy', () => {
  // Float rounding in log/exp may add a hair over α at a bucket edge.
  const BOUND = RELATIVE_ACCURACY * (1 + 1e-9);

  it.each([
    [1, 5e6, 0.6],
    [2, 2e5, 1.2],
    [3, 8e8, 0.3],
    [4, 3e4, 2.0],
    [5, 1.5e7, 1.0],
  ])('stays within α of the exact nearest-rank quantile (seed %i, median %d ns, σ %d)', (seed, median, sigma) => {
    const values = logNormalDurations(seededRandom(seed), 50_000, median, sigma);
    const sketch = sketchOf(values);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of QUANTILES) {
      expect(relativeError(sketch.quantile(q)!, exactQuantile(sorted, q)), `q=${q}`).toBeLessThanOrEqual(BOUND);
    }
  });

  it('holds at every bucket edge, where the representative value is furthest', () => {
    for (let i = 1; i < 1500; i += 7) {
      for (const x of [Math.floor(bucketUpperBound(i - 1)) + 1, Math.floor(bucketUpperBound(i))]) {
        if (x < 1) continue;
        expect(relativeError(sketchOf([x, x + 1, x]).quantile(0.5)!, x)).toBeLessThanOrEqual(BOUND);
      }
    }
  });
});

describe('count, sum, min, max', () => {
  it('keeps count and sum exactly, sums beyond 2^53 included', () => {
    const big = 2n ** 62n;
    const s = sketchOf([big, big, big, 5n, 0n]);
    expect(s.count).toBe(5);
    expect(s.sumNs).toBe(3n * big + 5n);
    expect(s.minNs).toBe(0);
    expect(s.maxNs).toBe(Number(big));
  });

  it('adds repeated values in one call', () => {
    const once = new LatencySketch();
    once.add(1234, 3);
    expect(encodeSketch(once)).toEqual(encodeSketch(sketchOf([1234, 1234, 1234])));
  });

  it('rejects what is not a duration', () => {
    const s = new LatencySketch();
    expect(() => s.add(-1)).toThrow(SketchValueError);
    expect(() => s.add(1.5)).toThrow(SketchValueError);
    expect(() => s.add(2n ** 64n)).toThrow(SketchValueError);
    expect(() => s.add(5, 0)).toThrow(SketchValueError);
    expect(() => s.quantile(1.01)).toThrow(SketchValueError);
    expect(() => s.quantile(Number.NaN)).toThrow(SketchValueError);
    expect(s.count).toBe(0);
  });
});

describe('merge', () => {
  it('gives exactly the buckets of a sketch of the union', () => {
    const random = seededRandom(42);
    const a = logNormalDurations(random, 10_000, 1e6, 1);
    const b = logNormalDurations(random, 7_000, 5e7, 0.5);
    const merged = mergeSketches(sketchOf(a), sketchOf(b));
    expect(encodeSketch(merged)).toEqual(encodeSketch(sketchOf([...a, ...b])));
    expect(encodeSketch(mergeSketches(sketchOf(b), sketchOf(a)))).toEqual(encodeSketch(merged));
  });

  it('is associative, whatever the grouping of many small sketches', () => {
    const values = logNormalDurations(seededRandom(7), 3_000, 2e6, 1.5);
    const byOne = new LatencySketch();
    for (let i = 0; i < values.length; i += 100) byOne.merge(sketchOf(values.slice(i, i + 100)));
    expect(encodeSketch(byOne)).toEqual(encodeSketch(sketchOf(values)));
  });

  it('leaves its arguments alone, and merging an empty sketch changes nothing', () => {
    const a = sketchOf([1, 2, 3]);
    const before = encodeSketch(a);
    mergeSketches(a, sketchOf([1e9]));
    expect(encodeSketch(a)).toEqual(before);
    a.merge(new LatencySketch());
    expect(encodeSketch(a)).toEqual(before);
  });
});

describe('remove', () => {
  it('takes values back exactly: same buckets, count and sum as never having added them', () => {
    const kept = logNormalDurations(seededRandom(21), 2_000, 1e6, 1);
    const dropped = logNormalDurations(seededRandom(22), 500, 1e7, 1);
    const s = sketchOf([...kept, ...dropped, 0]);
    for (const d of [...dropped, 0]) s.remove(BigInt(d));
    const expected = sketchOf(kept);
    expect([s.count, s.sumNs, s.zeroCount]).toEqual([expected.count, expected.sumNs, 0]);
    const bins = (x: LatencySketch) => {
      const out: Array<[number, number]> = [];
      x.forEachBin((i, c) => out.push([i, c]));
      return out;
    };
    expect(bins(s)).toEqual(bins(expected));
    expect(s.binRange).toEqual(expected.binRange);
  });

  it('keeps min and max as bounds, so quantiles stay within α', () => {
    const s = sketchOf([1_000, 50_000, 9_000_000]);
    s.remove(1_000n);
    s.remove(9_000_000n);
    expect([s.minNs, s.maxNs]).toEqual([1_000, 9_000_000]);
    expect(relativeError(s.quantile(0.5)!, 50_000)).toBeLessThanOrEqual(RELATIVE_ACCURACY);
  });

  it('refuses to remove what is not there, and empties cleanly', () => {
    const s = sketchOf([5_000]);
    expect(() => s.remove(7_000_000n)).toThrow(SketchValueError);
    expect(() => s.remove(0n)).toThrow(SketchValueError);
    s.remove(5_000n);
    expect(s.isEmpty).toBe(true);
    expect(s.binRange).toBeUndefined();
    expect(encodeSketch(s)).toEqual(encodeSketch(new LatencySketch()));
    expect(() => s.remove(5_000n)).toThrow(SketchValueError);
  });
});

describe('bounded size', () => {
  it(`keeps at most ${MAX_BINS} buckets, collapsing the lowest, and merges stay exact`, () => {
    const tiny = [1, 2, 3, 5, 8];
    const huge = [2 ** 62, 2 ** 63];
    const s = sketchOf([...tiny, ...huge]);
    const range = s.binRange!;
    expect(range.hi - range.lo + 1).toBeLessThanOrEqual(MAX_BINS);
    expect(range.hi).toBe(bucketIndexOf(2 ** 63));
    expect(s.count).toBe(7);
    // High quantiles keep their accuracy; the collapsed low end reads high.
    expect(relativeError(s.quantile(1)!, 2 ** 63)).toBe(0);
    expect(relativeError(s.quantile(6 / 7)!, 2 ** 62)).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    // Same result whichever arrives first: collapsing does not depend on order.
    expect(encodeSketch(mergeSketches(sketchOf(huge), sketchOf(tiny)))).toEqual(encodeSketch(s));
    expect(encodeSketch(sketchOf([...huge, ...tiny]))).toEqual(encodeSketch(s));
  });
});

describe('edge cases', () => {
  it('an empty sketch has no quantiles', () => {
    const s = new LatencySketch();
    expect(s.isEmpty).toBe(true);
    expect(s.quantile(0.5)).toBeUndefined();
    expect(s.minNs).toBeUndefined();
    expect(s.binRange).toBeUndefined();
  });

  it('a single value comes back exactly for every q', () => {
    const s = sketchOf([123_456_789]);
    for (const q of [0, ...QUANTILES, 1]) expect(s.quantile(q)).toBe(123_456_789);
  });

  it('zero durations have their own bucket', () => {
    const s = sketchOf([0, 0, 0, 1000]);
    expect(s.zeroCount).toBe(3);
    expect(s.quantile(0.75)).toBe(0);
    expect(s.quantile(0.76)).toBe(1000);
    expect(sketchOf([0]).quantile(0.99)).toBe(0);
  });

  it('handles the longest durations int64 can hold', () => {
    const max = 2n ** 63n - 1n;
    const s = sketchOf([max, 1n]);
    expect(s.sumNs).toBe(max + 1n);
    expect(relativeError(s.quantile(1)!, Number(max))).toBe(0);
  });
});

describe('rankOf', () => {
  it('is the nearest rank, robust to floating-point noise', () => {
    expect(rankOf(0.07, 100)).toBe(7);
    expect(rankOf(0.57, 100)).toBe(57);
    expect(rankOf(0.95, 10)).toBe(10);
    expect(rankOf(0.5, 4)).toBe(2);
    expect(rankOf(0, 9)).toBe(1);
    expect(rankOf(1, 9)).toBe(9);
    expect(rankOf(0.999, 1000)).toBe(999);
  });
});
