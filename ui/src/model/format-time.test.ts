import { describe, expect, it } from 'vitest';
import { formatAgo, fromDatetimeLocal, toDatetimeLocal } from './format-time';

describe('time formatting', () => {
  const now = Date.UTC(2024, 3, 5, 12, 0, 0);

  it('says how long ago', () => {
    expect(formatAgo(now - 500, now)).toBe('just now');
    expect(formatAgo(now - 42_000, now)).toBe('42s ago');
    expect(formatAgo(now - 3 * 60_000, now)).toBe('3 min ago');
    expect(formatAgo(now - 5 * 3_600_000, now)).toBe('5 h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 days ago');
  });

  it('round-trips datetime-local values to the minute', () => {
    const ms = Date.UTC(2024, 3, 5, 12, 34);
    expect(fromDatetimeLocal(toDatetimeLocal(ms))).toBe(ms);
    expect(fromDatetimeLocal('')).toBeNaN();
  });
});
