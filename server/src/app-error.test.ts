import { describe, expect, it } from 'vitest';
import { AppError, withoutStackTrace } from './app-error.js';

describe('withoutStackTrace', () => {
  it('makes errors without stack frames and restores the limit, also when making throws', () => {
    const before = Error.stackTraceLimit;
    expect(withoutStackTrace(() => new AppError(429, 'queue_full', 'full')).stack).toBe('AppError: full');
    expect(() =>
      withoutStackTrace(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new AppError(429, 'queue_full', 'full').stack).toMatch(/\n\s+at /);
  });
});
