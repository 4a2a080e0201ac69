import { describe, expect, it } from 'vitest';
import { nanosBase } from '@threadline/shared';
import { nanosSince } from './nanos';

describe('nanosSince', () => {
  it('gives Number(BigInt(value) - base) for offsets either side of the base, near and far', () => {
    const base = nanosBase(1712345678901234567n);
    const values = [
      '1712345678901234567', '1712345678901234568', '1712345678000000000', '1712345679000000001', '1712345600999999999',
      '1712345678901234566', '999999999', '1', '0', '1000000000', '18446744073709551615',
      // 104 days (2^53 ns) away and more: the bigint path, where a double of seconds times 10^9 would round.
      (1712345678901234567n + 9_000_000_000_000_001n).toString(), (1712345678901234567n + 17_280_000_123_456_789n).toString(),
      (1712345678901234567n - 17_280_000_123_456_789n).toString(),
      (1712345678901234567n + 8_640_000_000_000_000_000n).toString(), (1712345678901234567n - 1_712_345_000_000_000_000n).toString(),
    ];
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values.push((1712345678901234567n + BigInt(seed) * BigInt((i % 7) * 1000 + 1) * (i % 2 ? 1n : -1n)).toString());
    }
    for (const value of values) expect(nanosSince(value, base), value).toBe(Number(BigInt(value) - base.nanos));
  });

  it('refuses what is not a decimal as BigInt does', () => {
    expect(() => nanosSince('17123456789.5', nanosBase(0n))).toThrow();
    expect(() => nanosSince('abc', nanosBase(0n))).toThrow();
  });
});
