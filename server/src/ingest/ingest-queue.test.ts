import { describe, expect, it, vi } from 'vitest';
import type { Span } from '@threadline/shared';
import { IngestQueue, IngestRejectedError } from './ingest-queue.js';
import type { SpanStore } from '../store/span-store.js';
import { makeSpan } from '../test-support/span-factory.js';

/** A store whose writes complete only when the test says so. */
function gatedStore() {
  const writes: Array<{ spans: readonly Span[]; commit(): void; fail(e: Error): void }> = [];
  const store = {
    writeBatch: (spans: readonly Span[]) =>
      new Promise<void>((resolve, reject) => writes.push({ spans, commit: resolve, fail: reject })),
  } as unknown as SpanStore;
  return { store, writes };
}

const spans = (n: number) => Array.from({ length: n }, () => makeSpan());
const tick = () => new Promise((r) => setImmediate(r));

describe('IngestQueue', () => {
  it('acknowledges a submission only after its batch commits', async () => {
    const { store, writes } = gatedStore();
    const q = new IngestQueue(store, { maxQueuedSpans: 100, maxBatchSpans: 50 });
    let acked = false;
    const p = q.submit(spans(3)).then(() => (acked = true));
    await tick();
    expect(writes).toHaveLength(1);
    expect(acked).toBe(false);
    writes[0]!.commit();
    await p;
    expect(acked).toBe(true);
    expect(q.stats()).toMatchObject({ queuedSpans: 0, writtenSpans: 3 });
  });

  it('merges waiting submissions into one transaction up to maxBatchSpans', async () => {
    const { store, writes } = gatedStore();
    const q = new IngestQueue(store, { maxQueuedSpans: 100, maxBatchSpans: 10 });
    const all = [q.submit(spans(2)), q.submit(spans(4)), q.submit(spans(4)), q.submit(spans(4))];
    await tick();
    writes[0]!.commit(); // the first submission went alone; the next three wait
    await tick();
    expect(writes[1]!.spans).toHaveLength(8);
    writes[1]!.commit();
    await tick();
    expect(writes[2]!.spans).toHaveLength(4);
    writes[2]!.commit();
    await Promise.all(all);
  });

  it('writes a prepared submission alone, in queue order, through aroundWrite, counted as its spans', async () => {
    const { store, writes } = gatedStore();
    const order: string[] = [];
    const q = new IngestQueue(store, {
      maxQueuedSpans: 20,
      maxBatchSpans: 50,
      aroundWrite: (write) => (order.push('around'), write()),
    });
    let finishPrepared!: () => void;
    const all = [
      q.submit(spans(2)),
      q.submitPrepared(5, () => (order.push('prepared'), new Promise<void>((resolve) => (finishPrepared = resolve)))),
      q.submit(spans(3)),
      q.submit(spans(4)),
    ];
    expect(q.stats().queuedSpans).toBe(14);
    await expect(q.submitPrepared(7, async () => {})).rejects.toBeInstanceOf(IngestRejectedError);
    await tick();
    writes[0]!.commit();
    await tick();
    expect(order).toEqual(['around', 'around', 'prepared']);
    expect(writes).toHaveLength(1);
    finishPrepared();
    await tick();
    // The span submissions after it merge again.
    expect(writes[1]!.spans).toHaveLength(7);
    writes[1]!.commit();
    await Promise.all(all);
    expect(q.stats()).toMatchObject({ queuedSpans: 0, writtenSpans: 14, acceptedSpans: 14, refusedSpans: 7 });
  });

  it('refuses with queue_full when the bound would be exceeded, and loses nothing accepted', async () => {
    const { store, writes } = gatedStore();
    const q = new IngestQueue(store, { maxQueuedSpans: 5, maxBatchSpans: 5 });
    const first = q.submit(spans(4));
    const refused = q.submit(spans(2));
    await expect(refused).rejects.toBeInstanceOf(IngestRejectedError);
    await expect(refused).rejects.toMatchObject({ reason: 'queue_full', retryAfterSeconds: 1 });
    await tick();
    writes[0]!.commit();
    await first;
    expect(q.stats()).toMatchObject({ acceptedSpans: 4, writtenSpans: 4, refusedSpans: 2 });
  });

  it('takes an oversized submission when the queue is empty', async () => {
    const { store, writes } = gatedStore();
    const q = new IngestQueue(store, { maxQueuedSpans: 5, maxBatchSpans: 5 });
    const p = q.submit(spans(8));
    await tick();
    writes[0]!.commit();
    await expect(p).resolves.toBeUndefined();
  });

  it('rejects every submitter of a failed transaction', async () => {
    const { store, writes } = gatedStore();
    const q = new IngestQueue(store, { maxQueuedSpans: 100, maxBatchSpans: 100 });
    const a = q.submit(spans(1));
    await tick();
    const b = q.submit(spans(1));
    const c = q.submit(spans(1));
    writes[0]!.commit();
    await a;
    await tick();
    writes[1]!.fail(new Error('disk full'));
    await expect(b).rejects.toThrow('disk full');
    await expect(c).rejects.toThrow('disk full');
    expect(q.stats()).toMatchObject({ failedBatches: 1, queuedSpans: 0 });
  });

  it('drain waits for accepted work and then refuses new work', async () => {
    const { store, writes } = gatedStore();
    const q = new IngestQueue(store, { maxQueuedSpans: 100, maxBatchSpans: 100 });
    const p = q.submit(spans(3));
    let drained = false;
    const d = q.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    writes[0]!.commit();
    await Promise.all([p, d]);
    expect(drained).toBe(true);
    await expect(q.submit(spans(1))).rejects.toMatchObject({ reason: 'shutting_down' });
  });
});

/** Runs `test` with performance.now() at 0 until it moves the clock on (the queue times its commits). */
async function withClock(test: (advance: (ms: number) => void) => Promise<void>): Promise<void> {
  let now = 0;
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => now);
  try {
    await test((ms) => (now += ms));
  } finally {
    spy.mockRestore();
  }
}

describe('IngestQueue bound in time', () => {
  it('holds at most maxQueueSeconds of commits at the rate the store commits', async () => {
    const { store, writes } = gatedStore();
    await withClock(async (advance) => {
      const queue = new IngestQueue(store, { maxQueuedSpans: 10_000, maxBatchSpans: 10, maxQueueSeconds: 2 });
      expect(queue.bound()).toBe(10_000);
      const first = queue.submit(spans(100));
      await tick();
      // 100 spans committed in 1 s: 100 spans/s, so 2 s of queue is 200 spans.
      advance(1000);
      writes[0]!.commit();
      await first;
      expect(queue.bound()).toBe(200);
      const second = queue.submit(spans(150));
      expect(queue.hasRoomFor(50)).toBe(true);
      expect(queue.hasRoomFor(51)).toBe(false);
      await tick();
      writes[1]!.commit();
      await second;
    });
  });
});

describe('IngestQueue after admission', () => {
  it('has room for any one request while empty, but not while others are in flight', () => {
    const queue = new IngestQueue(gatedStore().store, { maxQueuedSpans: 1_000, maxBatchSpans: 10 });
    expect(queue.hasRoomFor(5_000)).toBe(true);
    expect(queue.hasRoomFor(5_000, true)).toBe(false);
    expect(queue.hasRoomFor(1_000, true)).toBe(true);
  });

  it('takes a submission admission let in when the bound in time shrank meanwhile, up to the hard cap', async () => {
    const { store, writes } = gatedStore();
    await withClock(async (advance) => {
      const queue = new IngestQueue(store, { maxQueuedSpans: 1_000, maxBatchSpans: 10, maxQueueSeconds: 2 });
      const first = queue.submit(spans(100));
      await tick();
      // Admitted while the bound is the hard cap: 300 more fit.
      expect(queue.hasRoomFor(300)).toBe(true);
      // Then the first commit sets the bound to 2 s at 100 spans/s, and another batch queues.
      advance(1000);
      writes[0]!.commit();
      await first;
      const second = queue.submit(spans(100));
      expect(queue.bound()).toBe(200);
      expect(queue.hasRoomFor(300)).toBe(false);
      // The admitted 300 arrive decoded: over the bound in time, under the hard cap, taken.
      const admitted = queue.submit(spans(300));
      // Past the hard cap (100 + 300 queued), refused even so.
      await expect(queue.submit(spans(601))).rejects.toMatchObject({ reason: 'queue_full' });
      await tick();
      writes[1]!.commit();
      await second;
      await tick();
      writes[2]!.commit();
      await admitted;
      expect(queue.stats()).toMatchObject({ writtenSpans: 500, refusedSpans: 601 });
    });
  });
});

describe('IngestRejectedError', () => {
  it('carries no stack trace, and leaves the stack trace limit as it was', () => {
    const before = Error.stackTraceLimit;
    const err = new IngestRejectedError('queue_full', 'ingest queue is full; retry later', 1);
    expect(err.stack).toBe('IngestRejectedError: ingest queue is full; retry later');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('other').stack).toMatch(/\n\s+at /);
  });
});
