import { describe, expect, it } from 'vitest';
import { collectGarbage, findGc } from './full-collection.js';

describe('collectGarbage', () => {
  it('frees garbage of the old generation at once, at most once a second', () => {
    // Kept across a few young collections (so promoted), then dropped.
    let garbage: number[][] | undefined = Array.from({ length: 400 }, (_, i) => Array.from({ length: 10_000 }, () => i));
    const t = performance.now() + 10_000;
    expect(collectGarbage(t)).toBe(true);
    const held = process.memoryUsage().heapUsed;
    expect(garbage.length).toBe(400);
    garbage = undefined;
    expect(collectGarbage(t + 500)).toBe(false);
    expect(process.memoryUsage().heapUsed).toBeGreaterThan(held - 10_000_000);
    expect(collectGarbage(t + 1_000)).toBe(true);
    expect(process.memoryUsage().heapUsed).toBeLessThan(held - 20_000_000);
  });

  it('does nothing, rather than throw, where V8 hands out no gc', () => {
    const missing = findGc(() => {
      throw new ReferenceError('gc is not defined');
    });
    expect(() => missing()).not.toThrow();
    expect(() => findGc(() => undefined)()).not.toThrow();
    expect(findGc().name).toBe('gc');
  });
});
