import { describe, expect, it } from 'vitest';
import { IntakePacer } from './intake-pacer.js';

describe('IntakePacer', () => {
  const clock = () => {
    let t = 1_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('lets everything through while the backlog is at most one pass, or before any pass was measured', () => {
    const c = clock();
    const pacer = new IntakePacer(32_768, c.now);
    expect(pacer.delay(512, 100_000)).toBe(0);
    pacer.passed({ spans: 32_768, ms: 500 });
    expect(pacer.delay(512, 32_768)).toBe(0);
  });

  it('spaces batches at the measured indexing rate while the writer is behind', () => {
    const c = clock();
    const pacer = new IntakePacer(32_768, c.now);
    pacer.passed({ spans: 32_000, ms: 500 }); // 64 spans/ms
    expect(pacer.delay(512, 40_000)).toBe(8);
    expect(pacer.delay(512, 40_512)).toBe(16);
    c.advance(10);
    expect(pacer.delay(512, 41_024)).toBe(14);
    // Caught up: no wait, and the schedule starts over.
    expect(pacer.delay(512, 1_000)).toBe(0);
    expect(pacer.delay(512, 40_000)).toBe(8);
  });

  it('says whether it made a batch wait lately', () => {
    const c = clock();
    const pacer = new IntakePacer(32_768, c.now);
    expect(pacer.pacedWithin(1_000)).toBe(false);
    pacer.passed({ spans: 32_000, ms: 500 });
    pacer.delay(512, 1_000);
    expect(pacer.pacedWithin(1_000)).toBe(false);
    pacer.delay(512, 40_000);
    c.advance(900);
    expect(pacer.pacedWithin(1_000)).toBe(true);
    c.advance(200);
    expect(pacer.pacedWithin(1_000)).toBe(false);
  });

  it('follows the rate of recent passes, ignoring small ones', () => {
    const c = clock();
    const pacer = new IntakePacer(32_768, c.now);
    pacer.passed({ spans: 32_000, ms: 500 });
    pacer.passed({ spans: 100, ms: 50 });
    expect(pacer.delay(64, 40_000)).toBe(1);
    for (let i = 0; i < 20; i++) pacer.passed({ spans: 32_000, ms: 1_000 });
    c.advance(1_000);
    expect(pacer.delay(64, 40_000)).toBeCloseTo(2, 1);
  });
});
