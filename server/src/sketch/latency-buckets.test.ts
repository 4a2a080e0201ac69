import { describe, expect, it } from 'vitest';
import { buildLatencyGrid, buildLatencyHistogram, lowestDurationIn } from './latency-buckets.js';
import { bucketIndexOf, LatencySketch } from './latency-sketch.js';
import { logNormalDurations } from './test-support/random.js';
import { seededRandom } from '../test-support/seeded-random.js';

function pairOf(values: readonly number[], failed: (i: number) => boolean = () => false) {
  const all = new LatencySketch();
  const errors = new LatencySketch();
  values.forEach((v, i) => {
    all.add(v);
    if (failed(i)) errors.add(v);
  });
  return { all, errors };
}

describe('lowestDurationIn', () => {
  it('is the first whole duration of each sketch bucket', () => {
    for (let i = 1; i < 2000; i++) {
      const low = lowestDurationIn(i);
      if (low >= 2n ** 53n) break;
      expect(bucketIndexOf(Number(low))).toBeGreaterThanOrEqual(i);
      if (low > 1n) expect(bucketIndexOf(Number(low - 1n))).toBeLessThan(i);
    }
    expect(lowestDurationIn(0)).toBe(1n);
  });
});

describe('buildLatencyHistogram', () => {
  const values = logNormalDurations(seededRandom(5), 20_000, 3e6, 1.2);
  const pair = pairOf(values, (i) => i % 37 === 0);

  it('counts exactly the durations inside each bucket’s bounds', () => {
    const histogram = buildLatencyHistogram(pair, 40);
    expect(histogram.length).toBeLessThanOrEqual(40);
    for (const b of histogram) {
      const inside = values.filter((v) => BigInt(v) >= b.lowNs && BigInt(v) <= b.highNs);
      expect(b.count).toBe(inside.length);
      const failed = values.filter((v, i) => i % 37 === 0 && BigInt(v) >= b.lowNs && BigInt(v) <= b.highNs);
      expect(b.errorCount).toBe(failed.length);
    }
    expect(histogram.reduce((n, b) => n + b.count, 0)).toBe(values.length);
  });

  it('has contiguous buckets, and edges that do not depend on the data’s exact range', () => {
    const histogram = buildLatencyHistogram(pair, 40);
    histogram.slice(1).forEach((b, k) => expect(b.lowNs).toBe(histogram[k]!.highNs + 1n));
    const narrower = buildLatencyHistogram(pairOf(values.slice(0, 100)), 40);
    const edges = new Set(histogram.map((b) => b.lowNs));
    // Same resolution → same edges; a coarser one is a union of finer buckets.
    expect(narrower.every((b) => edges.has(b.lowNs)) || narrower.length < histogram.length).toBe(true);
  });

  it('puts zero durations in a [0, 0] bucket first, and is empty for an empty sketch', () => {
    const histogram = buildLatencyHistogram(pairOf([0, 0, 5]), 10);
    expect(histogram[0]).toEqual({ lowNs: 0n, highNs: 0n, count: 2, errorCount: 0 });
    expect(histogram.reduce((n, b) => n + b.count, 0)).toBe(3);
    expect(buildLatencyHistogram(pairOf([]), 10)).toEqual([]);
  });
});

describe('buildLatencyGrid', () => {
  it('puts every slice on the same buckets, each row summing to its slice', () => {
    const slices = [
      pairOf(logNormalDurations(seededRandom(1), 1000, 1e5, 0.5)),
      pairOf([]),
      pairOf(logNormalDurations(seededRandom(2), 500, 1e8, 0.5), () => true),
    ];
    const grid = buildLatencyGrid(slices, 30);
    expect(grid.buckets.length).toBeLessThanOrEqual(30);
    expect(grid.counts.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([1000, 0, 500]);
    expect(grid.errorCounts.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([0, 0, 500]);
    expect(grid.counts.every((row) => row.length === grid.buckets.length)).toBe(true);
  });
});
