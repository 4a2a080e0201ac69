import { describe, expect, it } from 'vitest';
import { selfTime } from './self-time';

describe('selfTime', () => {
  it('is the whole duration without children', () => {
    expect(selfTime(0, 100, [])).toBe(100);
  });

  it('subtracts the union of overlapping children', () => {
    expect(selfTime(0, 100, [[10, 40], [30, 50], [60, 70]])).toBe(100 - 40 - 10);
  });

  it('clips children that overflow the span and ignores those outside', () => {
    expect(selfTime(0, 100, [[-50, 10], [90, 150], [200, 300]])).toBe(80);
  });

  it('never goes negative', () => {
    expect(selfTime(0, 10, [[0, 10], [0, 10]])).toBe(0);
  });
});
