import { describe, expect, it } from 'vitest';
import { fitConnectionCap, readDescriptorLimit } from './descriptor-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63704                63704                processes
Max open files            1024                 524288               files
`;

describe('descriptor limit', () => {
  it('reads the soft limit from /proc/self/limits text', () => {
    expect(readDescriptorLimit(() => LIMITS)).toBe(1024);
    expect(readDescriptorLimit(() => LIMITS.replace('1024   ', 'unlimited'))).toBeUndefined();
    expect(readDescriptorLimit(() => {
      throw new Error('ENOENT');
    })).toBeUndefined();
  });

  it('fits the per-listener cap so every listener full still leaves descriptors', () => {
    expect(fitConnectionCap(1024, 4, 1024)).toBe(240);
    expect(fitConnectionCap(1024, 4, 1_048_576)).toBe(1024);
    expect(fitConnectionCap(1024, 4, undefined)).toBe(1024);
  });
});
