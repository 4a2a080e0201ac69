/**
 * The calling thread's side of reading a trace a piece at a time (trace-piece-reader.ts):
 * the trace's chunks as the reader worker hands them over, then the chunks still waiting
 * to be indexed. One piece is asked for ahead, so that the worker reads it while the spans
 * of the one before are encoded; no more, so that a slow client holds two pieces at most.
 */
import type { JoinedRecordRow } from './nettrace-join.js';
import type { TraceCursor, TracePiece } from './trace-piece-reader.js';

/** A trace's chunks as they come, oldest first, and its joined net/trace records (known before the first chunk). */
export interface TraceChunkStream {
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  joined: JoinedRecordRow[];
}

/** What a read of the trace's first piece answers (later pieces' `joined` is not read). */
export type FirstPiece = TracePiece & { joined: JoinedRecordRow[] };

/** A piece's chunks, views of its buffer. */
export function* chunksOf(piece: { bytes: Uint8Array; chunkLengths: readonly number[] }): Generator<Uint8Array> {
  let at = 0;
  for (const length of piece.chunkLengths) {
    yield piece.bytes.subarray(at, at + length);
    at += length;
  }
}

/**
 * The trace as `read` hands it over, piece by piece from its first (`read(undefined)`,
 * awaited here: a trace that cannot be read fails before anything is sent), then
 * `unindexed`: the trace's chunks taken from the ingest log before the first read.
 */
export async function streamPieces(read: (cursor: TraceCursor | undefined) => Promise<FirstPiece | TracePiece>, unindexed: readonly Uint8Array[]): Promise<TraceChunkStream> {
  const first = (await read(undefined)) as FirstPiece;
  return { joined: first.joined, chunks: piecesFrom(first, read, unindexed) };
}

async function* piecesFrom(first: TracePiece, read: (cursor: TraceCursor) => Promise<TracePiece>, unindexed: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  let piece: TracePiece | undefined = first;
  while (piece !== undefined) {
    const next: Promise<TracePiece> | undefined = piece.next === undefined ? undefined : read(piece.next);
    // Awaited below, unless the consumer stops first: then its failure must not go unhandled.
    next?.catch(() => undefined);
    yield* chunksOf(piece);
    piece = await next;
  }
  yield* unindexed;
}
