import { describe, expect, it } from 'vitest';
import { hostPaceMs, paceWorkload } from './host-pace.js';

describe('host pace', () => {
  it('times the same work every time', () => {
    // The same records, sorted the same way: only the time it takes may differ.
    expect(paceWorkload()).toBe(paceWorkload());
    expect(hostPaceMs()).toBeGreaterThan(0);
  });
});
