/**
 * Lets the rest of the server run while a long answer is made. The compact trace of a big
 * trace is encoded a page at a time, but the pages of one piece read from the store follow
 * each other through promise callbacks only, which never let the event loop in: with a
 * 100k-span trace being sent, a request for one of the UI's scripts waited 130–450 ms for
 * its first byte (1 ms otherwise; 4–21 ms with the turns), and so would any request the
 * process serves meanwhile, ingest's too: they share the one event loop. Answers of many
 * traces (trace-list-text.ts) take turns the same way.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long a producer may keep the event loop before it gives way, in ms. */
export const TURN_MS = 4;

/** `pieces` as they are, with a turn of the event loop after any stretch of TURN_MS or more between them. */
export async function* takingTurns<T>(pieces: AsyncIterable<T>, turnMs = TURN_MS, now: () => number = performance.now.bind(performance)): AsyncGenerator<T> {
  let since = now();
  for await (const piece of pieces) {
    yield piece;
    if (now() - since >= turnMs) {
      await nextTurn();
      since = now();
    }
  }
}
