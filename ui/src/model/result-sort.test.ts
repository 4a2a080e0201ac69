import { describe, expect, it } from 'vitest';
import type { TraceSearchHit } from '../api/wire-types';
import { parseResultSort, sortHits } from './result-sort';

const hit = (traceId: string, start: number, durationMs: number, spanCount: number, errorCount: number): TraceSearchHit => ({
  traceId,
  rootService: 'web',
  rootOperation: 'GET',
  startTimeUnixNano: (1712345678000000000n + BigInt(start)).toString(),
  durationNano: String(durationMs * 1e6),
  spanCount,
  errorCount,
  services: ['web'],
});

describe('result order', () => {
  const hits = [hit('a', 3, 10, 5, 0), hit('b', 2, 300, 2, 1), hit('c', 1, 10, 90, 4), hit('d', 4, 50, 5, 1)];
  const ids = (sorted: TraceSearchHit[]) => sorted.map((h) => h.traceId);

  it('sorts by start, duration, span count or errors; ties most recent first', () => {
    expect(ids(sortHits(hits, 'recent'))).toEqual(['d', 'a', 'b', 'c']);
    expect(ids(sortHits(hits, 'longest'))).toEqual(['b', 'd', 'a', 'c']);
    expect(ids(sortHits(hits, 'shortest'))).toEqual(['a', 'c', 'd', 'b']);
    expect(ids(sortHits(hits, 'spans'))).toEqual(['c', 'd', 'a', 'b']);
    expect(ids(sortHits(hits, 'errors'))).toEqual(['c', 'd', 'b', 'a']);
  });

  it('reads the URL value, falling back to most recent', () => {
    expect(parseResultSort('longest')).toBe('longest');
    expect(parseResultSort('bogus')).toBe('recent');
    expect(parseResultSort(null)).toBe('recent');
  });
});
