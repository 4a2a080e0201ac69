/**
 * The histogram's selection: a dragged range of bars (log-latency buckets) over the whole
 * window. Like the heatmap's, it snaps to whole buckets so its span query is exact.
 */
import { bandIndexRange, type LatencyBucket } from './latency-bands';
import type { ResolvedWindow } from './latency-window';
import type { LatencySelection } from './operations-query';

export interface HistogramBucket extends LatencyBucket {
  readonly count: number;
  readonly errorCount: number;
}

/** Bucket indices [first, last] under a dragged range of plot fractions (x from the left). */
export function bucketRangeFromFractions(x0: number, x1: number, buckets: number): [number, number] {
  return bandIndexRange(x0, x1, buckets);
}

export function histogramSelection(first: number, last: number, buckets: readonly LatencyBucket[], window: ResolvedWindow): LatencySelection {
  return {
    startNs: window.startNs,
    endNs: window.endNs,
    minNs: String(buckets[first]!.lowNs),
    maxNs: String(buckets[last]!.highNs),
  };
}

/** The buckets a selection's duration range overlaps; null when none. */
export function bucketsOfSelection(selection: LatencySelection, buckets: readonly LatencyBucket[]): [number, number] | null {
  const min = Number(selection.minNs);
  const max = Number(selection.maxNs);
  const hits = buckets.flatMap((b, i) => (b.lowNs <= max && b.highNs >= min ? [i] : []));
  return hits.length === 0 ? null : [hits[0]!, hits[hits.length - 1]!];
}

export function countBuckets(first: number, last: number, buckets: readonly HistogramBucket[]): { count: number; errorCount: number } {
  let count = 0;
  let errorCount = 0;
  for (let i = first; i <= last; i++) {
    count += buckets[i]?.count ?? 0;
    errorCount += buckets[i]?.errorCount ?? 0;
  }
  return { count, errorCount };
}
