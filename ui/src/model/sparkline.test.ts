import { describe, expect, it } from 'vitest';
import { buildSparklinePath } from './sparkline';

const box = { width: 100, height: 20, padding: 0 };

describe('sparkline path', () => {
  it('draws a series across the box, the largest value at the top', () => {
    expect(buildSparklinePath([1, 3, 2], box)).toBe('M0 20L50 0L100 10');
  });

  it('breaks the line at gaps and shows a lone point as a dot', () => {
    expect(buildSparklinePath([1, null, 3, 2, null], box)).toBe('M0 20L0 20M50 0L75 10');
  });

  it('puts a flat series in the middle and keeps the padding', () => {
    expect(buildSparklinePath([5, 5], { width: 24, height: 12, padding: 2 })).toBe('M2 6L22 6');
    expect(buildSparklinePath([7], box)).toBe('M50 10L50 10');
  });

  it('is empty without any value', () => {
    expect(buildSparklinePath([], box)).toBe('');
    expect(buildSparklinePath([null, null], box)).toBe('');
  });
});
