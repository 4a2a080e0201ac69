import { describe, expect, it, vi } from 'vitest';
import type { RetentionStep } from './latency-queries.js';
import { RetentionJob, type RetentionPolicy, type RetentionStore } from './retention-job.js';

const step = (spans: number): RetentionStep => ({ spans, traces: spans > 0 ? 1 : 0, sketches: 0, records: 0 });

/** A store with `spans` spans, deleted `maxSpans` at a time. */
function fakeStore(spans: number) {
  let left = spans;
  const calls: string[] = [];
  const take = (max: number) => {
    const n = Math.min(max, left);
    left -= n;
    return step(n);
  };
  const store: RetentionStore = {
    deleteBefore: vi.fn(async (cutoffNs: bigint, max: number) => {
      calls.push(`before ${cutoffNs}`);
      return take(max);
    }),
  };
  return { store, calls, left: () => left };
}

const logger = () => ({ info: vi.fn(), warn: vi.fn() });
const policy = (fields: Partial<RetentionPolicy>): RetentionPolicy => ({
  retentionNs: 0n,
  intervalMs: 60_000,
  stepSpans: 100,
  ...fields,
});

describe('RetentionJob', () => {
  it('deletes by age in steps until a step finds nothing', async () => {
    const { store, calls, left } = fakeStore(250);
    const log = logger();
    const job = new RetentionJob(store, policy({ retentionNs: 1_000n }), log, () => 5_000n);
    expect(await job.runOnce()).toEqual({ spans: 250, traces: 3, sketches: 0, records: 0, steps: 3 });
    expect(calls).toEqual(['before 4000', 'before 4000', 'before 4000', 'before 4000']);
    expect(left()).toBe(0);
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ spans: 250, steps: 3 }), 'retention sweep');
  });

  it('is not started when there is nothing to enforce', () => {
    expect(RetentionJob.start(fakeStore(1).store, policy({}), logger())).toBeUndefined();
  });

  it('sweeps at start and every interval, logs failures, and stops on close', async () => {
    vi.useFakeTimers();
    try {
      const { store } = fakeStore(0);
      const log = logger();
      store.deleteBefore = vi.fn().mockRejectedValueOnce(new Error('disk I/O error')).mockResolvedValue(step(0));
      const job = RetentionJob.start(store, policy({ retentionNs: 1n, intervalMs: 1_000 }), log)!;
      await vi.advanceTimersByTimeAsync(0);
      expect(log.warn).toHaveBeenCalledWith({ err: expect.any(Error) }, 'retention sweep failed; retrying at the next interval');
      await vi.advanceTimersByTimeAsync(2_500);
      expect(store.deleteBefore).toHaveBeenCalledTimes(3);
      await job.close();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(store.deleteBefore).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
