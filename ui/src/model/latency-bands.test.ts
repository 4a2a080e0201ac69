import { describe, expect, it } from 'vitest';
import { bandIndexRange, bandPosition, buildLatencyTicks, formatLatencyTick, type LatencyBucket } from './latency-bands';

/** Like the server's: a [0, 0] bucket, then contiguous log-spaced buckets (factor 2 here). */
const buckets: LatencyBucket[] = [
  { lowNs: 0, highNs: 0 },
  { lowNs: 1_000, highNs: 1_999 },
  { lowNs: 2_000, highNs: 3_999 },
  { lowNs: 4_000, highNs: 7_999 },
  { lowNs: 8_000, highNs: 15_999 },
];

describe('log-latency band axis', () => {
  it('puts a duration inside its bucket, log-interpolated', () => {
    expect(bandPosition(buckets, 0)).toBe(0.5);
    expect(bandPosition(buckets, 1_000)).toBe(1);
    expect(bandPosition(buckets, 2_000)).toBe(2);
    // √2 × 4000 is halfway through [4000, 8000) on a log axis.
    expect(bandPosition(buckets, Math.SQRT2 * 4_000)).toBeCloseTo(3.5, 6);
    expect(bandPosition(buckets, 15_999)).toBeCloseTo(5, 3);
  });

  it('has no position outside every bucket', () => {
    expect(bandPosition(buckets, 500)).toBeNull();
    expect(bandPosition(buckets, 16_000)).toBeNull();
    expect(bandPosition([], 5)).toBeNull();
  });

  it('turns a dragged range of fractions into whole bands, either direction, clamped', () => {
    expect(bandIndexRange(0.1, 0.5, 5)).toEqual([0, 2]);
    expect(bandIndexRange(0.5, 0.1, 5)).toEqual([0, 2]);
    expect(bandIndexRange(-1, 2, 5)).toEqual([0, 4]);
    // A click picks the band under it, also on a band edge.
    expect(bandIndexRange(0.45, 0.45, 5)).toEqual([2, 2]);
    expect(bandIndexRange(0.4, 0.4, 5)).toEqual([2, 2]);
    expect(bandIndexRange(1, 1, 5)).toEqual([4, 4]);
  });

  it('labels round durations inside the buckets, and zero', () => {
    const ticks = buildLatencyTicks(buckets, 6);
    expect(ticks.map((t) => t.label)).toEqual(['0', '1µs', '2µs', '5µs', '10µs']);
    expect(ticks.map((t) => t.position)).toEqual([0.5, 1, 2, bandPosition(buckets, 5_000), bandPosition(buckets, 10_000)]);
    // Room to spare: finer steps; crowded: decades only.
    expect(buildLatencyTicks(buckets, 10).map((t) => t.label)).toEqual(['0', '1µs', '1.5µs', '2µs', '3µs', '5µs', '7µs', '10µs', '15µs']);
    expect(buildLatencyTicks(buckets, 3).map((t) => t.label)).toEqual(['0', '1µs', '10µs']);
  });

  it('keeps seconds as seconds', () => {
    expect([0, 150e6, 1.5e9, 100e9, 250, 2_500].map(formatLatencyTick)).toEqual(['0', '150ms', '1.5s', '100s', '250ns', '2.5µs']);
  });

  it('thins decades out on a wide axis', () => {
    const wide: LatencyBucket[] = [
      { lowNs: 1, highNs: 999_999 },
      { lowNs: 1_000_000, highNs: 100_000_000_000 },
    ];
    const labels = buildLatencyTicks(wide, 4).map((t) => t.label);
    expect(labels).toEqual(['1ns', '1µs', '1ms', '1s']);
    expect(buildLatencyTicks(wide, 1).map((t) => t.label)).toEqual(['1ns']);
  });
});
