import { describe, expect, it } from 'vitest';
import type { TraceCursor, TracePiece } from './trace-piece-reader.js';
import { streamPieces, type FirstPiece } from './trace-piece-stream.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const cursorAt = (chunkId: number): TraceCursor => ({ traceNum: 1, chunkId, blockId: 0, span: 0 });

/** Three pieces: [1,2][3] | [4] | [5,6], as a reader worker would answer them, counting the reads. */
function fakeReader(fail?: number) {
  const pieces: TracePiece[] = [
    { bytes: bytes(1, 2, 3), chunkLengths: [2, 1], next: cursorAt(1) },
    { bytes: bytes(4), chunkLengths: [1], next: cursorAt(2) },
    { bytes: bytes(5, 6), chunkLengths: [2], next: undefined },
  ];
  const reads: Array<number | undefined> = [];
  const read = async (cursor: TraceCursor | undefined): Promise<FirstPiece | TracePiece> => {
    reads.push(cursor?.chunkId);
    const index = cursor?.chunkId ?? 0;
    if (index === fail) throw new Error(`piece ${index} failed`);
    return index === 0 ? { ...pieces[0]!, joined: [] } : pieces[index]!;
  };
  return { read, reads };
}

async function collect(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const chunk of chunks) out.push([...chunk]);
  return out;
}

describe('streamPieces', () => {
  it('gives the pieces’ chunks in order, then the unindexed ones', async () => {
    const { read } = fakeReader();
    const stream = await streamPieces(read, [bytes(9)]);
    expect(stream.joined).toEqual([]);
    expect(await collect(stream.chunks)).toEqual([[1, 2], [3], [4], [5, 6], [9]]);
  });

  it('reads the first piece at once and asks for one piece ahead, no more', async () => {
    const { read, reads } = fakeReader();
    const stream = await streamPieces(read, []);
    expect(reads).toEqual([undefined]);
    const it = (stream.chunks as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await it.next();
    expect(reads).toEqual([undefined, 1]);
    await it.next();
    await it.next();
    expect(reads).toEqual([undefined, 1, 2]);
    await it.return?.();
  });

  it('fails the read where a later piece fails, and leaves no failure unhandled when the reader stopped first', async () => {
    await expect(collect((await streamPieces(fakeReader(1).read, [])).chunks)).rejects.toThrow('piece 1 failed');
    const stopped = (await streamPieces(fakeReader(1).read, [])).chunks as AsyncIterable<Uint8Array>;
    const it = stopped[Symbol.asyncIterator]();
    await it.next();
    await it.return?.();
    // A rejection nobody handled would fail this test file (vitest reports unhandled rejections).
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('fails at once when the first piece cannot be read', async () => {
    await expect(streamPieces(fakeReader(0).read, [])).rejects.toThrow('piece 0 failed');
  });
});
