/**
 * Sketches are kept per minute of span start time, and again per hour, so every latency
 * query works on whole minutes: a window [start, end] covers each minute it touches.
 * Series cut it into slices of a clock-friendly width (a divisor of an hour, or whole
 * hours) aligned to the clock: a slice never straddles an hour unless it is made of whole
 * hours, so hour-wide and wider slices can be read from hourly sketches, and every query
 * over the same period gets the same slice edges.
 */

export const MINUTE_NS = 60_000_000_000n;
export const MINUTES_PER_HOUR = 60;
/** Slice widths below an hour: the divisors of 60. */
const SUB_HOUR_WIDTHS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];

/** Unix minute (floor) of a time in Unix nanoseconds. */
export function minuteOf(ns: bigint): number {
  return Number(ns / MINUTE_NS);
}

/** The whole minutes a window touches, first and last included. */
export interface MinuteWindow {
  firstMinute: number;
  lastMinute: number;
}

export function minuteWindowOf(startNs: bigint, endNs: bigint): MinuteWindow {
  return { firstMinute: minuteOf(startNs), lastMinute: minuteOf(endNs) };
}

export interface TimeSlices extends MinuteWindow {
  /** Where slice 0 starts: at or before the first minute, on a multiple of the width. */
  originMinute: number;
  minutesPerSlice: number;
  count: number;
}

/**
 * About `maxSlices` slices over the window: the width is the first clock-friendly one at
 * least window / maxSlices, so there may be fewer, or one more where alignment cuts the
 * first and last slice short. A single slice is the window itself.
 */
export function buildTimeSlices(window: MinuteWindow, maxSlices: number): TimeSlices {
  const minutes = window.lastMinute - window.firstMinute + 1;
  if (maxSlices <= 1) return { ...window, originMinute: window.firstMinute, minutesPerSlice: minutes, count: 1 };
  const raw = Math.ceil(minutes / Math.floor(maxSlices));
  const width =
    raw <= MINUTES_PER_HOUR / 2
      ? SUB_HOUR_WIDTHS.find((w) => w >= raw)!
      : Math.ceil(raw / MINUTES_PER_HOUR) * MINUTES_PER_HOUR;
  const originMinute = Math.floor(window.firstMinute / width) * width;
  return { ...window, originMinute, minutesPerSlice: width, count: Math.floor((window.lastMinute - originMinute) / width) + 1 };
}

/** The slice holding a minute (or a whole hour, when hours fit slices). */
export function sliceIndexOf(slices: TimeSlices, minute: number): number {
  return Math.floor((minute - slices.originMinute) / slices.minutesPerSlice);
}

/** Whether every hour lies inside one slice, so hourly sketches can fill the slices. */
export function hoursFitSlices(slices: TimeSlices): boolean {
  return slices.count === 1 || slices.minutesPerSlice % MINUTES_PER_HOUR === 0;
}

export function sliceStartsNs(slices: TimeSlices): bigint[] {
  return Array.from(
    { length: slices.count },
    (_, k) => BigInt(slices.originMinute + k * slices.minutesPerSlice) * MINUTE_NS,
  );
}

/** A run of sketch rows to read: units of `unit`, from and to included. */
export interface RowRange {
  unit: 'minute' | 'hour';
  from: number;
  to: number;
}

/**
 * The fewest rows covering the window: the whole hours inside it from hourly sketches
 * (when `useHours`), the minutes before and after them from minute sketches.
 */
export function planRowRanges(window: MinuteWindow, useHours: boolean): RowRange[] {
  const { firstMinute, lastMinute } = window;
  const firstHour = Math.ceil(firstMinute / MINUTES_PER_HOUR);
  const lastHour = Math.floor((lastMinute + 1) / MINUTES_PER_HOUR) - 1;
  if (!useHours || firstHour > lastHour) return [{ unit: 'minute', from: firstMinute, to: lastMinute }];
  const ranges: RowRange[] = [];
  if (firstMinute < firstHour * MINUTES_PER_HOUR) {
    ranges.push({ unit: 'minute', from: firstMinute, to: firstHour * MINUTES_PER_HOUR - 1 });
  }
  ranges.push({ unit: 'hour', from: firstHour, to: lastHour });
  if ((lastHour + 1) * MINUTES_PER_HOUR <= lastMinute) {
    ranges.push({ unit: 'minute', from: (lastHour + 1) * MINUTES_PER_HOUR, to: lastMinute });
  }
  return ranges;
}
