import type { PreparedBatch, PreparedChunk, PreparedResource, SpanColumns } from './prepared-batch.js';

/**
 * A PreparedBatch as it crosses between threads (ingest thread → main → writer): the
 * per-trace chunk objects packed into typed arrays and a small string table, so that
 * postMessage moves a dozen buffers instead of serializing a few hundred objects with
 * their strings and BigInts (3 µs a span from an ingest thread, measured; a batch of 512
 * spans from a fleet holds ~340 chunks).
 */
export interface PackedBatch {
  /** Services, operation names: what the fields below point to by index. */
  strings: string[];
  /** Per operation: service, name (string indexes), kind. */
  operations: Int32Array;
  resources: PreparedResource[];
  data: Uint8Array;
  spans: SpanColumns;
  tags: Float64Array;
  /** Per chunk, its trace ID's 16 bytes. */
  traceIds: Uint8Array;
  /** Per chunk, CHUNK_INTS values in the order of the constants below. */
  chunkInts: Int32Array;
  /** Per chunk: start, end, root's start, root's span ID. */
  chunkTimes: BigInt64Array;
  /** The chunks' service lists (string indexes), each a range given in chunkInts. */
  chunkServices: Int32Array;
}

const [DATA_START, DATA_END, SPAN_START, SPAN_END, TAG_START, TAG_END, HOUR, ROOT_IS_ROOT, ROOT_SERVICE, ROOT_NAME, SERVICES_START, SERVICES_END] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const CHUNK_INTS = 12;

/** A batch as buildPreparedBatch makes it (not merged: its chunks' bytes are in `data`). */
export function packBatch(batch: PreparedBatch): PackedBatch {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const operations = new Int32Array(batch.operations.length * 3);
  batch.operations.forEach((op, i) => operations.set([ref(op.service), ref(op.name), op.kind], i * 3));
  const n = batch.chunks.length;
  const traceIds = new Uint8Array(n * 16);
  const chunkInts = new Int32Array(n * CHUNK_INTS);
  const chunkTimes = new BigInt64Array(n * 4);
  const services: number[] = [];
  batch.chunks.forEach((c, i) => {
    if (c.parts) throw new Error('a merged batch is not packed: it only lives in the writer');
    traceIds.set(Buffer.from(c.traceId, 'hex'), i * 16);
    const at = i * CHUNK_INTS;
    chunkInts[at + DATA_START] = c.dataStart;
    chunkInts[at + DATA_END] = c.dataEnd;
    chunkInts[at + SPAN_START] = c.spanStart;
    chunkInts[at + SPAN_END] = c.spanEnd;
    chunkInts[at + TAG_START] = c.tagStart;
    chunkInts[at + TAG_END] = c.tagEnd;
    chunkInts[at + HOUR] = c.hour;
    chunkInts[at + ROOT_IS_ROOT] = c.root.isRoot;
    chunkInts[at + ROOT_SERVICE] = ref(c.root.service);
    chunkInts[at + ROOT_NAME] = ref(c.root.name);
    chunkInts[at + SERVICES_START] = services.length;
    for (const s of c.services) services.push(ref(s));
    chunkInts[at + SERVICES_END] = services.length;
    chunkTimes.set([c.startNs, c.endNs, c.root.startNs, c.root.spanId], i * 4);
  });
  const { data, spans, tags, resources } = batch;
  return { strings, operations, resources, data, spans, tags, traceIds, chunkInts, chunkTimes, chunkServices: Int32Array.from(services) };
}

export function unpackBatch(packed: PackedBatch): PreparedBatch {
  const { strings, chunkInts, chunkTimes, chunkServices } = packed;
  const operations: PreparedBatch['operations'] = [];
  for (let i = 0; i < packed.operations.length; i += 3) {
    operations.push({ service: strings[packed.operations[i]!]!, name: strings[packed.operations[i + 1]!]!, kind: packed.operations[i + 2]! });
  }
  const ids = Buffer.from(packed.traceIds.buffer, packed.traceIds.byteOffset, packed.traceIds.byteLength);
  const chunks: PreparedChunk[] = [];
  for (let i = 0; i < chunkCount(packed); i++) {
    const at = i * CHUNK_INTS;
    const services: string[] = [];
    for (let s = chunkInts[at + SERVICES_START]!; s < chunkInts[at + SERVICES_END]!; s++) services.push(strings[chunkServices[s]!]!);
    chunks.push({
      traceId: ids.toString('hex', i * 16, i * 16 + 16),
      dataStart: chunkInts[at + DATA_START]!,
      dataEnd: chunkInts[at + DATA_END]!,
      spanStart: chunkInts[at + SPAN_START]!,
      spanEnd: chunkInts[at + SPAN_END]!,
      tagStart: chunkInts[at + TAG_START]!,
      tagEnd: chunkInts[at + TAG_END]!,
      startNs: chunkTimes[i * 4]!,
      endNs: chunkTimes[i * 4 + 1]!,
      hour: chunkInts[at + HOUR]!,
      services,
      root: {
        isRoot: chunkInts[at + ROOT_IS_ROOT]!,
        startNs: chunkTimes[i * 4 + 2]!,
        spanId: chunkTimes[i * 4 + 3]!,
        service: strings[chunkInts[at + ROOT_SERVICE]!]!,
        name: strings[chunkInts[at + ROOT_NAME]!]!,
      },
    });
  }
  const { resources, data, spans, tags } = packed;
  return { operations, resources, data, spans, tags, chunks };
}

export function chunkCount(packed: PackedBatch): number {
  return packed.chunkInts.length / CHUNK_INTS;
}

export function spanCount(packed: PackedBatch): number {
  return packed.spans.operation.length;
}

/** For postMessage's transfer list: every buffer of the batch moves (each typed array has one of its own). */
export function packedTransferables(packed: PackedBatch): ArrayBuffer[] {
  const { operations, data, spans, tags, traceIds, chunkInts, chunkTimes, chunkServices } = packed;
  const arrays = [operations, data, spans.operation, spans.startNs, spans.durationNs, spans.spanId, spans.isError, tags, traceIds, chunkInts, chunkTimes, chunkServices];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/** Where each chunk's bytes are in `data`, by chunk: [start, end] pairs (a copy). */
export function chunkDataRanges(packed: PackedBatch): Int32Array {
  const n = chunkCount(packed);
  const ranges = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) {
    ranges[i * 2] = packed.chunkInts[i * CHUNK_INTS + DATA_START]!;
    ranges[i * 2 + 1] = packed.chunkInts[i * CHUNK_INTS + DATA_END]!;
  }
  return ranges;
}
