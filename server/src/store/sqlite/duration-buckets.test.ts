import { describe, expect, it } from 'vitest';
import { durationBucketOf, durationBucketRange, MAX_DURATION_BUCKET } from './duration-buckets.js';

/** Durations around every half-octave boundary, and a spread in between. */
function probes(): bigint[] {
  const out: bigint[] = [0n, 1n, 2n, 3n, 2n ** 63n - 1n];
  for (let k = 1; k < 126; k++) {
    const boundary = BigInt(Math.round(2 ** (k / 2))) - 1n;
    for (let delta = -3n; delta <= 3n; delta++) if (boundary + delta >= 0n) out.push(boundary + delta);
  }
  for (let ns = 1n; ns < 2n ** 62n; ns = (ns * 7n) / 5n + 1n) out.push(ns);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('duration buckets', () => {
  it('never decrease as durations grow, a half-octave each', () => {
    let previous = 0;
    for (const ns of probes()) {
      const bucket = durationBucketOf(ns);
      expect(bucket, `${ns} ns`).toBeGreaterThanOrEqual(previous);
      previous = bucket;
    }
    // 1 ms: log2(1e6 + 1) * 2 ≈ 39.9; 1 s: ≈ 59.8.
    expect(durationBucketOf(1_000_000n)).toBe(39);
    expect(durationBucketOf(1_000_000_000n)).toBe(59);
    expect(durationBucketOf(-5n)).toBe(0);
  });

  it('span a range from its lower bound to its upper one, within the index', () => {
    expect(durationBucketRange(0n, 2n ** 63n - 1n)).toEqual({ lo: 0, hi: MAX_DURATION_BUCKET });
    expect(durationBucketRange(1_000_000n, 1_000_000_000n)).toEqual({ lo: 39, hi: 59 });
    for (const ns of probes()) {
      const { lo, hi } = durationBucketRange(ns, ns);
      expect(lo, `${ns} ns`).toBe(durationBucketOf(ns));
      expect(hi, `${ns} ns`).toBe(lo);
    }
  });
});
