import { describe, expect, it } from 'vitest';
import { subtractStacks } from './stack-diff.js';

describe('subtractStacks', () => {
  it('leaves the samples the part does not have, per stack', () => {
    const all = { unit: 'nanoseconds', total: 100, stacks: [{ frames: ['m', 'hot'], value: 60 }, { frames: ['m', 'json'], value: 40 }] };
    const slow = { unit: 'nanoseconds', total: 65, stacks: [{ frames: ['m', 'hot'], value: 60 }, { frames: ['m', 'json'], value: 5 }] };
    expect(subtractStacks(all, slow)).toEqual({ unit: 'nanoseconds', total: 35, stacks: [{ frames: ['m', 'json'], value: 35 }] });
  });
});
