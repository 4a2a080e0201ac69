/**
 * A trace read a piece at a time (SpanStore.streamTrace): each request answers about
 * PIECE_BYTES of the trace's chunks, undecoded, and where the next piece starts. Reading a
 * 100k-span trace whole packed its ~30 MB of chunks into one buffer, held by the reader
 * and then the caller while every span was encoded, and left the reader with that much
 * garbage besides (the inflated blocks); a piece is half a MB, and the caller asks for the
 * next one only as it gets to it.
 *
 * Each request is a read transaction of its own, so none stays open while a slow client
 * reads: a piece shows the trace as it is when it is read. Blocks never change (a chunk
 * that loses a span is written again under a new chunk ID, span-remover.ts), so what was
 * sent stays right; a copy of a span sent twice is dropped by the pages (the first copy
 * wins), as for the spans still waiting to be indexed.
 */
import type Database from 'better-sqlite3';
import { isHexId, TRACE_ID_HEX_LENGTH } from '@threadline/shared';
import { collectGarbage } from '../../threads/full-collection.js';
import { inflateChunk } from './chunk-compression.js';
import { chunkParts, chunkSlice, spanCountOf, type ChunkPart } from './span-chunk-pieces.js';
import { concatChunks, TRACE_SQL } from './trace-chunks.js';

/**
 * About this many bytes of chunks a piece (more when one page of spans is bigger). Small
 * enough that the caller is done with a piece before its young generation is collected
 * twice: pieces of 2 MB were promoted and held ~40 MB of dead buffers on the main thread
 * until its next full collection, pieces of 512 KiB ~10 MB.
 */
export const PIECE_BYTES = 512 * 1024;

/**
 * A trace whose blocks inflated to this much is collected after (full-collection.ts): its
 * blocks, kept from one request to the next, die in the old generation, and the reader's
 * small heap would not collect them for a long while (they are native memory).
 */
const BIG_TRACE_BYTES = 16 * 1024 * 1024;

/** Placements read per request at most: a trace stored in many small chunks takes more pieces. */
export const MAX_PLACEMENTS = 1024;

/**
 * Where the next piece of a trace starts: chunk `chunkId` (or the first after it), from
 * its span `span`. A chunk over a piece's size goes in slices of whole pages of spans; it
 * is resumed only while it still lies in block `blockId`, else sent again from its start.
 */
export interface TraceCursor {
  traceNum: number;
  chunkId: number;
  blockId: number;
  span: number;
}

/** Chunks of a trace in one buffer, with the length of each, in read order. */
export interface TracePiece {
  bytes: Uint8Array<ArrayBuffer>;
  chunkLengths: number[];
  /** Undefined after the trace's last piece. */
  next: TraceCursor | undefined;
}

interface Placement {
  chunk_id: number;
  block_id: number;
  offset: number;
  length: number;
}

/** Exported so that tests can check its query plan. */
export const PIECE_CHUNKS_SQL = `SELECT chunk_id, block_id, offset, length FROM span_chunks WHERE trace_num = ? AND chunk_id >= ? ORDER BY chunk_id LIMIT ${MAX_PLACEMENTS}`;


/** A stored block's length and its first and last bytes: what tells a block from another that took its ID. */
export const BLOCK_PRINT_SQL = 'SELECT length(data) AS length, substr(data, 1, 64) AS head, substr(data, -64) AS tail FROM span_blocks WHERE block_id = ?';

interface BlockPrint {
  length: number;
  head: Buffer;
  tail: Buffer;
}

export function fingerprintOf(print: BlockPrint | undefined): string {
  return print === undefined ? '' : `${print.length}:${print.head.toString('hex')}:${print.tail.toString('hex')}`;
}

/** BLOCK_PRINT_SQL's fingerprint of stored bytes. */
export function fingerprint(stored: Buffer): string {
  return fingerprintOf({ length: stored.length, head: stored.subarray(0, 64), tail: stored.subarray(Math.max(0, stored.length - 64)) });
}

/**
 * Spans [from, end) of a chunk with these parts, end the first page boundary (a multiple of
 * `pageSpans`) after `from` where the spans reach `maxBytes`, or the chunk's end: the
 * pages then cut the slice as they would have cut the chunk.
 */
export function sliceEnd(parts: readonly ChunkPart[], from: number, pageSpans: number, maxBytes: number): number {
  let at = 0;
  let bytes = 0;
  for (const { spans } of parts) {
    for (const span of spans) {
      if (at >= from) {
        if (at > from && (at - from) % pageSpans === 0 && bytes >= maxBytes) return at;
        bytes += span.length;
      }
      at++;
    }
  }
  return at;
}

export class TracePieceReader {
  private readonly selectNum;
  private readonly selectChunks;
  private readonly selectBlock;
  private readonly selectPrint;
  private readonly readPiece;
  /**
   * The block last inflated, and the parts of the chunk being sliced: kept between the
   * requests of one trace's pieces. A kept block is checked once a request against what is
   * stored under its ID (a deleted block's ID can be taken again), by a fingerprint SQLite
   * makes: reading the stored bytes into JS for each slice was ~1.4 MB of garbage a request.
   */
  private block: { id: number; print: string; bytes: Uint8Array; checked: boolean } | undefined;
  private sliced: { chunkId: number; blockId: number; parts: ChunkPart[] } | undefined;
  /** Bytes of blocks inflated for the trace being read. */
  private inflated = 0;

  constructor(
    db: Database.Database,
    private readonly maxBytes = PIECE_BYTES,
  ) {
    this.selectNum = db.prepare<[Uint8Array], number>(TRACE_SQL.traceNum).pluck();
    this.selectChunks = db.prepare<[number, number], Placement>(PIECE_CHUNKS_SQL);
    this.selectBlock = db.prepare<[number], Buffer>(TRACE_SQL.block).pluck();
    this.selectPrint = db.prepare<[number], BlockPrint>(BLOCK_PRINT_SQL);
    // The placements and their blocks in one transaction: a commit in between could drop a block they name.
    this.readPiece = db.transaction((traceId: string, cursor: TraceCursor | undefined, pageSpans: number) => this.piece(traceId, cursor, pageSpans));
  }

  /** The trace's piece at `cursor` (its first without); pages are `pageSpans` spans (slices hold whole ones). */
  read(traceId: string, cursor: TraceCursor | undefined, pageSpans: number): TracePiece {
    if (cursor === undefined) this.inflated = 0;
    if (this.block) this.block.checked = false;
    const piece = this.readPiece(traceId, cursor, pageSpans);
    if (piece.next === undefined) {
      this.block = this.sliced = undefined;
      if (this.inflated >= BIG_TRACE_BYTES) collectGarbage();
    }
    return piece;
  }

  private piece(traceId: string, cursor: TraceCursor | undefined, pageSpans: number): TracePiece {
    const traceNum = cursor?.traceNum ?? (isHexId(traceId, TRACE_ID_HEX_LENGTH) ? this.selectNum.get(Buffer.from(traceId, 'hex')) : undefined);
    if (traceNum === undefined) return this.packed([], 0, undefined);
    const placements = this.selectChunks.all(traceNum, cursor?.chunkId ?? 0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (const p of placements) {
      const from = cursor?.chunkId === p.chunk_id && cursor.blockId === p.block_id ? cursor.span : 0;
      if (from === 0 && total + p.length <= this.maxBytes) {
        chunks.push(this.chunkAt(p));
        total += p.length;
        continue;
      }
      const here: TraceCursor = { traceNum, chunkId: p.chunk_id, blockId: p.block_id, span: 0 };
      if (chunks.length > 0) return this.packed(chunks, total, here);
      return this.slice(p, from, pageSpans, here);
    }
    const last = placements.at(-1);
    return this.packed(chunks, total, placements.length === MAX_PLACEMENTS ? { traceNum, chunkId: last!.chunk_id + 1, blockId: 0, span: 0 } : undefined);
  }

  /** Spans of chunk `p` from `from` on, about a piece's bytes of them, in whole pages; `here` is the chunk's cursor. */
  private slice(p: Placement, from: number, pageSpans: number, here: TraceCursor): TracePiece {
    const chunk = this.chunkAt(p);
    const parts = this.partsOf(p, chunk);
    const after: TraceCursor = { ...here, chunkId: p.chunk_id + 1, blockId: 0 };
    // Bytes the pages cannot cut are sent as they are: the pages' decoder answers for them.
    if (parts === undefined) return this.packed([chunk], chunk.length, after);
    const end = sliceEnd(parts, from, pageSpans, this.maxBytes);
    const next = end < spanCountOf(parts) ? { ...here, span: end } : after;
    if (from === 0 && next === after) return this.packed([chunk], chunk.length, after);
    const bytes = chunkSlice(parts, from, end);
    return { bytes, chunkLengths: [bytes.length], next };
  }

  private partsOf(p: Placement, chunk: Uint8Array): ChunkPart[] | undefined {
    if (this.sliced?.chunkId === p.chunk_id && this.sliced.blockId === p.block_id) return this.sliced.parts;
    try {
      this.sliced = { chunkId: p.chunk_id, blockId: p.block_id, parts: chunkParts(chunk) };
      return this.sliced.parts;
    } catch {
      return undefined;
    }
  }

  /** The chunk's bytes, a view of its block (inflated once for the chunks and slices that lie in it). */
  private chunkAt({ block_id, offset, length }: Placement): Uint8Array {
    if (this.block?.id === block_id && !this.block.checked) this.block.checked = this.block.print === fingerprintOf(this.selectPrint.get(block_id));
    if (this.block?.id !== block_id || !this.block.checked) {
      // Dropped first: the parts are views of the block they were read from.
      this.block = this.sliced = undefined;
      const stored = this.selectBlock.get(block_id)!;
      this.block = { id: block_id, print: fingerprint(stored), bytes: inflateChunk(stored, offset + length), checked: true };
      this.inflated += this.block.bytes.length;
    }
    return this.block.bytes.subarray(offset, offset + length);
  }

  private packed(chunks: readonly Uint8Array[], total: number, next: TraceCursor | undefined): TracePiece {
    return { bytes: concatChunks(chunks, total), chunkLengths: chunks.map((c) => c.length), next };
  }
}
