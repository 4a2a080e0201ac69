import { describe, expect, it } from 'vitest';
import { InflightBudget } from './inflight-budget.js';
import { IngestRejectedError } from './ingest-queue.js';
import { thrownBy } from '../test-support/thrown-by.js';

describe('InflightBudget', () => {
  it('refuses growth past the limit while others hold it, and frees on release', () => {
    const budget = new InflightBudget(100);
    const a = budget.reserve();
    const b = budget.reserve();
    a.grow(60);
    expect(budget.isSpent(50)).toBe(true);
    expect(budget.isSpent(40)).toBe(false);
    expect(thrownBy(() => b.grow(50), IngestRejectedError).reason).toBe('memory_exhausted');
    b.grow(40);
    a.release();
    a.release();
    expect(budget.usedBytes).toBe(40);
    b.resize(10);
    expect(budget.usedBytes).toBe(10);
    b.release();
    expect(budget.usedBytes).toBe(0);
  });

  it('lets a request alone past the limit, or an oversized one could never be taken', () => {
    const budget = new InflightBudget(100);
    const a = budget.reserve();
    a.grow(500);
    expect(budget.isSpent(1)).toBe(true);
    a.release();
    expect(budget.isSpent(1_000)).toBe(false);
  });
});
