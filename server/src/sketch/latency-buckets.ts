import { bucketIndexOf, bucketUpperBound, type LatencySketch } from './latency-sketch.js';

/**
 * Histograms and heatmaps drawn from sketches. Their latency buckets are runs of whole
 * sketch buckets (2^k of them, aligned to multiples of 2^k so that every query over the
 * same data gets the same edges), never cut through one: every count is then exact for
 * the bounds shown, and a click on a cell can ask for spans with exactly those bounds and
 * find exactly that many (as far as the window allows).
 */

/** Whole nanoseconds, both ends included; the zero bucket is [0, 0]. */
export interface LatencyRange {
  lowNs: bigint;
  highNs: bigint;
}

export interface LatencyHistogramBucket extends LatencyRange {
  count: number;
  errorCount: number;
}

export interface LatencyGrid {
  /** Increasing; the [0, 0] bucket first when some duration was zero. */
  buckets: LatencyRange[];
  /** counts[slice][bucket], one row per input slice. */
  counts: number[][];
  errorCounts: number[][];
}

/** A sketch of all spans and one of the failed ones among them. */
export interface SketchPair {
  all: LatencySketch;
  errors: LatencySketch;
}

/** The smallest whole duration of sketch bucket `index` (or of any later bucket). */
export function lowestDurationIn(index: number): bigint {
  if (index <= 0) return 1n;
  let d = Math.floor(bucketUpperBound(index - 1)) + 1;
  // Float logarithms can put a bound one off; integers stay exact below 2^53.
  if (d < Number.MAX_SAFE_INTEGER) {
    while (d > 1 && bucketIndexOf(d - 1) >= index) d--;
    while (bucketIndexOf(d) < index) d++;
  }
  return BigInt(d);
}

interface Layout {
  zero: boolean;
  groupSize: number;
  firstGroup: number;
  groups: number;
}

function buildLayout(sketches: readonly LatencySketch[], maxBuckets: number): Layout {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let zero = false;
  for (const s of sketches) {
    const range = s.binRange;
    if (range) {
      lo = Math.min(lo, range.lo);
      hi = Math.max(hi, range.hi);
    }
    if (s.zeroCount > 0) zero = true;
  }
  if (lo > hi) return { zero, groupSize: 1, firstGroup: 0, groups: 0 };
  let groupSize = 1;
  while (Math.floor(hi / groupSize) - Math.floor(lo / groupSize) + 1 > Math.max(1, maxBuckets)) groupSize *= 2;
  const firstGroup = Math.floor(lo / groupSize);
  return { zero, groupSize, firstGroup, groups: Math.floor(hi / groupSize) - firstGroup + 1 };
}

function layoutBuckets(layout: Layout): LatencyRange[] {
  const buckets: LatencyRange[] = layout.zero ? [{ lowNs: 0n, highNs: 0n }] : [];
  for (let g = 0; g < layout.groups; g++) {
    const first = (layout.firstGroup + g) * layout.groupSize;
    buckets.push({ lowNs: lowestDurationIn(first), highNs: lowestDurationIn(first + layout.groupSize) - 1n });
  }
  return buckets;
}

function countInto(layout: Layout, sketch: LatencySketch): number[] {
  const offset = layout.zero ? 1 : 0;
  const counts = new Array<number>(offset + layout.groups).fill(0);
  if (layout.zero) counts[0] = sketch.zeroCount;
  sketch.forEachBin((index, count) => {
    counts[offset + Math.floor(index / layout.groupSize) - layout.firstGroup]! += count;
  });
  return counts;
}

/** A log-scale histogram of `pair.all` with at most `maxBuckets` buckets (plus the zero bucket). */
export function buildLatencyHistogram(pair: SketchPair, maxBuckets: number): LatencyHistogramBucket[] {
  const grid = buildLatencyGrid([pair], maxBuckets);
  return grid.buckets.map((b, k) => ({ ...b, count: grid.counts[0]![k]!, errorCount: grid.errorCounts[0]![k]! }));
}

/** Counts per (slice, latency bucket), every slice on the same buckets (at most `maxBuckets` plus zero). */
export function buildLatencyGrid(slices: readonly SketchPair[], maxBuckets: number): LatencyGrid {
  const layout = buildLayout(
    slices.map((s) => s.all),
    maxBuckets,
  );
  return {
    buckets: layoutBuckets(layout),
    counts: slices.map((s) => countInto(layout, s.all)),
    errorCounts: slices.map((s) => countInto(layout, s.errors)),
  };
}
