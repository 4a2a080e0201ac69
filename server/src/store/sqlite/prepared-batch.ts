import type { Span } from '@threadline/shared';
import { ProtobufWriter } from '../../receivers/otlp/protobuf-writer.js';
import { HOUR_NS } from './chunk-time.js';
import { buildAttributeTags, visitSpanOwnSearchTags } from './search-tags.js';
import { writeSpanChunk } from './span-chunk-codec.js';
import { parseSpanRow } from './span-row.js';
import { StoreInputError } from './store-input-error.js';
import { tagHash } from './tag-hash.js';

/**
 * A write batch worked out ahead of the writer: validated, grouped per trace, encoded,
 * hashed. It is a few columns of typed arrays plus one small object per trace, so it
 * crosses to the writer thread by moving seven buffers (cloning the span objects took
 * ~10 µs a span, and moving a few buffers per trace was not much better), and the writer
 * thread is left with SQLite work. Everything here is pure.
 */
export interface PreparedBatch {
  /** Distinct (service, name, kind) of the batch; spans point into it. */
  operations: Array<{ service: string; name: string; kind: number }>;
  /** The batch's distinct resources: a key (resourceKey) and the tag hashes they carry. */
  resources: PreparedResource[];
  /** The chunks' span-chunk-codec.ts bytes, back to back in chunk order. */
  data: Uint8Array;
  /** One entry per span, grouped by chunk. */
  spans: SpanColumns;
  /** The chunks' tag hashes, back to back. */
  tags: Float64Array;
  chunks: PreparedChunk[];
}

export interface SpanColumns {
  operation: Int32Array;
  startNs: BigInt64Array;
  durationNs: BigInt64Array;
  /** The 8 ID bytes as a signed int64, the form SQLite keeps. */
  spanId: BigInt64Array;
  isError: Uint8Array;
}

export interface PreparedResource {
  key: number;
  tags: number[];
}

/** The spans of one trace in the batch: ranges of the batch's columns. */
export interface PreparedChunk {
  /** 32 lowercase hex digits. */
  traceId: string;
  dataStart: number;
  dataEnd: number;
  spanStart: number;
  spanEnd: number;
  /**
   * Tag hashes of the chunk's spans, and the keys of their resources: a trace is posted
   * once under each resource, and a resource tag finds it through resource_tags. Distinct
   * in a chunk as prepared; a merged chunk may repeat one.
   */
  tagStart: number;
  tagEnd: number;
  startNs: bigint;
  endNs: bigint;
  /** Hour of the earliest start: the tag postings' time bucket. */
  hour: number;
  services: string[];
  /** The chunk's best root candidate (see isBetterRoot). */
  root: RootCandidate;
  /**
   * Only on a merged batch's chunks (mergePreparedBatches): the chunk's bytes as views of
   * the batches it was merged from, in order; the merged batch's `data` is then empty.
   */
  parts?: readonly Uint8Array[];
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

export function chunkData(batch: PreparedBatch, chunk: PreparedChunk): Uint8Array {
  return batch.data.subarray(chunk.dataStart, chunk.dataEnd);
}

/** The chunk's bytes, as one view of the batch's data or, merged, the views it was joined from. */
export function chunkParts(batch: PreparedBatch, chunk: PreparedChunk): readonly Uint8Array[] {
  return chunk.parts ?? [chunkData(batch, chunk)];
}

function newColumns(n: number): SpanColumns {
  return {
    operation: new Int32Array(n),
    startNs: new BigInt64Array(n),
    durationNs: new BigInt64Array(n),
    spanId: new BigInt64Array(n),
    isError: new Uint8Array(n),
  };
}

/** Throws StoreInputError (naming the span's position) before anything is written if a span is malformed. */
export function buildPreparedBatch(spans: readonly Span[]): PreparedBatch {
  const rows = spans.map((span, i) => {
    try {
      return parseSpanRow(span);
    } catch (err) {
      if (err instanceof StoreInputError) throw new StoreInputError(err.code, `span ${i}: ${err.message}`);
      throw err;
    }
  });
  const byTrace = positionsByTrace(rows.map((row) => row.traceId));
  const resources = new Map<Span['resource'], PreparedResource>();
  const resourceOf = (resource: Span['resource']): PreparedResource => {
    let prepared = resources.get(resource);
    if (!prepared) resources.set(resource, (prepared = prepareResource(resource)));
    return prepared;
  };
  const sharedHashes = new TagHashMemo();
  const builder = new PreparedBatchBuilder(spans.length);
  const addTag = (key: string, value: string) => builder.addTag(tagHash(key, value));
  const addSharedTag = (key: string, value: string) => builder.addTag(sharedHashes.of(key, value));
  // One writer for the batch: the chunks' bytes end up back to back in one buffer.
  const writer = new ProtobufWriter(spans.length * 400);
  for (const [traceId, members] of byTrace) {
    const chunkSpans: Span[] = [];
    builder.startChunk(traceId);
    for (const i of members) {
      const span = spans[i]!;
      const row = rows[i]!;
      chunkSpans.push(span);
      const isRoot = row.parentSpanId === '' || row.parentSpanId === row.spanId;
      builder.addSpan(builder.operationOf(row.service, row.name, row.kind), row.startNs, row.endNs, toSignedId(row.spanId), row.isError, isRoot);
      visitSpanOwnSearchTags(span, addTag, addSharedTag);
      builder.addTag(resourceOf(span.resource).key);
    }
    const dataStart = writer.length;
    writeSpanChunk(writer, chunkSpans);
    builder.endChunk(dataStart, writer.length);
  }
  return builder.finish([...resources.values()], writer.finish());
}

/** The positions of each trace's spans, traces in the order they first come: a batch's chunks. */
export function positionsByTrace(traceIds: readonly string[]): Map<string, number[]> {
  const byTrace = new Map<string, number[]>();
  traceIds.forEach((traceId, i) => {
    const list = byTrace.get(traceId);
    if (list) list.push(i);
    else byTrace.set(traceId, [i]);
  });
  return byTrace;
}

/** A resource's posting key and the distinct hashes of its tags. */
export function prepareResource(resource: Span['resource']): PreparedResource {
  return { key: resourceKey(resource), tags: [...new Set(buildAttributeTags(resource.attributes).map((t) => tagHash(t.key, t.value)))] };
}

/**
 * Assembles a PreparedBatch chunk by chunk, span by span: the columns, the operations
 * catalog, each chunk's times, root, services and distinct tags. The caller writes the
 * chunks' bytes and says where each one's are. Shared by buildPreparedBatch (spans as
 * objects) and prepareOtlpDirect (spans read in place from protobuf), so that both give
 * the same batch for the same spans.
 */
export class PreparedBatchBuilder {
  private readonly operations: PreparedBatch['operations'] = [];
  private readonly operationIndex = new Map<string, number>();
  private readonly columns: SpanColumns;
  private readonly allTags: number[] = [];
  private readonly chunks: PreparedChunk[] = [];
  private at = 0;
  // The chunk being built.
  private traceId = '';
  private spanStart = 0;
  private tags = new Set<number>();
  private services = new Set<string>();
  private minStart = 0n;
  private maxEnd = 0n;
  private root: RootCandidate | undefined;

  constructor(spanCount: number) {
    this.columns = newColumns(spanCount);
  }

  /** The index of (service, name, kind) in the batch's operations, added when new. */
  operationOf(service: string, name: string, kind: number): number {
    const key = `${kind}\u0000${service}\u0000${name}`;
    let index = this.operationIndex.get(key);
    if (index === undefined) {
      index = this.operations.length;
      this.operations.push({ service, name, kind });
      this.operationIndex.set(key, index);
    }
    return index;
  }

  startChunk(traceId: string): void {
    this.traceId = traceId;
    this.spanStart = this.at;
    this.tags = new Set();
    this.services = new Set();
    this.root = undefined;
  }

  /** A span of the chunk; `operation` from operationOf, `spanId` the signed int64 of its ID bytes. */
  addSpan(operation: number, startNs: bigint, endNs: bigint, spanId: bigint, isError: boolean, isRoot: boolean): void {
    const { columns, at } = this;
    const op = this.operations[operation]!;
    columns.operation[at] = operation;
    columns.startNs[at] = startNs;
    columns.durationNs[at] = endNs - startNs;
    columns.spanId[at] = spanId;
    columns.isError[at] = isError ? 1 : 0;
    this.services.add(op.service);
    if (this.root === undefined) {
      this.minStart = startNs;
      this.maxEnd = endNs;
    } else {
      if (startNs < this.minStart) this.minStart = startNs;
      if (endNs > this.maxEnd) this.maxEnd = endNs;
    }
    const candidate = { isRoot: isRoot ? 1 : 0, startNs, spanId, service: op.service, name: op.name };
    if (!this.root || isBetterRoot(candidate, this.root)) this.root = candidate;
    this.at = at + 1;
  }

  /** A tag hash of the chunk (repeats are kept once). */
  addTag(hash: number): void {
    this.tags.add(hash);
  }

  /** Ends the chunk, whose bytes are [dataStart, dataEnd) of the batch's data. */
  endChunk(dataStart: number, dataEnd: number): void {
    const tagStart = this.allTags.length;
    for (const tag of this.tags) this.allTags.push(tag);
    this.chunks.push({
      traceId: this.traceId,
      dataStart,
      dataEnd,
      spanStart: this.spanStart,
      spanEnd: this.at,
      tagStart,
      tagEnd: this.allTags.length,
      startNs: this.minStart,
      endNs: this.maxEnd,
      hour: Number(this.minStart / HOUR_NS),
      services: [...this.services].sort(),
      root: this.root!,
    });
  }

  /** The batch, given its resources (repeats of a key are kept once) and the chunks' bytes. */
  finish(resources: PreparedResource[], data: Uint8Array): PreparedBatch {
    return {
      operations: this.operations,
      resources: uniqueResources(resources),
      data,
      spans: this.columns,
      tags: Float64Array.from(this.allTags),
      chunks: this.chunks,
    };
  }
}

/** The pieces' services, sorted and distinct: a handful of names, so arrays beat a Set. */
function unionOfServices(pieces: ReadonlyArray<{ chunk: PreparedChunk }>): string[] {
  const out: string[] = [];
  for (const { chunk } of pieces) for (const s of chunk.services) if (!out.includes(s)) out.push(s);
  return out.sort();
}

/**
 * Hashes of tags that many spans share as the same string objects (span kind, status,
 * scope), remembered for one batch: a string keeps its own hash for Map lookups, and a
 * scope name such as otelhttp's is 60 characters that tagHash would walk for every span.
 */
export class TagHashMemo {
  private readonly byKey = new Map<string, Map<string, number>>();

  of(key: string, value: string): number {
    let values = this.byKey.get(key);
    if (!values) this.byKey.set(key, (values = new Map()));
    let hash = values.get(value);
    if (hash === undefined) values.set(value, (hash = tagHash(key, value)));
    return hash;
  }
}

/** Spans of one resource may come as several equal objects (other receivers, conversion): one entry per key. */
function uniqueResources(resources: PreparedResource[]): PreparedResource[] {
  return [...new Map(resources.map((r) => [r.key, r])).values()];
}

/**
 * One batch of many: chunks of the same trace become one chunk (columns appended; tags,
 * times, root and services combined; the bytes left where they are, as `parts`), so a trace
 * that arrived over many batches is stored and indexed once. A pass merges ~10 MB of span
 * bytes: copying them into one buffer was a tenth of the writer's time.
 */
export function mergePreparedBatches(batches: readonly PreparedBatch[]): PreparedBatch {
  if (batches.length === 1) return batches[0]!;
  const operations: PreparedBatch['operations'] = [];
  const operationIndex = new Map<string, number>();
  const byTrace = new Map<string, Array<{ batch: PreparedBatch; chunk: PreparedChunk; remap: Int32Array }>>();
  let spanCount = 0;
  let tagCount = 0;
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
      const list = byTrace.get(chunk.traceId);
      if (list) list.push({ batch, chunk, remap });
      else byTrace.set(chunk.traceId, [{ batch, chunk, remap }]);
    }
    spanCount += batch.spans.operation.length;
    tagCount += batch.tags.length;
  }
  const columns = newColumns(spanCount);
  const allTags = new Float64Array(tagCount);
  let tagAt = 0;
  const chunks: PreparedChunk[] = [];
  let at = 0;
  for (const pieces of byTrace.values()) {
    const first = pieces[0]!.chunk;
    let { startNs, endNs, root } = first;
    const spanStart = at;
    const parts: Uint8Array[] = [];
    for (const { batch, chunk, remap } of pieces) {
      const s = batch.spans;
      const [from, to] = [chunk.spanStart, chunk.spanEnd];
      for (let k = from; k < to; k++) columns.operation[at + k - from] = remap[s.operation[k]!]!;
      // Range copies: element by element, every int64 would be boxed as a BigInt.
      columns.startNs.set(s.startNs.subarray(from, to), at);
      columns.durationNs.set(s.durationNs.subarray(from, to), at);
      columns.spanId.set(s.spanId.subarray(from, to), at);
      columns.isError.set(s.isError.subarray(from, to), at);
      at += to - from;
      parts.push(...chunkParts(batch, chunk));
      if (chunk.startNs < startNs) startNs = chunk.startNs;
      if (chunk.endNs > endNs) endNs = chunk.endNs;
      if (isBetterRoot(chunk.root, root)) root = chunk.root;
    }
    const tagStart = tagAt;
    // The pieces' tags back to back: pieces come from different processes and share few
    // tags, and a tag twice in a chunk costs a posting list nothing (posting-lists.ts keeps
    // each trace once); a Set to drop repeats here was a sixth of this function's time.
    for (const { batch, chunk } of pieces) {
      allTags.set(batch.tags.subarray(chunk.tagStart, chunk.tagEnd), tagAt);
      tagAt += chunk.tagEnd - chunk.tagStart;
    }
    chunks.push({
      traceId: first.traceId,
      dataStart: 0,
      dataEnd: 0,
      spanStart,
      spanEnd: at,
      tagStart,
      tagEnd: tagAt,
      startNs,
      endNs,
      hour: Number(startNs / HOUR_NS),
      services: pieces.length === 1 ? first.services : unionOfServices(pieces),
      root,
      parts,
    });
  }
  return {
    operations,
    resources: uniqueResources(batches.flatMap((b) => b.resources)),
    data: new Uint8Array(0),
    spans: columns,
    tags: allTags,
    chunks,
  };
}
