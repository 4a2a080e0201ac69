import type Database from 'better-sqlite3';
import { isHexId, TRACE_ID_HEX_LENGTH, type Span } from '@threadline/shared';
import { compareByStart } from '../span-order.js';
import { inflateChunk } from './chunk-compression.js';
import { parseSpanChunk } from './span-chunk-codec.js';

/** Sorts in the order getTrace has always promised (span-order.ts). */
export function sortByStart<T extends Pick<Span, 'startTimeUnixNano' | 'spanId'>>(spans: T[]): T[] {
  return spans.sort(compareByStart);
}

/** Decodes a trace's chunks, oldest first; the first stored copy of a span wins. */
export function decodeChunks(chunks: readonly Uint8Array[]): Span[] {
  const seen = new Set<string>();
  const spans: Span[] = [];
  for (const data of chunks) {
    for (const span of parseSpanChunk(data, false)) {
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      spans.push(span);
    }
  }
  return spans;
}

interface Placement {
  block_id: number;
  offset: number;
  length: number;
}

/** Chunks copied one after another into a buffer of their own, `total` bytes (their summed lengths). */
export function concatChunks(chunks: Iterable<Uint8Array>, total: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** A trace's chunks in one buffer, and the length of each, in read order. */
export interface PackedChunks {
  bytes: Uint8Array<ArrayBuffer>;
  chunkLengths: number[];
}

/** Exported so that tests can check their query plans. */
export const TRACE_SQL = {
  traceNum: 'SELECT trace_num FROM trace_summaries WHERE trace_id = ?',
  chunks: 'SELECT block_id, offset, length FROM span_chunks WHERE trace_num = ? ORDER BY chunk_id',
  block: 'SELECT data FROM span_blocks WHERE block_id = ?',
} as const;

/** Reads whole traces out of span_chunks, by trace ID or by trace_num. */
export class TraceChunks {
  private readonly selectNum;
  private readonly selectChunks;
  private readonly selectBlock;
  private readonly readTrace;
  private readonly readPacked;

  constructor(db: Database.Database) {
    this.selectNum = db.prepare<[Uint8Array], number>(TRACE_SQL.traceNum).pluck();
    this.selectChunks = db.prepare<[number], Placement>(TRACE_SQL.chunks);
    this.selectBlock = db.prepare<[number], Buffer>(TRACE_SQL.block).pluck();
    // One read transaction: a commit in between could otherwise show a trace's number but not its chunks.
    this.readTrace = db.transaction((traceId: Uint8Array): Uint8Array[] => {
      const num = this.selectNum.get(traceId);
      return num === undefined ? [] : this.storedChunks(num);
    });
    // The placements and their blocks read in one transaction, for the same reason.
    this.readPacked = db.transaction((traceId: Uint8Array, unindexed: readonly Uint8Array[]) => {
      const num = this.selectNum.get(traceId);
      return this.pack(num === undefined ? [] : this.selectChunks.all(num), unindexed);
    });
  }

  /** The trace's chunks out of their blocks. */
  private storedChunks(traceNum: number): Uint8Array[] {
    return [...this.placed(this.selectChunks.all(traceNum))];
  }

  /**
   * The chunks at `placements` as views of their inflated blocks, each block inflated when
   * the walk reaches it: chunks of a block come one after another (chunk and block IDs grow
   * together), and a block no view holds any more can go.
   */
  private *placed(placements: readonly Placement[]): Generator<Uint8Array> {
    let block: { id: number; bytes: Uint8Array } | undefined;
    for (const { block_id, offset, length } of placements) {
      if (block?.id !== block_id) block = { id: block_id, bytes: inflateChunk(this.selectBlock.get(block_id)!, offset + length) };
      yield block.bytes.subarray(offset, offset + length);
    }
  }

  /**
   * Every stored span of the trace in start order, with `unindexed`: the trace's chunks
   * acknowledged but not yet indexed (the caller took them before asking, so a span is in one
   * or the other, or both while a pass commits: the first copy wins). Empty when unknown.
   */
  byTraceId(traceId: string, unindexed: readonly Uint8Array[] = []): Span[] {
    return sortByStart(decodeChunks(this.chunksOf(traceId, unindexed)));
  }

  /**
   * chunksOf's chunks copied into one buffer (to be moved to another thread whole), with
   * their lengths. Filled block by block: only the block being copied from is inflated at a
   * time, where chunksOf's views keep every block of the trace alive (a 100k-span trace:
   * ~30 MB of blocks besides the ~30 MB copy, native memory the process then kept).
   */
  packedChunks(traceId: string, unindexed: readonly Uint8Array[] = []): PackedChunks {
    return isHexId(traceId, TRACE_ID_HEX_LENGTH) ? this.readPacked(Buffer.from(traceId, 'hex'), unindexed) : this.pack([], []);
  }

  private pack(placements: readonly Placement[], unindexed: readonly Uint8Array[]): PackedChunks {
    const chunkLengths = [...placements.map((p) => p.length), ...unindexed.map((c) => c.length)];
    const placed = this.placed(placements);
    const chunks = (function* () {
      yield* placed;
      yield* unindexed;
    })();
    return { bytes: concatChunks(chunks, chunkLengths.reduce((sum, n) => sum + n, 0)), chunkLengths };
  }

  /** The trace's chunks, indexed ones first, then `unindexed` (byTraceId), each oldest first; undecoded. */
  chunksOf(traceId: string, unindexed: readonly Uint8Array[] = []): Uint8Array[] {
    return isHexId(traceId, TRACE_ID_HEX_LENGTH) ? [...this.readTrace(Buffer.from(traceId, 'hex')), ...unindexed] : [];
  }

  byTraceNum(traceNum: number): Span[] {
    return sortByStart(decodeChunks(this.storedChunks(traceNum)));
  }
}
