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

  it('keeps its last part for requests that are not big', () => {
    const budget = new InflightBudget(100, { bigRequestBytes: 20, reservedBytes: 30 });
    const bombs = [budget.reserve(), budget.reserve(), budget.reserve()];
    bombs[0]!.grow(30);
    bombs[1]!.grow(30);
    // A big one may bring the use to 70, not past it; a small one to 100.
    expect(budget.isSpent(25)).toBe(true);
    expect(budget.isSpent(10)).toBe(false);
    expect(thrownBy(() => bombs[2]!.grow(25), IngestRejectedError).reason).toBe('memory_exhausted');
    // Growing past the big size counts the request's whole share, not the step.
    bombs[2]!.grow(10);
    expect(thrownBy(() => bombs[2]!.grow(15), IngestRejectedError).reason).toBe('memory_exhausted');
    const small = budget.reserve();
    small.grow(20);
    small.resize(15);
    expect(budget.usedBytes).toBe(85);
    expect(budget.isSpent(15)).toBe(false);
    expect(budget.isSpent(16)).toBe(true);
  });

  it('reserves an eighth by default, for requests of up to 4 MiB', () => {
    const mib = 1024 * 1024;
    const budget = new InflightBudget(128 * mib);
    budget.reserve().grow(108 * mib);
    expect(budget.isSpent(4 * mib)).toBe(false);
    expect(budget.isSpent(4 * mib + 1)).toBe(true);
    expect(budget.isSpent(20 * mib)).toBe(true);
    expect(new InflightBudget(128 * mib).isSpent(20 * mib)).toBe(false);
  });
});
