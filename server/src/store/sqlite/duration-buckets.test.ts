import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { durationBucketRange, durationBucketSql, MAX_DURATION_BUCKET } from './duration-buckets.js';

const db = new Database(':memory:');
db.defaultSafeIntegers(true);
const sqliteBucket = db.prepare<[bigint], bigint>(`SELECT ${durationBucketSql('?')}`).pluck();

/** Durations around every half-octave boundary, and a spread in between. */
function probes(): bigint[] {
  const out: bigint[] = [0n, 1n, 2n, 3n, 2n ** 63n - 1n];
  for (let k = 1; k < 126; k++) {
    const boundary = BigInt(Math.round(2 ** (k / 2))) - 1n;
    for (let delta = -3n; delta <= 3n; delta++) if (boundary + delta >= 0n) out.push(boundary + delta);
  }
  for (let ns = 1n; ns < 2n ** 62n; ns = (ns * 7n) / 5n + 1n) out.push(ns);
  return out;
}

describe('duration buckets', () => {
  it("cover the bucket SQLite puts each duration in, and at most the bucket beside it too", () => {
    for (const ns of probes()) {
      const bucket = Number(sqliteBucket.get(ns));
      const { lo, hi } = durationBucketRange(ns, ns);
      expect(bucket, `${ns} ns`).toBeGreaterThanOrEqual(lo);
      expect(bucket, `${ns} ns`).toBeLessThanOrEqual(hi);
      expect(hi - lo, `${ns} ns`).toBeLessThanOrEqual(1);
    }
  });

  it('span a range from its lower bound to its upper one, within the index', () => {
    expect(durationBucketRange(0n, 2n ** 63n - 1n)).toEqual({ lo: 0, hi: MAX_DURATION_BUCKET });
    // 1 ms to 1 s: log2(1e6) * 2 ≈ 39.9, log2(1e9) * 2 ≈ 59.8.
    expect(durationBucketRange(1_000_000n, 1_000_000_000n)).toEqual({ lo: 39, hi: 59 });
    expect(Number(sqliteBucket.get(2n ** 63n - 1n))).toBe(MAX_DURATION_BUCKET);
  });
});
