import { describe, expect, it } from 'vitest';
import { compareDecimalNanos } from './span-times.js';

describe('compareDecimalNanos', () => {
  it('orders Unix-ns decimal strings as numbers, beyond 2^53 too', () => {
    expect(compareDecimalNanos('999', '1000')).toBeLessThan(0);
    expect(compareDecimalNanos('1712345678901234568', '1712345678901234567')).toBeGreaterThan(0);
    expect(compareDecimalNanos('42', '42')).toBe(0);
  });
});
