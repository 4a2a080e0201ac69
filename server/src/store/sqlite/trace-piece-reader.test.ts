import { stringAttr } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';
import { compressChunk } from './chunk-compression.js';
import { encodeSpanChunk, parseSpanChunk } from './span-chunk-codec.js';
import { SpanRemover } from './span-remover.js';
import { SpanWriter } from './span-writer.js';
import { at, readPieces, spanIdOf, testSpan, traceIdOf } from './test-spans.js';
import { TraceChunks } from './trace-chunks.js';
import { BLOCK_PRINT_SQL, fingerprint, fingerprintOf, MAX_PLACEMENTS, PIECE_CHUNKS_SQL, sliceEnd, TracePieceReader, type TraceCursor } from './trace-piece-reader.js';
import { chunksOf } from './trace-piece-stream.js';
import { chunkParts } from './span-chunk-pieces.js';

const T = traceIdOf(7);
let db: Database.Database;
let writer: SpanWriter;
let nextId = 1;

/** One write of `n` spans of trace T (one chunk), each with an attribute of `pad` bytes. */
function write(n: number, pad = 40): string[] {
  const spans = Array.from({ length: n }, () => {
    const id = nextId++;
    return testSpan({ traceId: T, spanId: spanIdOf(id), name: `op ${id}`, startTimeUnixNano: at(id), endTimeUnixNano: at(id + 1), attributes: [stringAttr('pad', 'x'.repeat(pad))] });
  });
  writer.write(spans);
  return spans.map((s) => s.spanId);
}

/** Span IDs of the chunks, in order, copies included (what the pages then deduplicate). */
const idsOf = (chunks: Iterable<Uint8Array>) => [...chunks].flatMap((c) => parseSpanChunk(c).map((s) => s.spanId));

beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  writer = new SpanWriter(db);
  nextId = 1;
});
afterEach(() => db.close());

describe('TracePieceReader', () => {
  it('reads a trace in pieces of about its byte budget, the same spans in the same order as the whole read', () => {
    for (const n of [3, 700, 5, 1, 260, 40]) write(n);
    const whole = new TraceChunks(db).chunksOf(T);
    const reader = new TracePieceReader(db, 8 * 1024);
    const pieces: { bytes: number; spans: number[]; midChunk: boolean }[] = [];
    let cursor: TraceCursor | undefined;
    do {
      const piece = reader.read(T, cursor, 16);
      pieces.push({ bytes: piece.bytes.length, spans: [...chunksOf(piece)].map((c) => parseSpanChunk(c).length), midChunk: (piece.next?.span ?? 0) > 0 });
      cursor = piece.next;
    } while (cursor);
    expect(idsOf(readPieces(new TracePieceReader(db, 8 * 1024), T, 16))).toEqual(idsOf(whole));
    expect(pieces.length).toBeGreaterThan(10);
    // A piece over the budget is one slice of a chunk, and a slice that does not end its chunk holds whole pages.
    for (const p of pieces) if (p.bytes > 8 * 1024) expect(p.spans).toHaveLength(1);
    const slices = pieces.filter((p) => p.midChunk);
    expect(slices.length).toBeGreaterThan(5);
    for (const p of slices) expect(p.spans).toEqual([expect.any(Number)]);
    for (const p of slices) expect(p.spans[0]! % 16).toBe(0);
  });

  it('sends small chunks whole, several to a piece', () => {
    for (let i = 0; i < 30; i++) write(2);
    const reader = new TracePieceReader(db, 64 * 1024);
    const first = reader.read(T, undefined, 256);
    expect(first.chunkLengths).toHaveLength(30);
    expect(first.next).toBeUndefined();
    expect(idsOf(chunksOf(first))).toHaveLength(60);
  });

  it('takes a trace of more chunks than it reads placements at once over several requests', () => {
    const ids = Array.from({ length: MAX_PLACEMENTS + 5 }, () => write(1, 0)).flat();
    expect(idsOf(readPieces(new TracePieceReader(db), T, 256))).toEqual(ids);
  });

  it('gives one empty last piece for an unknown trace or a malformed ID', () => {
    const reader = new TracePieceReader(db);
    for (const id of [traceIdOf(404), 'not hex']) {
      const piece = reader.read(id, undefined, 256);
      expect(piece).toMatchObject({ chunkLengths: [], next: undefined });
      expect(piece.bytes.length).toBe(0);
    }
  });

  it('starts a chunk over when it was written again between two pieces (a span removed), losing no span', () => {
    write(5);
    const big = write(400);
    const reader = new TracePieceReader(db, 4 * 1024);
    const got: string[] = [];
    let piece = reader.read(T, undefined, 16);
    got.push(...idsOf(chunksOf(piece)));
    while (piece.next && piece.next.span === 0) {
      piece = reader.read(T, piece.next, 16);
      got.push(...idsOf(chunksOf(piece)));
    }
    // Mid-chunk, a span already sent goes: the rest of the chunk moves to a new block under the same chunk ID (SQLite reuses the highest rowid), each span a place earlier.
    expect(piece.next?.span).toBeGreaterThan(0);
    const removed = big[0]!;
    expect(new SpanRemover(db).remove(T, removed)).toBe(true);
    for (let cursor = piece.next; cursor; cursor = piece.next) {
      piece = reader.read(T, cursor, 16);
      got.push(...idsOf(chunksOf(piece)));
    }
    const remaining = new Set(idsOf(new TraceChunks(db).chunksOf(T)));
    expect(remaining.has(removed)).toBe(false);
    expect([...remaining].filter((id) => !got.includes(id))).toEqual([]);
  });

  it('reads a block again when its ID was taken by other bytes between two pieces', () => {
    write(400);
    const reader = new TracePieceReader(db, 4 * 1024);
    const first = reader.read(T, undefined, 16);
    expect(first.next?.span).toBeGreaterThan(0);
    // What retention and a new write could do to the block being sliced: the same IDs, other spans.
    const others = Array.from({ length: 400 }, (_, i) => testSpan({ traceId: T, spanId: spanIdOf(10_000 + i), startTimeUnixNano: at(i), endTimeUnixNano: at(i + 1) }));
    const data = encodeSpanChunk(others);
    db.prepare('UPDATE span_blocks SET data = ? WHERE block_id = ?').run(compressChunk(data), first.next!.blockId);
    db.prepare('UPDATE span_chunks SET offset = 0, length = ? WHERE chunk_id = ?').run(data.length, first.next!.chunkId);
    const rest: string[] = [];
    for (let cursor = first.next; cursor; ) {
      const piece = reader.read(T, cursor, 16);
      rest.push(...idsOf(chunksOf(piece)));
      cursor = piece.next;
    }
    expect(rest).toEqual(others.slice(first.next!.span).map((s) => s.spanId));
  });

  it('finds the placements through the trace index, from the cursor on', () => {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${PIECE_CHUNKS_SQL}`).all(1, 0) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH span_chunks USING INDEX span_chunks_by_trace \(trace_num=\? AND rowid>\?\)/);
  });
});

describe('block fingerprints', () => {
  it('are the same made by SQLite from the stored block as from its bytes, short blocks and long', () => {
    const insert = db.prepare('INSERT INTO span_blocks (block_id, data) VALUES (?, ?)');
    const select = db.prepare(BLOCK_PRINT_SQL);
    for (const [i, n] of [1, 63, 64, 65, 127, 128, 129, 70_000].entries()) {
      const data = Buffer.from(Array.from({ length: n }, (_, k) => (k * 31 + n) % 256));
      insert.run(1_000 + i, data);
      expect(fingerprintOf(select.get(1_000 + i) as Parameters<typeof fingerprintOf>[0])).toBe(fingerprint(data));
    }
    expect(fingerprint(Buffer.from([1, 2, 3]))).not.toBe(fingerprint(Buffer.from([1, 2, 4])));
  });
});

describe('sliceEnd', () => {
  it('ends a slice at the first page boundary where its spans reach the budget, or at the chunk end', () => {
    write(10, 0);
    const [chunk] = new TraceChunks(db).chunksOf(T);
    const parts = chunkParts(chunk!);
    const spanBytes = parts[0]!.spans[0]!.length;
    expect(sliceEnd(parts, 0, 3, 1)).toBe(3);
    expect(sliceEnd(parts, 3, 3, spanBytes * 4)).toBe(9);
    expect(sliceEnd(parts, 6, 3, Number.MAX_SAFE_INTEGER)).toBe(10);
  });
});
