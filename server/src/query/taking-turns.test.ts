import { describe, expect, it } from 'vitest';
import { takingTurns } from './taking-turns.js';

/** Pieces that arrive through promise callbacks only, as a store's already-read pages do, each taking `ms` of `clock`. */
async function* ready(n: number, clock = { ms: 0 }, ms = 0): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    clock.ms += ms;
    yield i;
  }
}

/** Pulls every piece, noting after which piece a callback queued on the event loop ran. */
async function pull(pieces: AsyncIterable<number>): Promise<{ got: number[]; loopRanAfter: number[] }> {
  const got: number[] = [];
  const loopRanAfter: number[] = [];
  const watch = () => setImmediate(() => {
    loopRanAfter.push(got.length);
    if (got.length < 6) watch();
  });
  watch();
  for await (const piece of pieces) got.push(piece);
  return { got, loopRanAfter };
}

describe('takingTurns', () => {
  it('gives the event loop a turn once a stretch took its time, and passes every piece on in order', async () => {
    const clock = { ms: 0 };
    // Each piece takes 2 ms: the loop gets a turn after every second piece (4 ms reached).
    const slow = await pull(takingTurns(ready(6, clock, 2), 4, () => clock.ms));
    expect(slow.got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(slow.loopRanAfter.slice(0, 3)).toEqual([2, 4, 6]);
  });

  it('does not stop for the loop while pieces come quickly', async () => {
    const fast = await pull(takingTurns(ready(6), 4, () => 0));
    expect(fast.got).toEqual([0, 1, 2, 3, 4, 5]);
    // Promise callbacks alone never let the loop in: all pieces were through before it ran.
    expect(fast.loopRanAfter).toEqual([]);
  });
});
