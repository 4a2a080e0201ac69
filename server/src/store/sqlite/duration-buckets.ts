/**
 * The duration index's buckets: half-octaves of a span's duration (×1.41 each), so that
 * the index is keyed (operation, bucket) and a pass's spans of one operation fall into a
 * few lists (duration-lists.ts). Keyed by the exact duration, a B-tree index took one
 * random page per span once an operation's rows outgrew the page cache.
 *
 * Migration 005's expression index computed the same bucket in SQL
 * (`CAST(log2(duration_ns + 1) * 2 AS INTEGER)`); migration 009 replaced it by lists whose
 * bucket JavaScript works out, here, for writers and readers alike.
 */

/** Bucket of a duration of 2^63 - 1 ns, the largest there is. */
export const MAX_DURATION_BUCKET = 126;

const bucketOf = (ns: number) => Math.min(MAX_DURATION_BUCKET, Math.floor(Math.log2(ns + 1) * 2));

/** The bucket a span of `ns` nanoseconds is listed under (a negative duration: bucket 0). */
export function durationBucketOf(ns: bigint): number {
  return ns <= 0n ? 0 : bucketOf(Number(ns));
}

/** The buckets that can hold durations in [minNs, maxNs]. */
export function durationBucketRange(minNs: bigint, maxNs: bigint): { lo: number; hi: number } {
  return { lo: durationBucketOf(minNs), hi: durationBucketOf(maxNs) };
}
