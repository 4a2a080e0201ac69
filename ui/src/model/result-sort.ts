/** The order of the search results (`sort=` in the search URL); sorting is the browser's, the search is not rerun. */
import type { TraceSearchHit } from '../api/wire-types';

export const RESULT_SORTS = ['recent', 'longest', 'shortest', 'spans', 'errors'] as const;
export type ResultSort = (typeof RESULT_SORTS)[number];

export const RESULT_SORT_LABELS: Record<ResultSort, string> = {
  recent: 'Most recent',
  longest: 'Longest first',
  shortest: 'Shortest first',
  spans: 'Most spans',
  errors: 'Most errors',
};

export function parseResultSort(value: string | null): ResultSort {
  return (RESULT_SORTS as readonly string[]).includes(value ?? '') ? (value as ResultSort) : 'recent';
}

const byStartDesc = (a: TraceSearchHit, b: TraceSearchHit): number => {
  const x = BigInt(a.startTimeUnixNano);
  const y = BigInt(b.startTimeUnixNano);
  return x > y ? -1 : x < y ? 1 : 0;
};

/** A sorted copy; ties keep the most recent first. */
export function sortHits(hits: readonly TraceSearchHit[], sort: ResultSort): TraceSearchHit[] {
  const key: Record<ResultSort, (a: TraceSearchHit, b: TraceSearchHit) => number> = {
    recent: () => 0,
    longest: (a, b) => Number(BigInt(b.durationNano) - BigInt(a.durationNano)),
    shortest: (a, b) => Number(BigInt(a.durationNano) - BigInt(b.durationNano)),
    spans: (a, b) => b.spanCount - a.spanCount,
    errors: (a, b) => b.errorCount - a.errorCount,
  };
  return [...hits].sort((a, b) => key[sort](a, b) || byStartDesc(a, b));
}
