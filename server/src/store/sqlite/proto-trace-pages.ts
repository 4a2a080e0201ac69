/**
 * SpanStore.streamTraceProto for the SQLite store: decodeTracePages' pages (the same spans,
 * paging and order), with each span left as the OTLP protobuf it is stored in. Only what
 * paging needs is read from a span here (its ID, for the first-copy-wins rule, and its start,
 * for the order); its resource and scope are decoded once per chunk group, as the decoder does.
 *
 * Anything this reading cannot vouch for is decoded the usual way: traces with joined
 * net/trace records (merged into decoded spans), a piece holding a span ID seen before (the
 * decoder's object limit counts the copies it drops), and bytes it cannot read (the decoder
 * then gives its own answer, usually its error).
 */
import type { InstrumentationScope, Resource, Span } from '@threadline/shared';
import { DEFAULT_INGEST_LIMITS, DecodeMeter } from '../../ingest/ingest-limits.js';
import { mergeResource, mergeScope, resourcePart, scopePart } from '../../receivers/otlp/otlp-proto-decoder.js';
import { DEFAULT_MAX_DEPTH, ProtobufReader, unsignedDecimal } from '../../receivers/otlp/protobuf-reader.js';
import { ProtobufViewReader } from '../../receivers/otlp/protobuf-view-reader.js';
import { ProtobufWriter } from '../../receivers/otlp/protobuf-writer.js';
import { isProtoSpan, type ProtoSpan, type TracePage } from '../proto-span-page.js';
import { forEachGroup, parseSpanChunk, SERVED_PARTS } from './span-chunk-codec.js';
import { chunkParts, chunkSlice, spanCountOf, splitSpanChunk, type ChunkPart } from './span-chunk-pieces.js';
import { decodeTracePages } from './trace-chunk-pages.js';
import type { TraceChunkStream } from './trace-piece-stream.js';
import { compareByStart, compareIds } from '../span-order.js';

/** A span as skimmed: its start as uint64 halves, made a decimal only when asked (for the first page's base time, or to sort among decoded spans). */
class SkimmedSpan implements ProtoSpan {
  maxObjects = 0;
  private start: string | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly spanId: string,
    readonly startHi: number,
    readonly startLo: number,
    public resource: Resource,
    public scope: InstrumentationScope,
    readonly serviceName: string,
  ) {}

  get startTimeUnixNano(): string {
    return (this.start ??= unsignedDecimal(this.startLo, this.startHi));
  }
}

/** compareByStart, without decimals between skimmed spans. */
function byStart(a: ProtoSpan | Span, b: ProtoSpan | Span): number {
  if (a instanceof SkimmedSpan && b instanceof SkimmedSpan) return a.startHi - b.startHi || a.startLo - b.startLo || compareIds(a.spanId, b.spanId);
  return compareByStart(a, b);
}

/** The spans of a chunk piece (span-chunk-codec.ts), walked as parseSpanChunk walks it. */
function skimPiece(piece: Uint8Array): ProtoSpan[] {
  const out: SkimmedSpan[] = [];
  forEachGroup(piece, (serviceName, request) => skimRequest(request, serviceName, out));
  return out;
}

/** An ExportTraceServiceRequest, as parseExportTraceRequestProto reads it with a meter of its own. */
function skimRequest(request: Uint8Array, serviceName: string, out: SkimmedSpan[]): void {
  const meter = new DecodeMeter(undefined, false);
  const r = new ProtobufReader(request, undefined, meter.limits.maxAttributeLength);
  const first = out.length;
  while (!r.done) {
    const tag = r.readTag();
    if (tag === 0x0a) skimResourceSpans(r, meter, serviceName, out);
    else r.skip(tag);
  }
  // The decoder counts the request's objects together: resources and scopes (counted) and its spans share the limit.
  const spans = out.length - first;
  const maxObjects = Math.floor((meter.limits.maxObjectsPerRequest - meter.objects) / Math.max(spans, 1));
  for (let i = first; i < out.length; i++) out[i]!.maxObjects = maxObjects;
}

function skimResourceSpans(r: ProtobufReader, m: DecodeMeter, serviceName: string, out: SkimmedSpan[]): void {
  const parent = r.enter();
  // The decoder's own reading of a resource (shared: SERVED_PARTS), merged into a copy when it comes in parts.
  const resource = resourcePart();
  const first = out.length;
  while (!r.done) {
    const tag = r.readTag();
    if (tag === 0x0a) resource.read(r, m, tag, SERVED_PARTS);
    else if (tag === 0x12) skimScopeSpans(r, m, resource.value, serviceName, out);
    else r.skip(tag);
  }
  r.leave(parent);
  // Spans skimmed before a later part of their resource get the merged resource, as the decoder's spans do.
  if (resource.merged) for (let i = first; i < out.length; i++) out[i]!.resource = resource.value;
}

function skimScopeSpans(r: ProtobufReader, m: DecodeMeter, resource: Resource, serviceName: string, out: SkimmedSpan[]): void {
  const parent = r.enter();
  const scope = scopePart();
  const first = out.length;
  while (!r.done) {
    const tag = r.readTag();
    if (tag === 0x0a) scope.read(r, m, tag, SERVED_PARTS);
    else if (tag === 0x12 && m.admitSpan()) out.push(skimSpan(r, resource, scope.value, serviceName));
    else r.skip(tag);
  }
  r.leave(parent);
  if (scope.merged) for (let i = first; i < out.length; i++) out[i]!.scope = scope.value;
}

/** The span's message with its ID and start (the last of each, as the decoder keeps them). */
function skimSpan(r: ProtobufReader, resource: Resource, scope: InstrumentationScope, serviceName: string): SkimmedSpan {
  const parent = r.enter();
  const span = skimSpanContent(r, r.messageBytes(), resource, scope, serviceName);
  r.leave(parent);
  return span;
}

/** skimSpan of the message `r` is reading (its `bytes`), up to its end. */
function skimSpanContent(r: ProtobufReader, bytes: Uint8Array, resource: Resource, scope: InstrumentationScope, serviceName: string): SkimmedSpan {
  let spanId = '';
  let lo = 0;
  let hi = 0;
  while (!r.done) {
    const tag = r.readTag();
    if (tag === 0x12) spanId = r.readHex();
    else if (tag === 0x39) {
      r.readFixed64Halves();
      lo = r.lastLo;
      hi = r.lastHi;
    } else r.skip(tag);
  }
  return new SkimmedSpan(bytes, spanId, hi, lo, resource, scope, serviceName);
}

/** The piece's spans if they can stay in protobuf: skimmed, and none a copy of one seen before (then noted as seen). */
function protoSpansOf(spans: ProtoSpan[] | undefined, seen: Set<string>): ProtoSpan[] | undefined {
  if (spans === undefined) return undefined;
  for (let i = 0; i < spans.length; i++) {
    if (!seen.has(spans[i]!.spanId)) {
      seen.add(spans[i]!.spanId);
      continue;
    }
    for (let k = 0; k < i; k++) seen.delete(spans[k]!.spanId);
    return undefined;
  }
  return spans;
}

/**
 * A piece of a chunk as splitSpanChunk cuts it, with its spans skimmed (undefined when they
 * could not be). A chunk over a piece's size is not cut into new bytes here: its pieces'
 * spans are skimmed where they lie, as the piece would hold them (ChunkPart), and a piece's
 * bytes are made only for the decoder, when it is needed.
 */
interface Piece {
  spans: ProtoSpan[] | undefined;
  bytes(): Uint8Array;
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A chunk's pieces, in order. Throws what splitSpanChunk throws for the chunk. */
function* piecesOf(chunk: Uint8Array, maxSpans: number): Generator<Piece> {
  const parts = chunkParts(chunk);
  const total = spanCountOf(parts);
  if (total <= maxSpans || maxSpans > DEFAULT_INGEST_LIMITS.maxSpansPerRequest) {
    // A chunk that fits is a piece as it is (and a piece size the decoder would not take whole is left to splitSpanChunk).
    for (const bytes of splitSpanChunk(chunk, maxSpans, parts)) yield { spans: attempt(() => skimPiece(bytes)), bytes: () => bytes };
    return;
  }
  const contexts = new Map<ChunkPart, PartContext | undefined>();
  const contextOf = (part: ChunkPart) => {
    if (!contexts.has(part)) contexts.set(part, attempt(() => partContext(part)));
    return contexts.get(part);
  };
  const reader = new ProtobufViewReader();
  for (let from = 0; from < total; from += maxSpans) {
    const to = Math.min(total, from + maxSpans);
    let bytes: Uint8Array | undefined;
    yield { spans: attempt(() => skimSlice(parts, from, to, contextOf, reader)), bytes: () => (bytes ??= chunkSlice(parts, from, to)) };
  }
}

/** What a piece's group of a part decodes to besides its spans (span-chunk-pieces.ts writes the part's fields as stored). */
interface PartContext {
  serviceName: string;
  resource: Resource;
  scope: InstrumentationScope;
  /** The objects the decoder counts for resource and scope, in each group of a piece. */
  objects: number;
}

/** Reads a message's bytes as the decoder reads them as a field (length first), `depth` messages deep. */
function fieldReader(bytes: Uint8Array, depth: number): ProtobufReader {
  return new ProtobufReader(new ProtobufWriter(bytes.length + 5).bytes(bytes).finish(), DEFAULT_MAX_DEPTH - depth, DEFAULT_INGEST_LIMITS.maxAttributeLength);
}

function partContext(part: ChunkPart): PartContext {
  const meter = new DecodeMeter(undefined, false);
  const resource: Resource = { attributes: [], droppedAttributesCount: 0 };
  const scope: InstrumentationScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  if (part.resource) mergeResource(fieldReader(part.resource, 1), resource, meter);
  if (part.scope) mergeScope(fieldReader(part.scope, 2), scope, meter);
  const serviceName = part.serviceName ? Buffer.from(part.serviceName.buffer, part.serviceName.byteOffset, part.serviceName.length).toString('utf8') : '';
  return { serviceName, resource, scope, objects: meter.objects };
}

/** The spans [from, to) of the parts, skimmed as the piece holding them would be. */
function skimSlice(parts: readonly ChunkPart[], from: number, to: number, contextOf: (part: ChunkPart) => PartContext | undefined, reader: ProtobufViewReader): ProtoSpan[] {
  const out: SkimmedSpan[] = [];
  let start = 0;
  for (const part of parts) {
    const end = start + part.spans.length;
    if (end > from && start < to) {
      const context = contextOf(part);
      if (context === undefined) throw new Error('part not readable');
      const slice = part.spans.slice(Math.max(from, start) - start, Math.min(to, end) - start);
      const maxObjects = Math.floor((DEFAULT_INGEST_LIMITS.maxObjectsPerRequest - context.objects) / slice.length);
      for (const bytes of slice) {
        const span = skimSpanContent(reader.at(bytes), bytes, context.resource, context.scope, context.serviceName);
        span.maxObjects = maxObjects;
        out.push(span);
      }
    }
    start = end;
    if (start >= to) break;
  }
  return out;
}

/** `spans` (sorted) as a page, with the way back to decoded spans: the page's pieces decoded again. */
function protoPage(spans: Array<ProtoSpan | Span>, pieces: readonly Piece[]): TracePage {
  return {
    spans,
    decode: () => {
      const byId = new Map<string, Span>();
      for (const piece of pieces) for (const span of parseSpanChunk(piece.bytes(), false)) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
      return spans.map((s) => (isProtoSpan(s) ? byId.get(s.spanId)! : s));
    },
  };
}

/** decodeTracePages, with the spans left in protobuf where they can be (see the top of the file). */
export async function* protoTracePages(trace: TraceChunkStream, pageSpans: number): AsyncGenerator<TracePage> {
  if (trace.joined.length > 0) {
    yield* decodeTracePages(trace, pageSpans);
    return;
  }
  const seen = new Set<string>();
  let page: Array<ProtoSpan | Span> = [];
  let pieces: Piece[] = [];
  for await (const chunk of trace.chunks) {
    try {
      for (const piece of piecesOf(chunk, pageSpans)) {
        pieces.push(piece);
        const proto = protoSpansOf(piece.spans, seen);
        if (proto) page.push(...proto);
        else {
          for (const span of parseSpanChunk(piece.bytes(), false)) {
            if (seen.has(span.spanId)) continue;
            seen.add(span.spanId);
            page.push(span);
          }
        }
        if (page.length >= pageSpans) {
          yield protoPage(page.sort(byStart), pieces);
          page = [];
          pieces = [];
        }
      }
    } catch (err) {
      // decodeTracePages would have decoded the page's earlier pieces before getting here, and failed on the first bad one.
      for (const piece of pieces) parseSpanChunk(piece.bytes(), false);
      throw err;
    }
  }
  if (page.length > 0) yield protoPage(page.sort(byStart), pieces);
}
