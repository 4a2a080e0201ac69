/**
 * Answers that hold many whole traces (Jaeger's trace search: 20 traces of hundreds of
 * spans each) are written a trace at a time. Built whole, one such answer held the event
 * loop for ~200 ms (decoding, converting, one JSON.stringify of megabytes), and every
 * exporter's answer and every other query waited behind it: under overload that was the
 * refusals' p99. Written in pieces, the loop turns between traces, only a few traces are
 * held at once, and a client that stops reading stops the reading of further traces.
 * (Pieces that follow each other through promise callbacks alone never let the loop in:
 * sendJsonPieces gives it a turn every few milliseconds.)
 */
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Span } from '@threadline/shared';
import type { SpanStore } from '../store/span-store.js';
import { readTrace } from './read-trace.js';
import { takingTurns } from './taking-turns.js';

/** Traces being read ahead of the one being written: the reader worker never waits for the writing. */
const READ_AHEAD = 4;

/**
 * `read` of each of `traceIds`, in that order, skipping traces that vanished meanwhile
 * (retention: `read` gives undefined), reading up to READ_AHEAD ahead.
 */
export async function* readInOrder<T>(traceIds: readonly string[], read: (traceId: string) => Promise<T | undefined>): AsyncGenerator<{ traceId: string; value: T }> {
  const reads = new Map<number, Promise<T | undefined>>();
  const startRead = (i: number) => {
    if (i >= traceIds.length || reads.has(i)) return;
    const reading = read(traceIds[i]!);
    // A read ahead may fail while the event loop turns before it is awaited (the answer
    // takes turns, sendJsonPieces): that is not an unhandled rejection; awaiting it throws.
    reading.catch(() => {});
    reads.set(i, reading);
  };
  for (let i = 0; i < traceIds.length; i++) {
    for (let j = i; j < i + READ_AHEAD; j++) startRead(j);
    const value = await reads.get(i)!;
    reads.delete(i);
    if (value !== undefined) yield { traceId: traceIds[i]!, value };
  }
}

/** The spans of each of `traceIds` (readInOrder). */
export async function* tracesInOrder(store: SpanStore, traceIds: readonly string[]): AsyncGenerator<{ traceId: string; spans: Span[] }> {
  const whole = async (traceId: string) => {
    const spans = await readTrace(store, traceId);
    return spans.length > 0 ? spans : undefined;
  };
  for await (const { traceId, value } of readInOrder(traceIds, whole)) yield { traceId, spans: value };
}

/**
 * The text `head` + items joined by commas + `tail()`: the JSON of an object whose list
 * member is written last but one. `tail` runs once every item was taken, so it may report
 * what the items found (missing traces). Nothing is given before the first item is ready,
 * so a failure to read it still gets a proper error answer, not a cut connection.
 */
export async function* jsonListText(head: string, items: AsyncIterable<string | Buffer>, tail: () => string): AsyncGenerator<string | Buffer> {
  const iterator = items[Symbol.asyncIterator]();
  let done = false;
  try {
    let next = await iterator.next();
    yield head;
    if (!next.done) yield next.value;
    while (!next.done) {
      next = await iterator.next();
      if (!next.done) {
        yield ',';
        yield next.value;
      }
    }
    done = true;
    yield tail();
  } finally {
    if (!done) await iterator.return?.();
  }
}

/**
 * Pieces joined into writes of at least `minBytes` (but the last), each a Buffer: a piece of
 * `minBytes` or more goes as it is, uncopied, after what was held before it. A write costs a
 * compression call (on libuv's pool, and back) and a trip through the response's streams:
 * a Jaeger search of 20 Go-fleet traces (~33 KB each, and a comma between) was 41 writes.
 */
export async function* coalescedPieces(pieces: AsyncIterable<string | Buffer>, minBytes = WRITE_BYTES): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let size = 0;
  const take = () => {
    const joined = held.length === 1 ? held[0]! : Buffer.concat(held, size);
    held = [];
    size = 0;
    return joined;
  };
  for await (const piece of pieces) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    if (bytes.length >= minBytes) {
      if (size > 0) yield take();
      yield bytes;
      continue;
    }
    held.push(bytes);
    size += bytes.length;
    if (size >= minBytes) yield take();
  }
  if (size > 0) yield take();
}

/** What sendJsonPieces writes at a time, at least (coalescedPieces). */
export const WRITE_BYTES = 128 * 1024;

/**
 * Sends text pieces (strings, or UTF-8 bytes) as a JSON body, as fast as the client reads
 * (pipeline ends or destroys the response), giving the event loop a turn between pieces
 * every few milliseconds: a Jaeger search of 20 traces of 512 spans is ~100 ms of
 * transcoding, during which ingest's acknowledgements and refusals would otherwise wait.
 */
export async function sendJsonPieces(res: Response, pieces: AsyncIterable<string | Buffer>): Promise<void> {
  res.type('json');
  await pipeline(Readable.from(coalescedPieces(takingTurns(pieces))), res);
}
