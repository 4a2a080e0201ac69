/**
 * A trace's spans decoded on the calling thread from the chunks the reader worker sends
 * undecoded (compressed blocks already inflated, a fraction of the size of decoded spans):
 * whole for getTrace, or a page at a time as the caller pulls (SpanStore.streamTrace), so
 * that a 100k-span trace is never whole in memory as objects or as text. A chunk may hold
 * tens of thousands of the trace's spans (one write batch): the reader sends it in slices
 * of whole pages (trace-piece-reader.ts), and a page's worth is cut out of a slice before
 * decoding (span-chunk-pieces.ts).
 */
import type { Span } from '@threadline/shared';
import { joinWholeTrace, NettraceJoin, type JoinedRecordRow } from './nettrace-join.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import { decodeChunks, sortByStart } from './trace-chunks.js';
import { splitSpanChunk } from './span-chunk-pieces.js';
import { chunksOf, type TraceChunkStream } from './trace-piece-stream.js';

/**
 * A whole trace as it crosses from the reader worker: every chunk in one buffer, which the
 * worker hands over instead of copying it (transferOf), and the joined net/trace records.
 */
export interface PackedTrace {
  bytes: Uint8Array;
  /** Byte length of each chunk in `bytes`, in read order. */
  chunkLengths: number[];
  joined: JoinedRecordRow[];
}

const transfers = new WeakMap<object, ArrayBuffer[]>();

/** Marks the buffers a worker's result owns alone, to be transferred, not copied, when it is sent (store-worker.ts). */
export function markTransfer<T extends object>(value: T, buffers: ArrayBuffer[]): T {
  transfers.set(value, buffers);
  return value;
}

/** The buffers marked for `value` (none for anything not marked). */
export function transferOf(value: unknown): ArrayBuffer[] {
  return (typeof value === 'object' && value !== null && transfers.get(value)) || [];
}

/**
 * The trace's spans as getTrace gives them, in pages of `pageSpans` to twice as many spans
 * (but the last), each in start order: the first stored copy of a span wins, and net/trace
 * records are merged (their stand-in spans come in the last page).
 */
export async function* decodeTracePages(trace: TraceChunkStream, pageSpans: number): AsyncGenerator<Span[]> {
  const seen = new Set<string>();
  const join = new NettraceJoin(trace.joined);
  let page: Span[] = [];
  for await (const chunk of trace.chunks) {
    for (const piece of splitSpanChunk(chunk, pageSpans)) {
      for (const span of parseSpanChunk(piece, false)) {
        if (seen.has(span.spanId)) continue;
        seen.add(span.spanId);
        page.push(span);
      }
      if (page.length >= pageSpans) {
        join.extend(page);
        yield sortByStart(page);
        page = [];
      }
    }
  }
  join.extend(page);
  page.push(...join.standIns());
  if (page.length > 0) yield sortByStart(page);
}

/** The whole trace as getTrace gives it: its chunks decoded as they are (nothing to cut into pages), then joined. */
export function decodeWholeTrace(packed: PackedTrace): Span[] {
  return joinWholeTrace(sortByStart(decodeChunks([...chunksOf(packed)])), packed.joined);
}
