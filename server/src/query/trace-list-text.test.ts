import { describe, expect, it } from 'vitest';
import type { Span } from '@threadline/shared';
import type { SpanStore } from '../store/span-store.js';
import { buildSpan } from './test-support/span-builder.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { jsonListText, readInOrder, tracesInOrder } from './trace-list-text.js';

async function* from<T>(items: T[], failAt = -1): AsyncGenerator<T> {
  for (let i = 0; i < items.length; i++) {
    if (i === failAt) throw new Error(`item ${i} failed`);
    yield items[i]!;
  }
}

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('jsonListText', () => {
  it('gives the head, the items joined by commas, and the tail, whose text can depend on the items', async () => {
    const seen: string[] = [];
    const items = (async function* () {
      for (const x of ['1', '2', '3']) {
        seen.push(x);
        yield x;
      }
    })();
    const text = (await collect(jsonListText('{"a":[', items, () => `],"n":${seen.length}}`))).join('');
    expect(JSON.parse(text)).toEqual({ a: [1, 2, 3], n: 3 });
    expect((await collect(jsonListText('{"a":[', from([]), () => ']}'))).join('')).toBe('{"a":[]}');
  });

  it('joins small byte items to their comma, and passes big ones on uncopied after a comma piece', async () => {
    const big = Buffer.from(JSON.stringify('x'.repeat(100_000)));
    const items = [Buffer.from('{"a":1}'), big, Buffer.from('"é"')];
    const pieces = await collect(jsonListText('[', from(items), () => ']'));
    expect(pieces).toHaveLength(5);
    expect(pieces[2]).toBe(big);
    expect(pieces.map((p) => (typeof p === 'string' ? 'text' : 'bytes'))).toEqual(['bytes', 'text', 'bytes', 'bytes', 'text']);
    expect(JSON.parse(Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8'))).toEqual([{ a: 1 }, 'x'.repeat(100_000), 'é']);
  });

  it('gives nothing before the first item, so a failure to read it can still be answered as an error', async () => {
    const pieces: Array<string | Buffer> = [];
    await expect(
      (async () => {
        for await (const piece of jsonListText('[', from(['1'], 0), () => ']')) pieces.push(piece);
      })(),
    ).rejects.toThrow('item 0 failed');
    expect(pieces).toEqual([]);
  });
});

/** A store whose getTrace calls are recorded and answered when the test says so. */
function slowStore(traces: Record<string, Span[]>) {
  const started: string[] = [];
  const pending: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const store = {
    getTrace: (id: string) =>
      new Promise<Span[]>((resolve) => {
        started.push(id);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        pending.push(() => {
          inFlight--;
          resolve(traces[id] ?? []);
        });
      }),
  } as unknown as SpanStore;
  const answerAll = async () => {
    while (pending.length > 0) pending.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { store, started, answerAll, maxInFlight: () => maxInFlight };
}

describe('tracesInOrder', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
  const traces = Object.fromEntries(ids.filter((id) => id !== 't3').map((id) => [id, [buildSpan({ spanId: 'a000000000000001', traceId: id.padStart(32, '0').replace('t', '1') })]]));

  it('gives the traces in the order asked, skips vanished ones, and reads at most four ahead', async () => {
    const slow = slowStore(traces);
    const got: string[] = [];
    const done = (async () => {
      for await (const t of tracesInOrder(slow.store, ids)) got.push(t.traceId);
    })();
    while (got.length < 9) await slow.answerAll();
    await done;
    expect(got).toEqual(ids.filter((id) => id !== 't3'));
    expect(slow.started).toEqual(ids);
    expect(slow.maxInFlight()).toBe(4);
  });

  it('starts no further reads once the consumer stops', async () => {
    const slow = slowStore(traces);
    const reading = (async () => {
      for await (const t of tracesInOrder(slow.store, ids)) if (t.traceId === 't1') break;
    })();
    while (slow.started.length < 5) await slow.answerAll();
    await slow.answerAll();
    await reading;
    expect(slow.started).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });

  it('lets a read ahead fail while the event loop turns, and throws it when that trace is reached', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const read = (id: string) => (id === 'b' ? Promise.reject(new Error('disk gone')) : Promise.resolve(id));
      const got: string[] = [];
      const reading = (async () => {
        // As sendJsonPieces consumes it: a turn of the event loop between traces.
        for await (const { value } of readInOrder(['a', 'b', 'c'], read)) {
          got.push(value);
          await nextTurn();
          await nextTurn();
        }
      })();
      await expect(reading).rejects.toThrow('disk gone');
      expect(got).toEqual(['a']);
      await nextTurn();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
