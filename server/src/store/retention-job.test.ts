import { describe, expect, it, vi } from 'vitest';
import type { RetentionStep } from './latency-queries.js';
import { RetentionJob, type RetentionPolicy, type RetentionStore } from './retention-job.js';

const step = (spans: number): RetentionStep => ({ spans, traces: spans > 0 ? 1 : 0, sketches: 0, records: 0 });

/** A store with `spans` spans, each taking `bytesPerSpan`, deleted `maxSpans` at a time. */
function fakeStore(spans: number, bytesPerSpan = 10) {
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
    deleteOldestTraces: vi.fn(async (max: number) => {
      calls.push('oldest');
      return take(max);
    }),
    getStorageBytes: vi.fn(async () => left * bytesPerSpan),
  };
  return { store, calls, left: () => left };
}

const logger = () => ({ info: vi.fn(), warn: vi.fn() });
const policy = (fields: Partial<RetentionPolicy>): RetentionPolicy => ({
  retentionNs: 0n,
  maxDbSizeBytes: 0,
  storeLimitsSize: false,
  intervalMs: 60_000,
  stepSpans: 100,
  ...fields,
});

describe('RetentionJob', () => {
  it('then deletes profiles in steps, with the age cutoff (0 without one: the store keeps them no older than its spans)', async () => {
    const { store, calls } = fakeStore(50);
    let profileRows = 250;
    const deleteProfilesBefore = vi.fn(async (cutoffNs: bigint, max: number) => {
      calls.push(`profiles ${cutoffNs}`);
      const n = Math.min(max, profileRows);
      profileRows -= n;
      return n;
    });
    const withProfiles: RetentionStore = { ...store, deleteProfilesBefore };
    const report = await new RetentionJob(withProfiles, policy({ retentionNs: 1_000n }), logger(), () => 5_000n).runOnce();
    expect(calls).toEqual(['before 4000', 'before 4000', 'profiles 4000', 'profiles 4000', 'profiles 4000', 'profiles 4000']);
    expect(report.records).toBe(250);
    expect(profileRows).toBe(0);

    profileRows = 10;
    await new RetentionJob(withProfiles, policy({ maxDbSizeBytes: 1 }), logger()).runOnce();
    expect(deleteProfilesBefore).toHaveBeenLastCalledWith(0n, 100);
    expect(profileRows).toBe(0);
  });

  it('deletes by age in steps until a step finds nothing', async () => {
    const { store, calls, left } = fakeStore(250);
    const log = logger();
    const job = new RetentionJob(store, policy({ retentionNs: 1_000n }), log, () => 5_000n);
    expect(await job.runOnce()).toEqual({ spans: 250, traces: 3, sketches: 0, records: 0, steps: 3 });
    expect(calls).toEqual(['before 4000', 'before 4000', 'before 4000', 'before 4000']);
    expect(left()).toBe(0);
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ spans: 250, steps: 3 }), 'retention sweep');
  });

  it('deletes the oldest traces while the store is over the size limit', async () => {
    const { store, left } = fakeStore(1_000, 10);
    const job = new RetentionJob(store, policy({ maxDbSizeBytes: 4_500 }), logger());
    const report = await job.runOnce();
    expect(left() * 10).toBeLessThanOrEqual(4_500);
    expect(report.spans).toBe(600);
    expect(store.deleteBefore).not.toHaveBeenCalled();
  });

  it('stops when the store has nothing left to delete, even above the limit', async () => {
    const { store } = fakeStore(0);
    store.getStorageBytes = async () => 1e9;
    expect((await new RetentionJob(store, policy({ maxDbSizeBytes: 1 }), logger()).runOnce()).steps).toBe(0);
  });

  it('is not started when there is nothing to enforce', () => {
    expect(RetentionJob.start(fakeStore(1).store, policy({}), logger())).toBeUndefined();
  });

  it('leaves the size to a store that limits it itself, but still sweeps so that profiles follow its evictions', async () => {
    const { store, calls } = fakeStore(50);
    const deleteProfilesBefore = vi.fn(async () => 0);
    const job = RetentionJob.start({ ...store, deleteProfilesBefore }, policy({ storeLimitsSize: true, intervalMs: 60_000 }), logger());
    expect(job).toBeDefined();
    await job!.close();
    await new RetentionJob({ ...store, deleteProfilesBefore }, policy({ storeLimitsSize: true }), logger()).runOnce();
    expect(calls).toEqual([]);
    expect(deleteProfilesBefore).toHaveBeenCalledWith(0n, 100);
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
