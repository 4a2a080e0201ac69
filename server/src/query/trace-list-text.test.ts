import { describe, expect, it } from 'vitest';
import type { Span } from '@threadline/shared';
import type { SpanStore } from '../store/span-store.js';
import { buildSpan } from './test-support/span-builder.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { coalescedPieces, jsonListText, readInOrder, tracesInOrder } from './trace-list-text.js';

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

  it('passes items on as they are, uncopied, between comma pieces', async () => {
    const big = Buffer.from(JSON.stringify('x'.repeat(100_000)));
    const items = [Buffer.from('{"a":1}'), big, Buffer.from('"é"')];
    const pieces = await collect(jsonListText('[', from(items), () => ']'));
    expect(pieces).toEqual(['[', items[0], ',', big, ',', items[2], ']']);
    expect(pieces[3]).toBe(big);
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

describe('coalescedPieces', () => {
  const text = (pieces: Buffer[]) => Buffer.concat(pieces).toString('utf8');

  it('joins pieces into writes of at least the size given, the last one shorter', async () => {
    // 'é' is two bytes.
    const pieces = ['ab', Buffer.from('cd'), 'é', 'f', 'gh', 'i'];
    const writes = await collect(coalescedPieces(from(pieces), 4));
    expect(writes.map((w) => w.toString('utf8'))).toEqual(['abcd', 'éfgh', 'i']);
    expect(writes.every((w) => Buffer.isBuffer(w))).toBe(true);
  });

  it('sends a piece of the size or more alone and uncopied, after what was held', async () => {
    const big = Buffer.from('0123456789');
    const writes = await collect(coalescedPieces(from(['[', big, ',', big, ']']), 8));
    expect(writes.map((w) => w.toString('utf8'))).toEqual(['[', '0123456789', ',', '0123456789', ']']);
    expect(writes[1]).toBe(big);
    expect(writes[3]).toBe(big);
    expect(await collect(coalescedPieces(from([]), 8))).toEqual([]);
  });

  it('gives a Jaeger answer the same text in fewer writes', async () => {
    const traces = Array.from({ length: 20 }, (_, i) => Buffer.from(JSON.stringify({ traceID: String(i), pad: 'x'.repeat(30_000) })));
    const list = () => jsonListText('{"data":[', from(traces), () => ']}');
    const pieces = await collect(list());
    const writes = await collect(coalescedPieces(list(), 128 * 1024));
    expect(text(writes)).toBe(Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8'));
    expect(pieces).toHaveLength(41);
    expect(writes).toHaveLength(5);
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
