import { describe, expect, it } from 'vitest';
import { clampNameWidth, MIN_NAME_WIDTH, MIN_TIMELINE_WIDTH } from './name-column';

describe('clampNameWidth', () => {
  it('keeps a width that leaves both columns room', () => {
    expect(clampNameWidth(400.4, 1200)).toBe(400);
  });

  it('leaves the timeline its minimum and the names theirs', () => {
    expect(clampNameWidth(1150, 1200)).toBe(1200 - MIN_TIMELINE_WIDTH);
    expect(clampNameWidth(20, 1200)).toBe(MIN_NAME_WIDTH);
  });

  it('gives the names their minimum when the waterfall is too narrow for both', () => {
    expect(clampNameWidth(300, 300)).toBe(MIN_NAME_WIDTH);
  });
});
