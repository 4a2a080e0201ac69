import type Database from 'better-sqlite3';
import type { Span } from '@threadline/shared';
import { inflateChunk } from './chunk-compression.js';
import { parseSpanChunk } from './span-chunk-codec.js';

/** Decimal nanosecond strings without leading zeros: the longer is later, else text order. */
function compareDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Start order, span ID breaking ties: the order getTrace has always promised. */
export function sortByStart(spans: Span[]): Span[] {
  return spans.sort((a, b) => compareDecimal(a.startTimeUnixNano, b.startTimeUnixNano) || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
}

/** Decodes a trace's chunks (oldest first); the first stored copy of a span wins. */
export function decodeChunks(chunks: readonly Uint8Array[]): Span[] {
  const seen = new Set<string>();
  const spans: Span[] = [];
  for (const data of chunks) {
    for (const span of parseSpanChunk(inflateChunk(data))) {
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      spans.push(span);
    }
  }
  return spans;
}

/** Exported so that tests can check their query plans. */
export const TRACE_SQL = {
  traceNum: 'SELECT trace_num FROM trace_summaries WHERE trace_id = ?',
  chunks: 'SELECT data FROM span_chunks WHERE trace_num = ? ORDER BY chunk_id',
} as const;

/** Reads whole traces out of span_chunks, by trace ID or by trace_num. */
export class TraceChunks {
  private readonly selectNum;
  private readonly selectChunks;

  constructor(db: Database.Database) {
    this.selectNum = db.prepare<[Uint8Array], number>(TRACE_SQL.traceNum).pluck();
    this.selectChunks = db.prepare<[number], Buffer>(TRACE_SQL.chunks).pluck();
  }

  traceNum(traceId: string): number | undefined {
    if (!/^[0-9a-f]{32}$/.test(traceId)) return undefined;
    return this.selectNum.get(Buffer.from(traceId, 'hex'));
  }

  /** Every stored span of the trace, in start order; empty when unknown. */
  byTraceId(traceId: string): Span[] {
    const num = this.traceNum(traceId);
    return num === undefined ? [] : this.byTraceNum(num);
  }

  byTraceNum(traceNum: number): Span[] {
    return sortByStart(decodeChunks(this.selectChunks.all(traceNum)));
  }
}
