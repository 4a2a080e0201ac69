import { describe, expect, it } from 'vitest';
import { DurationParseError, formatDuration, isDurationOrEmpty, parseDuration } from './duration';

describe('formatDuration', () => {
  it.each([
    [0, '0ns'],
    [850, '850ns'],
    [12_345, '12.3µs'],
    [999_400, '999µs'],
    [999_600, '1ms'],
    [1_234_567, '1.23ms'],
    [120_000_000, '120ms'],
    [1_500_000_000, '1.5s'],
    [59_940_000_000, '59.9s'],
    [123_000_000_000, '2m 3s'],
    [3_720_000_000_000, '1h 2m'],
    [7_200_000_000_000, '2h'],
    [-1_500_000, '-1.5ms'],
  ])('%d ns → %s', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });
});

describe('parseDuration', () => {
  it.each([
    ['120ms', 120_000_000],
    ['1.5s', 1_500_000_000],
    ['250us', 250_000],
    ['250µs', 250_000],
    ['100ns', 100],
    ['2m', 120_000_000_000],
    ['1m30s', 90_000_000_000],
    ['1h', 3_600_000_000_000],
    ['.5s', 500_000_000],
    [' 3ms ', 3_000_000],
    ['0', 0],
  ])('%s → %d ns', (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  it.each(['', '12', 'ms', '1.5', '1x', '-1s', '1s foo', '1 s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationParseError);
  });

  it('round-trips what formatDuration prints for the search form', () => {
    for (const text of ['120ms', '1.5s', '12.3µs', '850ns']) expect(formatDuration(parseDuration(text))).toBe(text);
  });

  it('accepts empty input only through isDurationOrEmpty', () => {
    expect(isDurationOrEmpty('')).toBe(true);
    expect(isDurationOrEmpty('1.5s')).toBe(true);
    expect(isDurationOrEmpty('fast')).toBe(false);
  });
});
