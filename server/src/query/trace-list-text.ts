/**
 * Answers that hold many whole traces (Jaeger's trace search: 20 traces of hundreds of
 * spans each) are written a trace at a time. Built whole, one such answer held the event
 * loop for ~200 ms (decoding, converting, one JSON.stringify of megabytes), and every
 * exporter's answer and every other query waited behind it: under overload that was the
 * refusals' p99. Written in pieces, the loop turns between traces, only a few traces are
 * held at once, and a client that stops reading stops the reading of further traces.
 */
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Span } from '@threadline/shared';
import type { SpanStore } from '../store/span-store.js';
import { readTrace } from './read-trace.js';

/** Traces being read ahead of the one being written: the reader worker never waits for the writing. */
const READ_AHEAD = 4;

/**
 * The traces of `traceIds` in that order, skipping any that vanished meanwhile
 * (retention), reading up to READ_AHEAD ahead.
 */
export async function* tracesInOrder(store: SpanStore, traceIds: readonly string[]): AsyncGenerator<{ traceId: string; spans: Span[] }> {
  const reads = new Map<number, Promise<Span[]>>();
  const startRead = (i: number) => {
    if (i < traceIds.length && !reads.has(i)) reads.set(i, readTrace(store, traceIds[i]!));
  };
  try {
    for (let i = 0; i < traceIds.length; i++) {
      for (let j = i; j < i + READ_AHEAD; j++) startRead(j);
      const spans = await reads.get(i)!;
      reads.delete(i);
      if (spans.length > 0) yield { traceId: traceIds[i]!, spans };
    }
  } finally {
    // Stopped early: reads under way settle unobserved.
    for (const read of reads.values()) read.catch(() => {});
  }
}

/**
 * The text `head` + items joined by commas + `tail()`: the JSON of an object whose list
 * member is written last but one. `tail` runs once every item was taken, so it may report
 * what the items found (missing traces). Nothing is given before the first item is ready,
 * so a failure to read it still gets a proper error answer, not a cut connection.
 */
export async function* jsonListText(head: string, items: AsyncIterable<string>, tail: () => string): AsyncGenerator<string> {
  const iterator = items[Symbol.asyncIterator]();
  let done = false;
  try {
    let next = await iterator.next();
    yield next.done ? head : head + next.value;
    while (!next.done) {
      next = await iterator.next();
      if (!next.done) yield `,${next.value}`;
    }
    done = true;
    yield tail();
  } finally {
    if (!done) await iterator.return?.();
  }
}

/** Sends text pieces as a JSON body, as fast as the client reads (pipeline ends or destroys the response). */
export async function sendJsonPieces(res: Response, pieces: AsyncIterable<string>): Promise<void> {
  res.type('json');
  await pipeline(Readable.from(pieces), res);
}
