import { describe, expect, it } from 'vitest';
import {
  buildTimeSlices,
  hoursFitSlices,
  MINUTE_NS,
  minuteOf,
  minuteWindowOf,
  planRowRanges,
  sliceIndexOf,
  sliceStartsNs,
} from './time-slices.js';

const T0 = 28_539_060n * MINUTE_NS; // a whole hour
const M0 = minuteOf(T0);

describe('minute windows and slices', () => {
  it('covers every minute the window touches', () => {
    expect(minuteWindowOf(T0 + 5n, T0 + 3n * MINUTE_NS - 1n)).toEqual({ firstMinute: M0, lastMinute: M0 + 2 });
  });

  it('cuts short windows into clock-aligned slices that divide an hour', () => {
    const slices = buildTimeSlices({ firstMinute: M0 + 7, lastMinute: M0 + 17 }, 3);
    expect(slices).toMatchObject({ originMinute: M0 + 4, minutesPerSlice: 4, count: 4 });
    expect(sliceIndexOf(slices, M0 + 7)).toBe(0);
    expect(sliceIndexOf(slices, M0 + 8)).toBe(1);
    expect(sliceStartsNs(slices)).toEqual([4n, 8n, 12n, 16n].map((m) => T0 + m * MINUTE_NS));
    expect(hoursFitSlices(slices)).toBe(false);
    expect(buildTimeSlices({ firstMinute: M0, lastMinute: M0 + 59 }, 8).minutesPerSlice).toBe(10);
  });

  it('rounds slices wider than half an hour to whole hours, aligned to the hour', () => {
    const slices = buildTimeSlices({ firstMinute: M0 + 30, lastMinute: M0 + 30 + 24 * 60 - 1 }, 30);
    expect(slices).toMatchObject({ originMinute: M0, minutesPerSlice: 60, count: 25 });
    expect(buildTimeSlices({ firstMinute: M0, lastMinute: M0 + 7 * 24 * 60 - 1 }, 30).minutesPerSlice).toBe(360);
    expect(hoursFitSlices(slices)).toBe(true);
    expect(sliceStartsNs(slices)[1]).toBe(T0 + 60n * MINUTE_NS);
    expect(buildTimeSlices({ firstMinute: M0, lastMinute: M0 + 10 }, 1)).toMatchObject({ count: 1, minutesPerSlice: 11 });
  });
});

describe('planRowRanges', () => {
  it('reads whole hours from hourly rows and the edges from minute rows', () => {
    expect(planRowRanges({ firstMinute: M0 + 50, lastMinute: M0 + 180 + 9 }, true)).toEqual([
      { unit: 'minute', from: M0 + 50, to: M0 + 59 },
      { unit: 'hour', from: M0 / 60 + 1, to: M0 / 60 + 2 },
      { unit: 'minute', from: M0 + 180, to: M0 + 189 },
    ]);
    expect(planRowRanges({ firstMinute: M0, lastMinute: M0 + 119 }, true)).toEqual([
      { unit: 'hour', from: M0 / 60, to: M0 / 60 + 1 },
    ]);
  });

  it('uses minutes only when no whole hour fits or hours are not wanted', () => {
    expect(planRowRanges({ firstMinute: M0 + 1, lastMinute: M0 + 60 }, true)).toEqual([
      { unit: 'minute', from: M0 + 1, to: M0 + 60 },
    ]);
    expect(planRowRanges({ firstMinute: M0, lastMinute: M0 + 119 }, false)).toEqual([
      { unit: 'minute', from: M0, to: M0 + 119 },
    ]);
  });
});
