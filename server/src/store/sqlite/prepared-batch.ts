import type { Span } from '@threadline/shared';
import { HOUR_NS } from './chunk-time.js';
import { buildAttributeTags, visitSpanOwnSearchTags } from './search-tags.js';
import { ProtobufWriter } from '../../receivers/otlp/protobuf-writer.js';
import { writeSpanChunk } from './span-chunk-codec.js';
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
  /** The batch's distinct resources: a key (resourceKey) and the tag hashes they carry. */
  resources: PreparedResource[];
  chunks: PreparedChunk[];
}

export interface PreparedResource {
  key: number;
  tags: Float64Array;
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
  /**
   * Distinct tag hashes of the chunk's spans, and the keys of their resources: a trace is
   * posted once under each resource, and a resource tag finds it through resource_tags.
   */
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

/**
 * A resource's key for postings: a hash of its searchable tags, in a space apart from
 * tag hashes (the key is hashed as a tag whose key no attribute can have).
 */
export function resourceKey(resource: Span['resource']): number {
  return tagHash('\u0000resource', buildAttributeTags(resource.attributes).map((t) => `${t.key}\u0000${t.value}`).join('\u0000'));
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
  const resources = new Map<Span['resource'], PreparedResource>();
  const resourceOf = (resource: Span['resource']): PreparedResource => {
    let prepared = resources.get(resource);
    if (!prepared) {
      const tags = Float64Array.from(new Set(buildAttributeTags(resource.attributes).map((t) => tagHash(t.key, t.value))));
      resources.set(resource, (prepared = { key: resourceKey(resource), tags }));
    }
    return prepared;
  };
  const chunks: PreparedChunk[] = [];
  const ranges: number[] = [];
  // One writer for the batch: the chunks' bytes end up back to back in one buffer.
  const writer = new ProtobufWriter(spans.length * 400);
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
      visitSpanOwnSearchTags(span, (key, value) => tags.add(tagHash(key, value)));
      tags.add(resourceOf(span.resource).key);
    });
    ranges.push(writer.length);
    writeSpanChunk(writer, chunkSpans);
    ranges.push(writer.length);
    chunks.push({
      traceId: Uint8Array.from(Buffer.from(traceId, 'hex')),
      data: EMPTY,
      startNs: minStart,
      endNs: maxEnd,
      hour: Number(minStart / HOUR_NS),
      services: [...services].sort(),
      root: root!,
      tags: Float64Array.from(tags),
      spans: { operation, startNs, durationNs, spanId, isError },
    });
  }
  const data = writer.finish();
  chunks.forEach((chunk, i) => {
    chunk.data = data.subarray(ranges[2 * i]!, ranges[2 * i + 1]!);
  });
  return { operations, resources: uniqueResources([...resources.values()]), chunks };
}

const EMPTY = new Uint8Array(0);

/** Spans of one resource may come as several equal objects (other receivers, conversion): one entry per key. */
function uniqueResources(resources: PreparedResource[]): PreparedResource[] {
  return [...new Map(resources.map((r) => [r.key, r])).values()];
}

/**
 * The buffers behind the batch's arrays, for postMessage's transfer list: they move to
 * the writer instead of being copied. Every array buildPreparedBatch makes owns its
 * buffer or views the batch's one data buffer; a Node Buffer, which may view Node's
 * shared pool and must never be transferred, is copied into one of its own first.
 */
export function toTransferable(batch: PreparedBatch): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const own = <T extends Uint8Array | Int32Array | BigInt64Array | Float64Array>(a: T): T => {
    const owned = (a instanceof Buffer ? Uint8Array.prototype.slice.call(a) : a) as T;
    buffers.add(owned.buffer as ArrayBuffer);
    return owned;
  };
  for (const chunk of batch.chunks) {
    chunk.traceId = own(chunk.traceId);
    chunk.data = own(chunk.data);
    chunk.tags = own(chunk.tags);
    const s = chunk.spans;
    chunk.spans = { operation: own(s.operation), startNs: own(s.startNs), durationNs: own(s.durationNs), spanId: own(s.spanId), isError: own(s.isError) };
  }
  for (const resource of batch.resources) resource.tags = own(resource.tags);
  return [...buffers];
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
  return { operations, resources: uniqueResources(batches.flatMap((b) => b.resources)), chunks };
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
