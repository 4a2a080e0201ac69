/**
 * A small protobuf wire-format reader for untrusted bytes. Every read is checked against
 * the end of the message being read (not just the buffer), so a nested message can never
 * read into its parent's bytes, and a bad length fails before anything is allocated.
 */

import { truncate } from '../../ingest/ingest-limits.js';

export class ProtobufDecodeError extends Error {
  constructor(
    message: string,
    /** Byte offset in the input where the problem was found. */
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'ProtobufDecodeError';
  }
}

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** Far beyond any real schema's nesting: a backstop for recursive decoders, which should cap lower. */
export const DEFAULT_MAX_DEPTH = 128;
const MAX_FIELD_NUMBER = 0x1fffffff;
const TWO_POW_32 = 0x100000000;
// Up to this length, building an ASCII string in JS beats the native decoder's call overhead.
const SHORT_STRING = 12;

export class ProtobufReader {
  private readonly buf: Uint8Array;
  // The same bytes as a Buffer, for its native UTF-8 and hex conversions.
  private readonly nodeBuf: Buffer;
  private readonly view: DataView;
  private cursor: number;
  private end: number;
  private depth = 0;
  private tagStart = 0;
  // The last varint or fixed64 read, as two uint32 halves, so that 64-bit values need no allocation.
  private lo = 0;
  private hi = 0;

  /** Strings cut by `maxStringChars` so far. */
  truncatedStrings = 0;

  constructor(
    buf: Uint8Array,
    private readonly maxDepth = DEFAULT_MAX_DEPTH,
    /** Longer strings are cut (and marked) as they are read: only a prefix is ever decoded. */
    private readonly maxStringChars = Number.POSITIVE_INFINITY,
  ) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.nodeBuf = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.cursor = 0;
    this.end = buf.length;
  }

  /**
   * Reads the input's bytes [start, end) next, as a message of its own: one reader for many
   * messages in one buffer (a reader per message was most of the garbage of reading them).
   */
  seek(start: number, end: number): void {
    if (start < 0 || end > this.buf.length || start > end) throw this.error(`no bytes [${start}, ${end}) to read`, start);
    this.cursor = start;
    this.end = end;
    this.depth = 0;
  }

  /** Where the next read starts, in the input: for `rewind`. */
  get position(): number {
    return this.cursor;
  }

  /**
   * Reads again from `position`, an earlier `position` of the message being read (no
   * message entered or left since): a caller that looked at a field's bytes in place can
   * hand them to a decoder after all.
   */
  rewind(position: number): void {
    if (position < 0 || position > this.cursor) throw this.error(`cannot rewind to byte ${position}`);
    this.cursor = position;
  }

  /** True when the current message has been fully read. */
  get done(): boolean {
    return this.cursor >= this.end;
  }

  error(message: string, offset = this.cursor): ProtobufDecodeError {
    return new ProtobufDecodeError(message, offset);
  }

  /** Reads a field tag: `fieldNumber << 3 | wireType`. */
  readTag(): number {
    const start = this.cursor;
    this.tagStart = start;
    this.readVarint64Halves();
    const fieldNumber = this.lo >>> 3;
    if (this.hi !== 0 || fieldNumber > MAX_FIELD_NUMBER) throw this.error('field number out of range', start);
    if (fieldNumber === 0) throw this.error('field number 0', start);
    return this.lo;
  }

  /** uint32 (and the low 32 bits of a longer varint, as protobuf specifies). */
  readUint32(): number {
    this.readVarint64Halves();
    return this.lo;
  }

  /** int32 and enums: negative values arrive as 10-byte varints; the low 32 bits carry them. */
  readInt32(): number {
    this.readVarint64Halves();
    return this.lo | 0;
  }

  readBool(): boolean {
    this.readVarint64Halves();
    return (this.lo | this.hi) !== 0;
  }

  readInt64String(): string {
    this.readVarint64Halves();
    return signedDecimal(this.lo, this.hi);
  }

  readUint64String(): string {
    this.readVarint64Halves();
    return unsignedDecimal(this.lo, this.hi);
  }

  readVarintBigInt(): bigint {
    this.readVarint64Halves();
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** The last 64-bit value read, as uint32 halves (for callers that want neither string nor bigint). */
  get lastLo(): number {
    return this.lo;
  }

  get lastHi(): number {
    return this.hi;
  }

  readFixed32(): number {
    const pos = this.take(4);
    return this.view.getUint32(pos, true);
  }

  readFixed64String(): string {
    this.readFixed64Halves();
    return unsignedDecimal(this.lo, this.hi);
  }

  /** Reads a fixed64 into `lastLo`/`lastHi`. */
  readFixed64Halves(): void {
    const pos = this.take(8);
    this.lo = this.view.getUint32(pos, true);
    this.hi = this.view.getUint32(pos + 4, true);
  }

  /** A fixed64 as a bigint (one allocation, where halves would take three to combine). */
  readFixed64BigInt(): bigint {
    const pos = this.take(8);
    return this.view.getBigUint64(pos, true);
  }

  readDouble(): number {
    const pos = this.take(8);
    return this.view.getFloat64(pos, true);
  }

  /** The length-delimited value next, as readBytes gives it, without moving past it. */
  peekBytes(): Uint8Array {
    const at = this.cursor;
    const bytes = this.readBytes();
    this.cursor = at;
    return bytes;
  }

  /** A view into the input, not a copy: valid as long as the input buffer is. */
  readBytes(): Uint8Array {
    const length = this.readLength();
    const start = this.cursor;
    this.cursor += length;
    return this.buf.subarray(start, start + length);
  }

  /**
   * Skips a length-delimited value and returns where it starts in the input; `lastLo` is then
   * its length. For callers that look at the bytes in place (readBytes makes a view each time).
   */
  skipBytes(): number {
    const length = this.readLength();
    const start = this.cursor;
    this.cursor += length;
    return start;
  }

  /** Invalid UTF-8 becomes U+FFFD rather than an error: a mangled name is still worth storing. */
  readString(): string {
    const length = this.readLength();
    const start = this.cursor;
    const end = start + length;
    this.cursor = end;
    if (length > this.maxStringChars) {
      // A character takes at most 4 UTF-8 bytes, so this prefix holds every character kept.
      const prefix = this.nodeBuf.toString('utf8', start, Math.min(end, start + 4 * this.maxStringChars + 4));
      if (prefix.length > this.maxStringChars) {
        this.truncatedStrings++;
        return truncate(prefix, this.maxStringChars);
      }
      return prefix;
    }
    return (length <= SHORT_STRING && asciiString(this.buf, start, end)) || this.nodeBuf.toString('utf8', start, end);
  }

  /** Length-delimited bytes as lowercase hex (trace and span IDs). */
  readHex(): string {
    const length = this.readLength();
    const start = this.cursor;
    this.cursor += length;
    return this.nodeBuf.toString('hex', start, start + length);
  }

  /**
   * Enters a length-delimited embedded message: until `leave`, reads stop at its end.
   * Returns the parent's limit, to hand back to `leave`.
   */
  enter(): number {
    const length = this.readLength();
    if (this.depth >= this.maxDepth) throw this.error(`messages nested deeper than ${this.maxDepth}`);
    this.depth++;
    const parentLimit = this.end;
    this.end = this.cursor + length;
    return parentLimit;
  }

  /** The bytes of the message entered last (call right after `enter`, before reading it). */
  messageBytes(): Uint8Array {
    return this.buf.subarray(this.cursor, this.end);
  }

  leave(parentLimit: number): void {
    // Unreachable when every read is bounded by `end`; kept as a guard against decoder bugs.
    if (this.cursor !== this.end) throw this.error('embedded message not fully read');
    this.depth--;
    this.end = parentLimit;
  }

  /**
   * Skips the value of an unknown field, right after its tag was read. Groups (wire types
   * 3 and 4, deprecated since proto2 and absent from OTLP) are refused.
   */
  skip(tag: number): void {
    const wireType = tag & 7;
    switch (wireType) {
      case WireType.VARINT:
        this.readVarint64Halves();
        return;
      case WireType.I64:
        this.take(8);
        return;
      case WireType.LEN: {
        const length = this.readLength();
        this.cursor += length;
        return;
      }
      case WireType.I32:
        this.take(4);
        return;
      case WireType.SGROUP:
      case WireType.EGROUP:
        throw this.error(`unsupported group wire type ${wireType} (field ${tag >>> 3})`, this.tagStart);
      default:
        throw this.error(`invalid wire type ${wireType} (field ${tag >>> 3})`, this.tagStart);
    }
  }

  /** Reads a length prefix and checks the bytes it announces are there. */
  private readLength(): number {
    const start = this.cursor;
    this.readVarint64Halves();
    const left = this.end - this.cursor;
    if (this.hi !== 0 || this.lo > left) {
      const length = this.hi === 0 ? String(this.lo) : unsignedDecimal(this.lo, this.hi);
      throw this.error(`length ${length} exceeds the ${left} bytes left`, start);
    }
    return this.lo;
  }

  /** Advances past `n` fixed-size bytes, returning where they start. */
  private take(n: number): number {
    const pos = this.cursor;
    if (this.end - pos < n) throw this.error(`truncated ${n}-byte value`, pos);
    this.cursor = pos + n;
    return pos;
  }

  /** Reads a varint of up to 64 bits into `lastLo`/`lastHi`. */
  readVarint64Halves(): void {
    const buf = this.buf;
    const end = this.end;
    const start = this.cursor;
    let pos = start;
    if (pos >= end) throw this.error('truncated varint', start);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.lo = b;
      this.hi = 0;
      this.cursor = pos;
      return;
    }
    let lo = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      if (pos >= end) throw this.error('truncated varint', start);
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        this.cursor = pos;
        return;
      }
    }
    // The fifth byte straddles the halves: 4 bits complete `lo`, 3 bits start `hi`.
    if (pos >= end) throw this.error('truncated varint', start);
    b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (pos >= end) throw this.error('truncated varint', start);
        b = buf[pos++]!;
        if (shift === 31) {
          // The tenth byte holds bit 63 only; protobuf rejects anything wider.
          if (b > 1) throw this.error('varint overflows 64 bits', start);
          hi |= b << 31;
          break;
        }
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.cursor = pos;
  }
}

/** Short ASCII, or '' when there is a non-ASCII byte (or nothing) to decode. */
function asciiString(buf: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return '';
    out += String.fromCharCode(c);
  }
  return out;
}

/**
 * uint64 from two uint32 halves to decimal, exactly, without BigInt: split into 24-bit
 * chunks and carry in base 1e7, so no intermediate exceeds 2^53.
 * 2^24 = 1·1e7 + 6777216 and 2^48 = 28147497·1e7 + 6710656 = (2·1e7 + 8147497)·1e7 + 6710656.
 */
export function unsignedDecimal(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * TWO_POW_32 + lo);
  const low = lo & 0xffffff;
  const mid = ((lo >>> 24) | (hi << 8)) & 0xffffff;
  const high = hi >>> 16;
  let a = low + mid * 6777216 + high * 6710656;
  let b = mid + high * 8147497;
  let c = high * 2;
  const base = 10000000;
  if (a >= base) {
    b += Math.floor(a / base);
    a %= base;
  }
  if (b >= base) {
    c += Math.floor(b / base);
    b %= base;
  }
  return c > 0
    ? String(c) + String(b).padStart(7, '0') + String(a).padStart(7, '0')
    : String(b) + String(a).padStart(7, '0');
}

/** Two's-complement int64 from uint32 halves to decimal. */
export function signedDecimal(lo: number, hi: number): string {
  if (hi < 0x80000000) return unsignedDecimal(lo, hi);
  const negLo = (~lo + 1) >>> 0;
  const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
  return '-' + unsignedDecimal(negLo, negHi);
}
