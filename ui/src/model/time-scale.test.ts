import { describe, expect, it } from 'vitest';
import { buildTicks, buildWallClockTicks, createTimeScale, formatTick, niceStep } from './time-scale';

describe('time scale', () => {
  it('maps a domain to fractions and back', () => {
    const scale = createTimeScale(100, 300);
    expect(scale.fraction(100)).toBe(0);
    expect(scale.fraction(250)).toBe(0.75);
    expect(scale.at(0.5)).toBe(200);
  });

  it('survives a zero-length domain', () => {
    expect(Number.isFinite(createTimeScale(5, 5).fraction(5))).toBe(true);
  });
});

describe('ticks', () => {
  it.each([
    [1000, 10, 100],
    [1000, 4, 500],
    [1234, 10, 200],
    [0.9, 9, 0.1],
    [7e9, 5, 2e9],
  ])('niceStep(%d, %d) = %d', (range, max, step) => {
    expect(niceStep(range, max)).toBeCloseTo(step, 12);
  });

  it('lists multiples of the step within the range', () => {
    expect(buildTicks(0, 1000, 5)).toEqual({ step: 200, values: [0, 200, 400, 600, 800, 1000] });
    expect(buildTicks(150, 1000, 5).values).toEqual([200, 400, 600, 800, 1000]);
  });

  it('never exceeds the tick budget by more than the end point', () => {
    for (const range of [1, 7, 99, 1e3, 3.3e6, 1.7e9]) {
      expect(buildTicks(0, range, 8).values.length).toBeLessThanOrEqual(9);
    }
  });

  it('labels ticks with enough precision for the step', () => {
    expect(formatTick(0, 5e8)).toBe('0');
    expect(formatTick(5e8, 5e8)).toBe('500ms');
    expect(formatTick(1.5e9, 5e8)).toBe('1.5s');
    expect(formatTick(2e9, 5e8)).toBe('2s');
    expect(formatTick(12.35e9, 5e7)).toBe('12.35s');
    expect(formatTick(250_000, 50_000)).toBe('250µs');
    expect(formatTick(400, 100)).toBe('400ns');
  });

  it('puts wall-clock ticks on round local times', () => {
    const hour = 3_600_000;
    // 00:10 to 06:10 UTC, shown in UTC+2: ticks on local whole hours.
    const { step, values } = buildWallClockTicks(10 * 60_000, 6 * hour + 10 * 60_000, 8, 2 * hour);
    expect(step).toBe(hour);
    expect(values[0]).toBe(hour);
    expect(values.every((v) => (v + 2 * hour) % hour === 0)).toBe(true);
  });
});
