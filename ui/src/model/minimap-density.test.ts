import { describe, expect, it } from 'vitest';
import { buildDensityGrid, densityAlpha } from './minimap-density';
import type { RowTimes } from './row-times';

function times(spans: Array<[number, number]>): RowTimes {
  return {
    start: Float64Array.from(spans.map((s) => s[0])),
    end: Float64Array.from(spans.map((s) => s[1])),
    min: Math.min(...spans.map((s) => s[0])),
    max: Math.max(...spans.map((s) => s[1])),
  };
}

describe('minimap density image', () => {
  it('counts the spans covering each cell, rows banded onto pixel lines', () => {
    // 4 rows onto 2 lines of 10 px over 0…100: rows 0–1 on line 0, rows 2–3 on line 1.
    const t = times([
      [0, 100],
      [0, 45],
      [50, 100],
      [90, 95],
    ]);
    const grid = buildDensityGrid(t, (row) => row === 3, 4, 10, 2);
    expect([...grid.counts.slice(0, 10)]).toEqual([2, 2, 2, 2, 2, 1, 1, 1, 1, 1]);
    expect([...grid.counts.slice(10)]).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 2]);
    expect([...grid.errors.slice(10)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(grid.maxCount).toBe(2);
  });

  it('draws even an instant span as one pixel, and handles 100k rows in bands', () => {
    const n = 100_000;
    const t = times(Array.from({ length: n }, (_, i) => [i, i] as [number, number]));
    const grid = buildDensityGrid(t, () => false, n, 100, 50);
    let total = 0;
    for (const c of grid.counts) total += c;
    expect(total).toBe(n);
  });

  it('maps counts to opacity on a log scale with a visible floor', () => {
    expect(densityAlpha(0, 10)).toBe(0);
    expect(densityAlpha(1, 1000)).toBeGreaterThanOrEqual(0.25);
    expect(densityAlpha(1000, 1000)).toBe(1);
    expect(densityAlpha(10, 1000)).toBeLessThan(densityAlpha(100, 1000));
  });
});
