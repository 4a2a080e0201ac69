/**
 * A stored chunk cut into smaller chunks of the same format (span-chunk-codec.ts), each
 * holding at most a given number of spans, without decoding any span: one write batch may
 * store tens of thousands of a trace's spans in one chunk, and decoding it whole put them
 * all in memory at once (and made a "page" of the streamed trace tens of megabytes of text).
 *
 * The fields a piece repeats (service name, resource, scope) are copied as they were
 * stored; the spans keep their order. Fields the decoder ignores (schema URLs, unknown
 * ones) are left out.
 */
import { ProtobufReader, WireType } from '../../receivers/otlp/protobuf-reader.js';
import { ProtobufWriter } from '../../receivers/otlp/protobuf-writer.js';

/** Length-delimited field tags: (field number << 3) | LEN. */
const FIELD_1 = 0x0a;
const FIELD_2 = 0x12;

/** Reads a message's length-delimited fields 1 and 2 (views, not copies); field 2 may repeat. */
function fields(bytes: Uint8Array): { first: Uint8Array | undefined; second: Uint8Array[] } {
  const r = new ProtobufReader(bytes);
  let first: Uint8Array | undefined;
  const second: Uint8Array[] = [];
  while (!r.done) {
    const tag = r.readTag();
    if (tag === FIELD_1) first = r.readBytes();
    else if (tag === FIELD_2) second.push(r.readBytes());
    else r.skip(tag);
  }
  return { first, second };
}

/** The chunk's groups: `serviceName` (raw, field 1) and the ExportTraceServiceRequest bytes (field 2). */
function groups(chunk: Uint8Array): { serviceName: Uint8Array | undefined; request: Uint8Array }[] {
  const r = new ProtobufReader(chunk);
  const out: { serviceName: Uint8Array | undefined; request: Uint8Array }[] = [];
  while (!r.done) {
    const tag = r.readTag();
    if (tag !== FIELD_1) {
      r.skip(tag);
      continue;
    }
    const { first, second } = fields(r.readBytes());
    // The group's request is a bytes field: the decoder keeps the last one.
    const request = second.at(-1);
    if (request) out.push({ serviceName: first, request });
  }
  return out;
}

/** The ResourceSpans messages (field 1) of an ExportTraceServiceRequest. */
function resourceSpansOf(request: Uint8Array): Uint8Array[] {
  const r = new ProtobufReader(request);
  const out: Uint8Array[] = [];
  while (!r.done) {
    const tag = r.readTag();
    if (tag === FIELD_1) out.push(r.readBytes());
    else r.skip(tag);
  }
  return out;
}

/** Appends one group of the chunk format: the service name, resource and scope as stored, and `spans`. */
function writeGroup(w: ProtobufWriter, serviceName: Uint8Array | undefined, resource: Uint8Array | undefined, scope: Uint8Array | undefined, spans: readonly Uint8Array[]): void {
  w.message(1, () => {
    if (serviceName) w.tag(1, WireType.LEN).bytes(serviceName);
    w.message(2, () =>
      w.message(1, () => {
        if (resource) w.tag(1, WireType.LEN).bytes(resource);
        w.message(2, () => {
          if (scope) w.tag(1, WireType.LEN).bytes(scope);
          for (const span of spans) w.tag(2, WireType.LEN).bytes(span);
        });
      }),
    );
  });
}

/** A run of a chunk's spans that share service name, resource and scope, as a piece holds them (the fields as stored). */
export interface ChunkPart {
  serviceName: Uint8Array | undefined;
  resource: Uint8Array | undefined;
  scope: Uint8Array | undefined;
  /** Span messages, views into the chunk. */
  spans: Uint8Array[];
}

/** The chunk's parts in order: what its pieces are cut from. */
export function chunkParts(chunk: Uint8Array): ChunkPart[] {
  return groups(chunk).flatMap(({ serviceName, request }) =>
    resourceSpansOf(request).flatMap((rs) => {
      const { first: resource, second: scopeSpans } = fields(rs);
      return scopeSpans.map((ss) => {
        const { first: scope, second: spans } = fields(ss);
        return { serviceName, resource, scope, spans };
      });
    }),
  );
}

/**
 * The chunk as chunks of at most `maxSpans` spans each (a chunk that already fits is
 * returned as it is): piece k holds spans k·maxSpans to (k+1)·maxSpans of its parts, in
 * order. parseSpanChunk of the pieces, one after the other, gives the spans parseSpanChunk
 * of the chunk gives, in the same order. `known`: the chunk's parts, when the caller has them.
 */
export function* splitSpanChunk(chunk: Uint8Array, maxSpans: number, known?: readonly ChunkPart[]): Generator<Uint8Array> {
  const parts = known ?? chunkParts(chunk);
  if (parts.reduce((sum, p) => sum + p.spans.length, 0) <= maxSpans) {
    yield chunk;
    return;
  }
  let w = new ProtobufWriter(64 * 1024);
  let count = 0;
  for (const { serviceName, resource, scope, spans } of parts) {
    for (let from = 0; from < spans.length; ) {
      const take = spans.slice(from, from + maxSpans - count);
      writeGroup(w, serviceName, resource, scope, take);
      from += take.length;
      count += take.length;
      if (count === maxSpans) {
        yield w.finish();
        w = new ProtobufWriter(64 * 1024);
        count = 0;
      }
    }
  }
  if (count > 0) yield w.finish();
}
