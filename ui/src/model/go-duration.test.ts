import { describe, expect, it } from 'vitest';
import { toGoDuration } from './go-duration';
import { parseDuration } from './duration';

describe('exact Go durations', () => {
  it('writes the largest unit that keeps the value exact', () => {
    expect(toGoDuration(0)).toBe('0s');
    expect(toGoDuration(50_000_000)).toBe('50ms');
    expect(toGoDuration('100000000000')).toBe('100s');
    expect(toGoDuration(1_500_000_000n)).toBe('1500ms');
    expect(toGoDuration(2_000)).toBe('2us');
    expect(toGoDuration(12_345)).toBe('12345ns');
  });

  it('parses back to the same nanoseconds', () => {
    for (const ns of [1, 999, 1_000, 1_234_567, 50_000_000, 1_000_000_000, 123_456_789_012]) expect(parseDuration(toGoDuration(ns))).toBe(ns);
  });
});
