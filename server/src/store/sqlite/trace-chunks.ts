import type Database from 'better-sqlite3';
import { compareDecimalNanos, isHexId, TRACE_ID_HEX_LENGTH, type Span } from '@threadline/shared';
import { inflateChunk } from './chunk-compression.js';
import { parseSpanChunk } from './span-chunk-codec.js';

type Sortable = Pick<Span, 'startTimeUnixNano' | 'spanId'>;

/** Start order, span ID breaking ties: the order getTrace has always promised. */
export function compareByStart(a: Sortable, b: Sortable): number {
  return compareDecimalNanos(a.startTimeUnixNano, b.startTimeUnixNano) || compareIds(a.spanId, b.spanId);
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortByStart<T extends Sortable>(spans: T[]): T[] {
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

  constructor(db: Database.Database) {
    this.selectNum = db.prepare<[Uint8Array], number>(TRACE_SQL.traceNum).pluck();
    this.selectChunks = db.prepare<[number], Placement>(TRACE_SQL.chunks);
    this.selectBlock = db.prepare<[number], Buffer>(TRACE_SQL.block).pluck();
    // One read transaction: a commit in between could otherwise show a trace's number but not its chunks.
    this.readTrace = db.transaction((traceId: Uint8Array): Uint8Array[] => {
      const num = this.selectNum.get(traceId);
      return num === undefined ? [] : this.storedChunks(num);
    });
  }

  /** The trace's chunks out of their blocks, each block inflated once. */
  private storedChunks(traceNum: number): Uint8Array[] {
    const blocks = new Map<number, Uint8Array>();
    return this.selectChunks.all(traceNum).map(({ block_id, offset, length }) => {
      let block = blocks.get(block_id);
      if (!block) blocks.set(block_id, (block = inflateChunk(this.selectBlock.get(block_id)!)));
      return block.subarray(offset, offset + length);
    });
  }

  /**
   * Every stored span of the trace in start order, with `unindexed`: the trace's chunks
   * acknowledged but not yet indexed (the caller took them before asking, so a span is in one
   * or the other, or both while a pass commits: the first copy wins). Empty when unknown.
   */
  byTraceId(traceId: string, unindexed: readonly Uint8Array[] = []): Span[] {
    return sortByStart(decodeChunks(this.chunksOf(traceId, unindexed)));
  }

  /** The trace's chunks, indexed ones first, then `unindexed` (byTraceId), each oldest first; undecoded. */
  chunksOf(traceId: string, unindexed: readonly Uint8Array[] = []): Uint8Array[] {
    return isHexId(traceId, TRACE_ID_HEX_LENGTH) ? [...this.readTrace(Buffer.from(traceId, 'hex')), ...unindexed] : [];
  }

  byTraceNum(traceNum: number): Span[] {
    return sortByStart(decodeChunks(this.storedChunks(traceNum)));
  }
}
