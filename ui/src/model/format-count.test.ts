import { describe, expect, it } from 'vitest';
import { formatCount } from './format-count';

describe('formatCount', () => {
  it('groups thousands as en-US does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 100_000, 999_999, 1_000_000, 1_234_567_890, 2 ** 53]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US', { maximumFractionDigits: 20 }));
    }
  });

  it('keeps the sign and any fraction', () => {
    expect(formatCount(-1234)).toBe('-1,234');
    expect(formatCount(-12)).toBe('-12');
    expect(formatCount(1234.5)).toBe('1,234.5');
  });

  it('writes what has no digits to group as String does', () => {
    expect(formatCount(Number.NaN)).toBe('NaN');
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(formatCount(1e21)).toBe('1e+21');
  });
});
