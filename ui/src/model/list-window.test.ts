import { describe, expect, it } from 'vitest';
import { buildListWindow, scrollDeltaToShow } from './list-window';

describe('buildListWindow', () => {
  const base = { count: 1500, pitch: 100, viewportHeight: 800, overscan: 5 };

  it('takes the rows in view plus the margin below when the list starts in view', () => {
    // The list starts 300 px down the viewport: rows 0…4 show (500 px), then 5 more.
    expect(buildListWindow({ ...base, listTop: 300 })).toEqual({ first: 0, end: 10 });
  });

  it('follows the scroll, with the margin on both sides', () => {
    // Scrolled 10,000 px past the list's top: rows 100…107 show.
    expect(buildListWindow({ ...base, listTop: -10_000 })).toEqual({ first: 95, end: 113 });
  });

  it('stops at the last row', () => {
    expect(buildListWindow({ ...base, listTop: -149_500 })).toEqual({ first: 1490, end: 1500 });
  });

  it('keeps only the margin when the list is scrolled out of view or below it', () => {
    expect(buildListWindow({ ...base, listTop: -200_000 })).toEqual({ first: 1500, end: 1500 });
    expect(buildListWindow({ ...base, listTop: 900 })).toEqual({ first: 0, end: 5 });
  });

  it('handles an empty list and a pitch not yet measured', () => {
    expect(buildListWindow({ ...base, count: 0, listTop: 0 })).toEqual({ first: 0, end: 0 });
    expect(buildListWindow({ ...base, count: 3, pitch: 0, listTop: 0 })).toEqual({ first: 0, end: 3 });
  });
});

describe('scrollDeltaToShow', () => {
  it('scrolls up to a row above the view and down to one below it', () => {
    expect(scrollDeltaToShow(0, 100, -250, 800)).toBe(-250);
    expect(scrollDeltaToShow(10, 100, 0, 800)).toBe(300);
  });

  it('leaves a row already in view alone', () => {
    expect(scrollDeltaToShow(3, 100, -100, 800)).toBe(0);
  });
});
