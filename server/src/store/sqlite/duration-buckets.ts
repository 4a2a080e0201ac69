/**
 * The duration index's buckets: half-octaves of a span's duration (×1.41 each), so that
 * the index is keyed (operation, bucket, start) and every insert lands at the end of one
 * of a few hot ranges. Keyed by the exact duration it took one random page per span once
 * an operation's rows outgrew the page cache, the largest write cost of ingest.
 *
 * SQLite computes the bucket (an expression index) and so must every query that uses
 * the index, with the very same text.
 */
export const durationBucketSql = (column = 'duration_ns') => `CAST(log2(${column} + 1) * 2 AS INTEGER)`;

/** Bucket of a duration of 2^63 - 1 ns, the largest there is. */
export const MAX_DURATION_BUCKET = 126;

const NEAR_BOUNDARY = 1e-9;

/**
 * The buckets that can hold durations in [minNs, maxNs], as JavaScript works them out
 * (SQLite's log2 is C's). A bound within a hair of a bucket boundary takes the bucket
 * beside it too: queries check the exact duration anyway, so one bucket too many costs
 * a little reading, one too few would lose spans.
 */
export function durationBucketRange(minNs: bigint, maxNs: bigint): { lo: number; hi: number } {
  const at = (ns: bigint) => Math.log2(Number(ns < 0n ? 0n : ns) + 1) * 2;
  const lo = at(minNs);
  const hi = at(maxNs);
  const loBucket = Math.floor(lo) - (lo - Math.floor(lo) < NEAR_BOUNDARY ? 1 : 0);
  const below = Math.ceil(hi) - hi;
  const hiBucket = Math.floor(hi) + (below > 0 && below < NEAR_BOUNDARY ? 1 : 0);
  return { lo: Math.max(0, loBucket), hi: Math.min(MAX_DURATION_BUCKET, hiBucket) };
}
