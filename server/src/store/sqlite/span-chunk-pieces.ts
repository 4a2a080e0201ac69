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
import { ProtobufReader } from '../../receivers/otlp/protobuf-reader.js';

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

/** How many spans the parts hold. */
export function spanCountOf(parts: readonly ChunkPart[]): number {
  return parts.reduce((sum, p) => sum + p.spans.length, 0);
}

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** A length-delimited field 1 or 2 (one tag byte) holding `length` bytes. */
function fieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}

function optionalFieldSize(bytes: Uint8Array | undefined): number {
  return bytes ? fieldSize(bytes.length) : 0;
}

/** A chunk's bytes written front to back into a buffer of their exact size. */
class ExactWriter {
  readonly bytes: Uint8Array<ArrayBuffer>;
  private at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  /** The tag and length of a length-delimited field 1 or 2; its content follows. */
  head(tag: number, length: number): void {
    this.bytes[this.at++] = tag;
    let n = length;
    while (n > 0x7f) {
      this.bytes[this.at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.bytes[this.at++] = n;
  }

  field(tag: number, content: Uint8Array | undefined): void {
    if (!content) return;
    this.head(tag, content.length);
    this.bytes.set(content, this.at);
    this.at += content.length;
  }
}

/** One group of the chunk format, sized before it is written. */
class Group {
  readonly scopeSpans: number;
  readonly resourceSpans: number;
  readonly request: number;
  readonly content: number;

  constructor(
    readonly part: ChunkPart,
    readonly spans: readonly Uint8Array[],
  ) {
    this.scopeSpans = optionalFieldSize(part.scope) + spans.reduce((sum, s) => sum + fieldSize(s.length), 0);
    this.resourceSpans = optionalFieldSize(part.resource) + fieldSize(this.scopeSpans);
    this.request = fieldSize(this.resourceSpans);
    this.content = optionalFieldSize(part.serviceName) + fieldSize(this.request);
  }

  /** The service name, resource and scope as stored, and the spans. */
  write(w: ExactWriter): void {
    w.head(FIELD_1, this.content);
    w.field(FIELD_1, this.part.serviceName);
    w.head(FIELD_2, this.request);
    w.head(FIELD_1, this.resourceSpans);
    w.field(FIELD_1, this.part.resource);
    w.head(FIELD_2, this.scopeSpans);
    w.field(FIELD_1, this.part.scope);
    for (const span of this.spans) w.field(FIELD_2, span);
  }
}

/**
 * Spans [from, to) of the chunk whose parts these are, as a chunk of the same format: each
 * part's run in that range a group of its own, its fields as stored. Written into a buffer
 * of its own, of its exact size (a reader worker hands it over without copying it).
 */
export function chunkSlice(parts: readonly ChunkPart[], from: number, to: number): Uint8Array<ArrayBuffer> {
  const groups: Group[] = [];
  let start = 0;
  for (const part of parts) {
    const end = start + part.spans.length;
    if (end > from && start < to) groups.push(new Group(part, part.spans.slice(Math.max(from, start) - start, Math.min(to, end) - start)));
    start = end;
    if (start >= to) break;
  }
  const w = new ExactWriter(groups.reduce((sum, g) => sum + fieldSize(g.content), 0));
  for (const group of groups) group.write(w);
  return w.bytes;
}

/**
 * The chunk as chunks of at most `maxSpans` spans each (a chunk that already fits is
 * returned as it is): piece k holds spans k·maxSpans to (k+1)·maxSpans of its parts, in
 * order. parseSpanChunk of the pieces, one after the other, gives the spans parseSpanChunk
 * of the chunk gives, in the same order. `known`: the chunk's parts, when the caller has them.
 */
export function* splitSpanChunk(chunk: Uint8Array, maxSpans: number, known?: readonly ChunkPart[]): Generator<Uint8Array> {
  const parts = known ?? chunkParts(chunk);
  const total = spanCountOf(parts);
  if (total <= maxSpans) {
    yield chunk;
    return;
  }
  for (let from = 0; from < total; from += maxSpans) yield chunkSlice(parts, from, Math.min(total, from + maxSpans));
}
