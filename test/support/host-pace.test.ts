import { describe, expect, it } from 'vitest';
import { hostPaceMs, paceSentence, paceWorkload } from './host-pace.js';

describe('host pace', () => {
  it('times the same work every time', () => {
    // The same records, sorted the same way: only the time it takes may differ.
    expect(paceWorkload()).toBe(paceWorkload());
    expect(hostPaceMs()).toBeGreaterThan(0);
  });

  it('is reported in one sentence, in whole milliseconds', () => {
    expect(paceSentence({ startMs: 187.4, endMs: 1352.6 })).toMatch(/^host pace 187 ms at the start and 1,353 ms at the end \(the time a fixed JavaScript workload took,\n`test\/support\/host-pace\.ts`: lower is faster; .*\)$/);
  });
});
