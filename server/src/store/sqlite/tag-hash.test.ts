import { describe, expect, it } from 'vitest';
import { asciiTagHash, tagHash } from './tag-hash.js';

describe('tagHash', () => {
  it('is a deterministic 53-bit integer', () => {
    const h = tagHash('http.method', 'GET');
    expect(h).toBe(tagHash('http.method', 'GET'));
    expect(Number.isSafeInteger(h)).toBe(true);
    expect(h).toBeGreaterThanOrEqual(0);
  });

  it('tells apart where the key ends and the value starts', () => {
    expect(tagHash('ab', 'c')).not.toBe(tagHash('a', 'bc'));
    expect(tagHash('', 'x')).not.toBe(tagHash('x', ''));
  });

  it('spreads 100,000 distinct tags without a collision', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(tagHash('user.id', `u${i}`));
    expect(seen.size).toBe(100_000);
  });

  it('is the same hashed from ASCII bytes, and NaN from bytes that are not ASCII', () => {
    const bytes = new TextEncoder().encode('xhttp.methodGETé');
    expect(asciiTagHash(bytes, 1, 12, 12, 15)).toBe(tagHash('http.method', 'GET'));
    expect(asciiTagHash(bytes, 1, 1, 12, 12)).toBe(tagHash('', ''));
    expect(asciiTagHash(bytes, 1, 12, 12, 16)).toBeNaN();
  });
});
