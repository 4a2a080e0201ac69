import type { Span } from '@threadline/shared';
import { HOUR_NS } from './chunk-time.js';
import { buildAllSearchTags } from './search-tags.js';
import { encodeSpanChunk } from './span-chunk-codec.js';
import { parseSpanRow } from './span-row.js';
import { StoreInputError } from './store-input-error.js';
import { tagHash } from './tag-hash.js';

/**
 * A write batch worked out ahead of the writer: validated, grouped per trace, encoded,
 * hashed. It is plain data and typed arrays, so it crosses to the writer thread as a
 * near-memcpy (the span objects themselves took ~10 µs each to clone), and the writer
 * thread is left with nothing but SQLite work. Everything here is pure.
 */
export interface PreparedBatch {
  /** Distinct (service, name, kind) of the batch; spans point into it. */
  operations: Array<{ service: string; name: string; kind: number }>;
  chunks: PreparedChunk[];
}

/** The spans of one trace in the batch. */
export interface PreparedChunk {
  /** 16 bytes. */
  traceId: Uint8Array;
  /** encodeSpanChunk's bytes; compressed only on their way into span_chunks. */
  data: Uint8Array;
  startNs: bigint;
  endNs: bigint;
  /** Hour of the earliest start: the tag postings' time bucket. */
  hour: number;
  services: string[];
  /** The chunk's best root candidate (see rootRank). */
  root: RootCandidate;
  /** Distinct tag hashes of the chunk's spans. */
  tags: Float64Array;
  spans: {
    operation: Int32Array;
    startNs: BigInt64Array;
    durationNs: BigInt64Array;
    /** The 8 ID bytes as a signed int64, the form SQLite keeps. */
    spanId: BigInt64Array;
    isError: Uint8Array;
  };
}

export interface RootCandidate {
  /** 1 for a span without a parent. */
  isRoot: number;
  startNs: bigint;
  spanId: bigint;
  service: string;
  name: string;
}

/**
 * A trace's root: a span without a parent (or that is its own parent) before one with a
 * parent, then the earliest, then the lowest span ID. While the root has not arrived (in
 * Go services it ends, and so is exported, last), the trace is named after its earliest
 * span. A strict order over spans, so the pick is the same whatever order a trace's
 * batches arrive in, and it needs no look at spans stored before.
 */
export function isBetterRoot(a: RootCandidate, b: RootCandidate): boolean {
  if (a.isRoot !== b.isRoot) return a.isRoot > b.isRoot;
  if (a.startNs !== b.startNs) return a.startNs < b.startNs;
  return a.spanId < b.spanId;
}

export function toSignedId(hex: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

export function toHexId(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16).padStart(16, '0');
}

/** Throws StoreInputError (naming the span's position) before anything is written if a span is malformed. */
export function buildPreparedBatch(spans: readonly Span[]): PreparedBatch {
  const operations: PreparedBatch['operations'] = [];
  const operationIndex = new Map<string, number>();
  const byTrace = new Map<string, number[]>();
  const rows = spans.map((span, i) => {
    try {
      return parseSpanRow(span);
    } catch (err) {
      if (err instanceof StoreInputError) throw new StoreInputError(err.code, `span ${i}: ${err.message}`);
      throw err;
    }
  });
  rows.forEach((row, i) => {
    const list = byTrace.get(row.traceId);
    if (list) list.push(i);
    else byTrace.set(row.traceId, [i]);
  });
  const operationOf = (service: string, name: string, kind: number): number => {
    const key = `${kind}\u0000${service}\u0000${name}`;
    let index = operationIndex.get(key);
    if (index === undefined) {
      index = operations.length;
      operations.push({ service, name, kind });
      operationIndex.set(key, index);
    }
    return index;
  };
  const chunks: PreparedChunk[] = [];
  for (const [traceId, members] of byTrace) {
    const n = members.length;
    const chunkSpans: Span[] = [];
    const operation = new Int32Array(n);
    const startNs = new BigInt64Array(n);
    const durationNs = new BigInt64Array(n);
    const spanId = new BigInt64Array(n);
    const isError = new Uint8Array(n);
    const services = new Set<string>();
    const tags = new Set<number>();
    let minStart = rows[members[0]!]!.startNs;
    let maxEnd = rows[members[0]!]!.endNs;
    let root: RootCandidate | undefined;
    members.forEach((i, k) => {
      const span = spans[i]!;
      const row = rows[i]!;
      chunkSpans.push(span);
      operation[k] = operationOf(row.service, row.name, row.kind);
      startNs[k] = row.startNs;
      durationNs[k] = row.durationNs;
      spanId[k] = toSignedId(row.spanId);
      isError[k] = row.isError ? 1 : 0;
      services.add(row.service);
      if (row.startNs < minStart) minStart = row.startNs;
      if (row.endNs > maxEnd) maxEnd = row.endNs;
      const candidate = { isRoot: row.parentSpanId === '' || row.parentSpanId === row.spanId ? 1 : 0, startNs: row.startNs, spanId: spanId[k]!, service: row.service, name: row.name };
      if (!root || isBetterRoot(candidate, root)) root = candidate;
      for (const tag of buildAllSearchTags(span)) tags.add(tagHash(tag.key, tag.value));
    });
    chunks.push({
      traceId: Uint8Array.from(Buffer.from(traceId, 'hex')),
      data: encodeSpanChunk(chunkSpans),
      startNs: minStart,
      endNs: maxEnd,
      hour: Number(minStart / HOUR_NS),
      services: [...services].sort(),
      root: root!,
      tags: Float64Array.from(tags),
      spans: { operation, startNs, durationNs, spanId, isError },
    });
  }
  return { operations, chunks };
}

/**
 * Gives every array of the batch a buffer of its own, exactly its size, and lists those
 * buffers for postMessage's transfer list. Node's Buffers may view a shared pool, which
 * must never be transferred (and would be cloned whole).
 */
export function toTransferable(batch: PreparedBatch): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  const own = <T extends Uint8Array | Int32Array | BigInt64Array | Float64Array>(a: T): T => {
    const copy = (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice()) as T;
    buffers.push(copy.buffer as ArrayBuffer);
    return copy;
  };
  for (const chunk of batch.chunks) {
    chunk.traceId = own(chunk.traceId);
    chunk.data = own(new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength));
    chunk.tags = own(chunk.tags);
    const s = chunk.spans;
    chunk.spans = { operation: own(s.operation), startNs: own(s.startNs), durationNs: own(s.durationNs), spanId: own(s.spanId), isError: own(s.isError) };
  }
  return buffers;
}

/**
 * One batch of many: chunks of the same trace become one chunk (data concatenated, which
 * the chunk framing allows; columns appended; tags, times, root and services combined),
 * so a trace that arrived over many batches is stored and indexed once.
 */
export function mergePreparedBatches(batches: readonly PreparedBatch[]): PreparedBatch {
  if (batches.length === 1) return batches[0]!;
  const operations: PreparedBatch['operations'] = [];
  const operationIndex = new Map<string, number>();
  const byTrace = new Map<string, Array<{ chunk: PreparedChunk; remap: Int32Array }>>();
  for (const batch of batches) {
    const remap = Int32Array.from(batch.operations, (op) => {
      const key = `${op.kind}\u0000${op.service}\u0000${op.name}`;
      let index = operationIndex.get(key);
      if (index === undefined) {
        index = operations.length;
        operations.push(op);
        operationIndex.set(key, index);
      }
      return index;
    });
    for (const chunk of batch.chunks) {
      const key = Buffer.from(chunk.traceId.buffer, chunk.traceId.byteOffset, chunk.traceId.byteLength).toString('hex');
      const list = byTrace.get(key);
      if (list) list.push({ chunk, remap });
      else byTrace.set(key, [{ chunk, remap }]);
    }
  }
  const chunks = [...byTrace.values()].map((parts) => mergeChunks(parts));
  return { operations, chunks };
}

function mergeChunks(parts: ReadonlyArray<{ chunk: PreparedChunk; remap: Int32Array }>): PreparedChunk {
  const n = parts.reduce((sum, p) => sum + p.chunk.spans.operation.length, 0);
  const operation = new Int32Array(n);
  const startNs = new BigInt64Array(n);
  const durationNs = new BigInt64Array(n);
  const spanId = new BigInt64Array(n);
  const isError = new Uint8Array(n);
  const tags = new Set<number>();
  const services = new Set<string>();
  const first = parts[0]!.chunk;
  let { startNs: minStart, endNs: maxEnd, root } = first;
  let at = 0;
  for (const { chunk, remap } of parts) {
    const s = chunk.spans;
    for (let k = 0; k < s.operation.length; k++) operation[at + k] = remap[s.operation[k]!]!;
    startNs.set(s.startNs, at);
    durationNs.set(s.durationNs, at);
    spanId.set(s.spanId, at);
    isError.set(s.isError, at);
    at += s.operation.length;
    for (const tag of chunk.tags) tags.add(tag);
    for (const service of chunk.services) services.add(service);
    if (chunk.startNs < minStart) minStart = chunk.startNs;
    if (chunk.endNs > maxEnd) maxEnd = chunk.endNs;
    if (isBetterRoot(chunk.root, root)) root = chunk.root;
  }
  return {
    traceId: first.traceId,
    data: Buffer.concat(parts.map((p) => p.chunk.data)),
    startNs: minStart,
    endNs: maxEnd,
    hour: Number(minStart / HOUR_NS),
    services: [...services].sort(),
    root,
    tags: Float64Array.from(tags),
    spans: { operation, startNs, durationNs, spanId, isError },
  };
}
