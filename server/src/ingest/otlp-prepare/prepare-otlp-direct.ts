import { StatusCode, anyValueToString, type InstrumentationScope, type Resource } from '@threadline/shared';
import type { IngestLimits } from '../ingest-limits.js';
import { DecodeMeter } from '../ingest-limits.js';
import { mergeResource, mergeScope, readKeyValueFields, readLink } from '../../receivers/otlp/otlp-proto-decoder.js';
import { serviceNameOf } from '../../receivers/otlp/otlp-to-spans.js';
import { ProtobufReader, WireType } from '../../receivers/otlp/protobuf-reader.js';
import { ProtobufWriter } from '../../receivers/otlp/protobuf-writer.js';
import { positionsByTrace, PreparedBatchBuilder, prepareResource, TagHashMemo, type PreparedResource } from '../../store/sqlite/prepared-batch.js';
import { writeGroupFrame } from '../../store/sqlite/span-chunk-codec.js';
import { MAX_INDEXED_CHARS, toIndexedText, visitDerivedTags, visitScopeTags } from '../../store/sqlite/search-tags.js';
import { asciiTagHash, tagHash } from '../../store/sqlite/tag-hash.js';
import type { OtlpDecodeCounts } from './decode-otlp-proto.js';
import type { PreparedOtlp } from './prepare-otlp-batch.js';

/**
 * The common OTLP protobuf request straight to the store's prepared batch, without
 * decoding its spans into objects: a span's fields are read in place, its IDs and times
 * go into the batch's columns as they are, its attributes are hashed from their bytes
 * (buildPreparedBatch hashes the same tags of decoded strings), and the chunks are the
 * request's own bytes, as the general path writes them for spans that came as protobuf.
 * Decoding a span into objects and preparing it took ~13 µs of ingest's ~38 µs of CPU a span.
 *
 * Only a request the general path would take as it is comes this way: any span it would
 * reject or refuse, any limit that would change what was sent (a string cut, an attribute,
 * event, link or span dropped), a resource or scope sent in parts, and any error at all
 * returns undefined, and the caller decodes the request the general way, which answers
 * it exactly as before. So for every request this returns a batch for, the general path
 * gives the same batch and counts (prepare-otlp-direct.test.ts holds both to that).
 */
export function prepareOtlpDirect(body: Uint8Array, limits: IngestLimits): PreparedOtlp | undefined {
  try {
    return new DirectRequest(body, limits).prepare();
  } catch {
    return undefined;
  }
}

/** Thrown where the general path would answer differently from reading in place: the caller takes the general path. */
class NotDirect extends Error {}
const NOT_DIRECT = new NotDirect('not a request to prepare in place');

const INT64_MAX = 2n ** 63n - 1n;
const EMPTY = new Uint8Array(0);

interface ResourceSlot {
  resource: Resource;
  bytes: Uint8Array;
  prepared: PreparedResource | undefined;
}

interface ScopeSlot {
  resource: number;
  scope: InstrumentationScope;
  bytes: Uint8Array;
}

class DirectRequest {
  private readonly r: ProtobufReader;
  private readonly m: DecodeMeter;
  private readonly text: Buffer;
  private readonly view: DataView;
  private readonly resources: ResourceSlot[] = [];
  private readonly scopes: ScopeSlot[] = [];
  /** Resources in the order chunks first use them, as buildPreparedBatch lists them. */
  private readonly usedResources: PreparedResource[] = [];
  // Per span, in request order.
  private readonly traceIds: string[] = [];
  private readonly spanIds: bigint[] = [];
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];
  private readonly names: string[] = [];
  private readonly kinds: number[] = [];
  private readonly flags: number[] = [];
  private readonly scopeOf: number[] = [];
  private readonly rawStarts: number[] = [];
  private readonly rawEnds: number[] = [];
  /** The span's own tags (attributes, kind, status, usable events' attributes): tags[tagEnds[i - 1] ?? 0, tagEnds[i]). */
  private readonly tags: number[] = [];
  private readonly tagEnds: number[] = [];
  // Scratch for one span: attribute and event tags arrive interleaved, and are listed apart.
  private readonly eventTags: number[] = [];
  /** Hashes of the tags many spans share (kind, status), remembered for the request. */
  private readonly sharedHashes = new TagHashMemo();
  private readonly addTag = (key: string, value: string) => void this.tags.push(tagHash(key, value));
  private readonly addSharedTag = (key: string, value: string) => void this.tags.push(this.sharedHashes.of(key, value));

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: IngestLimits,
  ) {
    this.m = new DecodeMeter(limits);
    this.r = new ProtobufReader(bytes, undefined, limits.maxAttributeLength);
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  prepare(): PreparedOtlp {
    const { r, m } = this;
    while (!r.done) {
      const tag = r.readTag();
      if (tag === 0x0a) this.resourceSpans();
      else r.skip(tag);
    }
    if (r.truncatedStrings + m.droppedAttributes + m.droppedEvents + m.droppedLinks + m.spansOverLimit > 0) throw NOT_DIRECT;
    const n = this.traceIds.length;
    const counts: OtlpDecodeCounts = { spans: n, rejected: 0, spansOverLimit: 0, decodedBytes: m.bytes, partial: undefined };
    return { counts, batch: n === 0 ? undefined : this.batch() };
  }

  private resourceSpans(): void {
    const slot: ResourceSlot = { resource: { attributes: [], droppedAttributesCount: 0 }, bytes: EMPTY, prepared: undefined };
    const index = this.resources.push(slot) - 1;
    slot.bytes = this.container(
      () => mergeResource(this.r, slot.resource, this.m),
      () => this.scopeSpans(index),
    );
  }

  private scopeSpans(resource: number): void {
    const slot: ScopeSlot = { resource, scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, bytes: EMPTY };
    const index = this.scopes.push(slot) - 1;
    slot.bytes = this.container(
      () => mergeScope(this.r, slot.scope, this.m),
      () => {
        if (!this.m.admitSpan()) throw NOT_DIRECT;
        this.span(index);
      },
    );
  }

  /**
   * A ResourceSpans or ScopeSpans message, which share their layout: field 1 the resource or
   * scope (read by `readHead`, which returns its bytes), 2 the items, 3 a schema URL.
   * Returns the head's bytes; a head sent in two parts is merged by the decoder, so no one
   * slice of bytes is it, and one a limit changed is not as sent: the general path keeps those.
   */
  private container(readHead: () => Uint8Array | null, readItem: () => void): Uint8Array {
    const r = this.r;
    const parent = r.enter();
    let head: Uint8Array | undefined;
    while (!r.done) {
      const tag = r.readTag();
      if (tag === 0x0a) {
        if (head !== undefined) throw NOT_DIRECT;
        head = readHead() ?? fail();
      } else if (tag === 0x12) readItem();
      else if (tag === 0x1a) r.readString();
      else r.skip(tag);
    }
    r.leave(parent);
    return head ?? EMPTY;
  }

  /** A Span message, field numbers as in otlp-proto-decoder.ts's readSpan. */
  private span(scope: number): void {
    const { r, m, limits, bytes, tags } = this;
    const parent = r.enter();
    const rawStart = r.position;
    m.countObject();
    let traceAt = -1;
    let traceLength = 0;
    let spanAt = -1;
    let spanLength = 0;
    let parentAt = -1;
    let parentLength = 0;
    let name = '';
    let kind = 0;
    let start = 0n;
    let end = 0n;
    let statusCode = 0;
    let statusMessage = '';
    let attributes = 0;
    let events = 0;
    let links = 0;
    const eventTags = this.eventTags;
    eventTags.length = 0;
    while (!r.done) {
      const tag = r.readTag();
      switch (tag) {
        case 0x0a: // 1 trace_id
          traceAt = r.skipBytes();
          traceLength = r.lastLo;
          break;
        case 0x12: // 2 span_id
          spanAt = r.skipBytes();
          spanLength = r.lastLo;
          break;
        case 0x1a: // 3 trace_state
          r.skipBytes();
          this.checkLength(r.lastLo);
          break;
        case 0x22: // 4 parent_span_id
          parentAt = r.skipBytes();
          parentLength = r.lastLo;
          break;
        case 0x2a: // 5 name
          name = r.readString();
          break;
        case 0x30: // 6 kind
          kind = r.readInt32();
          break;
        case 0x39: // 7 start_time_unix_nano
          start = r.readFixed64BigInt();
          break;
        case 0x41: // 8 end_time_unix_nano
          end = r.readFixed64BigInt();
          break;
        case 0x4a: // 9 attributes
          if (++attributes > limits.maxSpanAttributes) throw NOT_DIRECT;
          tags.push(this.attributeTag());
          break;
        case 0x5a: // 11 events
          if (++events > limits.maxSpanEvents) throw NOT_DIRECT;
          this.event(eventTags);
          break;
        case 0x6a: // 13 links
          if (++links > limits.maxSpanLinks) throw NOT_DIRECT;
          readLink(r, m);
          break;
        case 0x7a: {
          // 15 status, merged if sent twice
          const status = r.enter();
          while (!r.done) {
            const field = r.readTag();
            if (field === 0x12) statusMessage = r.readString();
            else if (field === 0x18) statusCode = r.readInt32();
            else r.skip(field);
          }
          r.leave(status);
          break;
        }
        default:
          r.skip(tag);
      }
    }
    const rawEnd = r.position;
    r.leave(parent);
    // What toSpans would reject, or parseSpanRow refuse: the general path answers it.
    if (traceLength !== 16 || isZero(bytes, traceAt, 16) || spanLength !== 8 || isZero(bytes, spanAt, 8)) throw NOT_DIRECT;
    if (parentLength !== 0 && parentLength !== 8) throw NOT_DIRECT;
    if (start === 0n || end < start || end > INT64_MAX) throw NOT_DIRECT;
    // toSpan's normalization: unknown kinds and status codes read as unspecified / unset; a zero parent is none.
    if (!(kind >= 0 && kind <= 5)) kind = 0;
    if (statusCode !== StatusCode.OK && statusCode !== StatusCode.ERROR) statusCode = StatusCode.UNSET;
    const isRoot = parentLength === 0 || isZero(bytes, parentAt, 8) || sameBytes(bytes, parentAt, spanAt, 8);
    // visitSpanOwnSearchTags's order: attributes (pushed above), kind and status, events' attributes.
    visitDerivedTags(kind, statusCode, statusMessage, this.addTag, this.addSharedTag);
    for (const t of eventTags) tags.push(t);
    this.tagEnds.push(tags.length);
    this.traceIds.push(this.text.toString('hex', traceAt, traceAt + 16));
    this.spanIds.push(this.view.getBigInt64(spanAt, false));
    this.starts.push(start);
    this.ends.push(end);
    this.names.push(name);
    this.kinds.push(kind);
    this.flags.push((isRoot ? 1 : 0) | (statusCode === StatusCode.ERROR ? 2 : 0));
    this.scopeOf.push(scope);
    this.rawStarts.push(rawStart);
    this.rawEnds.push(rawEnd);
  }

  /** An Event message: its attributes' tags go to `out` if the event has a time (toSpan drops one without). */
  private event(out: number[]): void {
    const { r, limits } = this;
    const parent = r.enter();
    this.m.countObject();
    const mark = out.length;
    let timed = false;
    let attributes = 0;
    while (!r.done) {
      const tag = r.readTag();
      if (tag === 0x09) {
        r.readFixed64Halves();
        timed = (r.lastLo | r.lastHi) !== 0;
      } else if (tag === 0x12) {
        r.skipBytes();
        this.checkLength(r.lastLo);
      } else if (tag === 0x1a) {
        if (++attributes > limits.maxSpanAttributes) throw NOT_DIRECT;
        out.push(this.attributeTag());
      } else r.skip(tag);
    }
    r.leave(parent);
    if (!timed) out.length = mark;
  }

  /**
   * A KeyValue message's tag hash, metered as readKeyValueFields meters it. A string value
   * (most attributes) is hashed from its bytes; anything else is decoded by the decoder.
   */
  private attributeTag(): number {
    const { r, m, bytes } = this;
    const parent = r.enter();
    const fields = r.position;
    let keyAt = 0;
    let keyLength = 0;
    let valueAt = 0;
    let valueLength = 0;
    let values = 0;
    while (!r.done) {
      const tag = r.readTag();
      if (tag === 0x0a) {
        keyAt = r.skipBytes();
        keyLength = this.checkLength(r.lastLo);
      } else if (tag === 0x12) {
        valueAt = r.skipBytes();
        valueLength = r.lastLo;
        values++;
      } else r.skip(tag);
    }
    const stringAt = values === 1 ? stringValueAt(bytes, valueAt, valueLength) : -1;
    let hash: number;
    if (stringAt >= 0) {
      const stringLength = this.checkLength(valueAt + valueLength - stringAt);
      m.countObject();
      hash = asciiTagHash(bytes, keyAt, keyAt + Math.min(keyLength, MAX_INDEXED_CHARS), stringAt, stringAt + Math.min(stringLength, MAX_INDEXED_CHARS));
      if (hash === hash && isAscii(bytes, keyAt + MAX_INDEXED_CHARS, keyAt + keyLength) && isAscii(bytes, stringAt + MAX_INDEXED_CHARS, stringAt + stringLength)) {
        m.bytes += 2 * stringLength;
        m.countObject(keyLength);
      } else {
        const key = this.text.toString('utf8', keyAt, keyAt + keyLength);
        const value = this.text.toString('utf8', stringAt, stringAt + stringLength);
        m.bytes += 2 * value.length;
        m.countObject(key.length);
        hash = tagHash(toIndexedText(key), toIndexedText(value));
      }
    } else {
      r.rewind(fields);
      const kv = readKeyValueFields(r, 1, m);
      hash = tagHash(toIndexedText(kv.key), toIndexedText(anyValueToString(kv.value)));
    }
    r.leave(parent);
    return hash;
  }

  /** A string field's byte length, if no limit can cut it (else the general path cuts and marks it). */
  private checkLength(length: number): number {
    if (length > this.limits.maxAttributeLength) throw NOT_DIRECT;
    return length;
  }

  private batch() {
    const byTrace = positionsByTrace(this.traceIds);
    const builder = new PreparedBatchBuilder(this.traceIds.length);
    const writer = new ProtobufWriter(this.bytes.length + 1024);
    const scopeTags = this.scopes.map(({ scope }) => {
      const out: number[] = [];
      visitScopeTags(scope, (key, value) => out.push(tagHash(key, value)));
      return out;
    });
    const serviceNames = this.resources.map((slot) => serviceNameOf(slot.resource));
    for (const [traceId, members] of byTrace) {
      builder.startChunk(traceId);
      for (const i of members) {
        const scope = this.scopeOf[i]!;
        const resource = this.scopes[scope]!.resource;
        const operation = builder.operationOf(serviceNames[resource]!, this.names[i]!, this.kinds[i]!);
        const flags = this.flags[i]!;
        builder.addSpan(operation, this.starts[i]!, this.ends[i]!, this.spanIds[i]!, (flags & 2) !== 0, (flags & 1) !== 0);
        for (let t = i === 0 ? 0 : this.tagEnds[i - 1]!; t < this.tagEnds[i]!; t++) builder.addTag(this.tags[t]!);
        for (const t of scopeTags[scope]!) builder.addTag(t);
        builder.addTag(this.preparedResource(resource).key);
      }
      const dataStart = writer.length;
      this.writeChunk(writer, members, serviceNames);
      builder.endChunk(dataStart, writer.length);
    }
    return builder.finish(this.usedResources, writer.finish());
  }

  private preparedResource(index: number): PreparedResource {
    const slot = this.resources[index]!;
    if (!slot.prepared) this.usedResources.push((slot.prepared = prepareResource(slot.resource)));
    return slot.prepared;
  }

  /**
   * A trace's spans as span-chunk-codec.ts frames them (writeSpanChunk, for spans that kept
   * their protobuf bytes): a group per resource, holding one ScopeSpans per scope. The
   * spans are in request order, so each resource's and scope's are consecutive.
   */
  private writeChunk(w: ProtobufWriter, members: readonly number[], serviceNames: readonly string[]): void {
    let k = 0;
    while (k < members.length) {
      const resource = this.scopes[this.scopeOf[members[k]!]!]!.resource;
      writeGroupFrame(w, serviceNames[resource]!, () => {
        w.tag(1, WireType.LEN).bytes(this.resources[resource]!.bytes);
        while (k < members.length && this.scopes[this.scopeOf[members[k]!]!]!.resource === resource) {
          const scope = this.scopeOf[members[k]!]!;
          w.message(2, () => {
            w.tag(1, WireType.LEN).bytes(this.scopes[scope]!.bytes);
            for (; k < members.length && this.scopeOf[members[k]!] === scope; k++) {
              const i = members[k]!;
              w.tag(2, WireType.LEN).bytes(this.bytes.subarray(this.rawStarts[i], this.rawEnds[i]));
            }
          });
        }
      });
    }
  }
}

function fail(): never {
  throw NOT_DIRECT;
}

/**
 * Where the string of an AnyValue message `[at, at + length)` starts, if the message is a
 * string_value field and nothing else; else -1.
 */
function stringValueAt(bytes: Uint8Array, at: number, length: number): number {
  const end = at + length;
  if (length < 2 || bytes[at] !== 0x0a) return -1;
  let p = at + 1;
  let n = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    const b = bytes[p++]!;
    n |= (b & 0x7f) << shift;
    if (b < 0x80) return p + n === end ? p : -1;
    if (p >= end) return -1;
  }
  return -1;
}

function isZero(bytes: Uint8Array, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

function isAscii(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}
