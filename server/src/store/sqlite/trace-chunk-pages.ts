/**
 * A trace read a piece at a time (SpanStore.streamTrace): the reader worker sends the
 * trace's chunks undecoded — deflated blocks already inflated, a fraction of the size of
 * decoded spans — and the spans are decoded a page at a time as the caller pulls, so a
 * 100k-span trace is never whole in memory as objects or as text. A chunk may hold tens of
 * thousands of the trace's spans (one write batch): it is cut into pieces of a page's
 * size before decoding (span-chunk-pieces.ts).
 */
import type { Span } from '@threadline/shared';
import { joinWholeTrace, NettraceJoin, type JoinedRecordRow } from './nettrace-join.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import { concatChunks, decodeChunks, sortByStart } from './trace-chunks.js';
import { splitSpanChunk } from './span-chunk-pieces.js';

/** What crosses from the reader worker: every chunk in one buffer (one copy), and the joined net/trace records. */
export interface PackedTrace {
  bytes: Uint8Array;
  /** Byte length of each chunk in `bytes`, in read order. */
  chunkLengths: number[];
  joined: JoinedRecordRow[];
}

/**
 * Chunks held apart as one PackedTrace (the reader worker fills its buffer block by block
 * instead: TraceChunks.packedChunks). `bytes` owns its buffer, which a worker hands over
 * instead of copying it (transferOf): a 100k-span trace is ~30 MB of chunks, and a copy on
 * each side of postMessage was another 60 MB of short-lived native memory per request.
 */
export function packTrace(chunks: readonly Uint8Array[], joined: JoinedRecordRow[]): PackedTrace {
  const bytes = concatChunks(chunks, chunks.reduce((sum, c) => sum + c.length, 0));
  return markTransfer({ bytes, chunkLengths: chunks.map((c) => c.length), joined }, [bytes.buffer]);
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
export function* decodeTracePages(packed: PackedTrace, pageSpans: number): Generator<Span[]> {
  const seen = new Set<string>();
  const join = new NettraceJoin(packed.joined);
  let page: Span[] = [];
  let at = 0;
  for (const length of packed.chunkLengths) {
    for (const piece of splitSpanChunk(packed.bytes.subarray(at, at + length), pageSpans)) {
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
    at += length;
  }
  join.extend(page);
  page.push(...join.standIns());
  if (page.length > 0) yield sortByStart(page);
}

/** The whole trace as getTrace gives it: its chunks decoded as they are (nothing to cut into pages), then joined. */
export function decodeWholeTrace(packed: PackedTrace): Span[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const length of packed.chunkLengths) {
    chunks.push(packed.bytes.subarray(at, at + length));
    at += length;
  }
  return joinWholeTrace(sortByStart(decodeChunks(chunks)), packed.joined);
}
