import { describe, expect, it } from 'vitest';
import { DurationSyntaxError, parseGoDuration, parseLookbackDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['300ms', 300_000_000n],
    ['1.2s', 1_200_000_000n],
    ['1h2m3.5s', 3_723_500_000_000n],
    ['500us', 500_000n],
    ['500µs', 500_000n],
    ['500μs', 500_000n],
    ['15ns', 15n],
    ['2m', 120_000_000_000n],
    ['1h', 3_600_000_000_000n],
    ['.5s', 500_000_000n],
    ['1.s', 1_000_000_000n],
    ['0', 0n],
    ['+5s', 5_000_000_000n],
    ['-1.5ms', -1_500_000n],
    ['1.000000001s', 1_000_000_001n],
    ['0.0000000019s', 1n],
    ['2562047h47m16.854775807s', 9_223_372_036_854_775_807n],
  ])('%s = %d ns', (input, expected) => {
    expect(parseGoDuration(input)).toBe(expected);
  });

  it.each([
    ['', 'empty duration'],
    ['12', 'missing unit'],
    ['12x', 'unknown unit "x"'],
    ['1d', 'unknown unit "d"'],
    ['s', 'expected a number'],
    ['.s', 'expected a number'],
    ['1s.', 'expected a number'],
    [' 1s', 'expected a number'],
    ['1s ', 'unknown unit "s "'],
    ['2562047h47m16.854775808s', 'out of range'],
    ['99999999999999999999h', 'out of range'],
  ])('rejects %j (%s)', (input, reason) => {
    expect(() => parseGoDuration(input)).toThrow(new DurationSyntaxError(input, reason));
  });
});

describe('parseLookbackDuration', () => {
  it('adds days and weeks to the Go units', () => {
    expect(parseLookbackDuration('2d')).toBe(2n * 86_400_000_000_000n);
    expect(parseLookbackDuration('1w')).toBe(7n * 86_400_000_000_000n);
    expect(parseLookbackDuration('1h30m')).toBe(5_400_000_000_000n);
  });
});
