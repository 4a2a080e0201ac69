/**
 * A minimal protobuf wire-format writer: enough for OTLP responses, google.rpc.Status and
 * ExportTraceServiceRequest payloads (tests and benchmarks). Inputs are trusted; values out
 * of range throw RangeError.
 */

import { WireType } from './protobuf-reader.js';

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

const utf8 = new TextEncoder();

export class ProtobufWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  tag(fieldNumber: number, wireType: number): this {
    return this.uint32(((fieldNumber << 3) | wireType) >>> 0);
  }

  /** A varint for 0 ≤ n < 2^32. */
  uint32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a uint32: ${n}`);
    this.ensure(5);
    while (n > 0x7f) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
    return this;
  }

  /** int32 and enums: negative values are sign-extended to 10 bytes, as protobuf does. */
  int32(n: number): this {
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`not an int32: ${n}`);
    return n >= 0 ? this.uint32(n) : this.int64(BigInt(n));
  }

  int64(value: string | bigint | number): this {
    const v = BigInt(value);
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`not an int64: ${value}`);
    return this.varint64(BigInt.asUintN(64, v));
  }

  uint64(value: string | bigint | number): this {
    return this.varint64(toUint64(value));
  }

  bool(b: boolean): this {
    return this.uint32(b ? 1 : 0);
  }

  fixed32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a uint32: ${n}`);
    this.ensure(4);
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
    return this;
  }

  /** fixed64 from a decimal string (Unix nanoseconds never pass through a `number`). */
  fixed64(value: string | bigint): this {
    const v = toUint64(value);
    this.ensure(8);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  double(n: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
    return this;
  }

  /** Length-prefixed bytes. */
  bytes(b: Uint8Array): this {
    this.uint32(b.length);
    return this.raw(b);
  }

  /**
   * Length-prefixed UTF-8. Attribute keys and values are mostly short ASCII: those are
   * copied char by char, which is several times faster than a TextEncoder call each.
   */
  string(s: string): this {
    const n = s.length;
    if (n < 128) {
      this.ensure(n + 1);
      const start = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[start + 1 + i] = c;
      }
      if (i === n) {
        this.buf[start] = n;
        this.pos = start + 1 + n;
        return this;
      }
    }
    return this.bytes(utf8.encode(s));
  }

  /**
   * Length-prefixed bytes from hex digits (IDs), decoded straight into the buffer. Throws
   * RangeError for an odd length or a non-hex digit.
   */
  hex(hex: string): this {
    const n = hex.length >> 1;
    if (hex.length !== n * 2) throw new RangeError(`not a hex byte string: ${hex}`);
    this.uint32(n);
    this.ensure(n);
    for (let i = 0; i < n; i++) {
      const hi = hexValue(hex.charCodeAt(2 * i));
      const lo = hexValue(hex.charCodeAt(2 * i + 1));
      if (hi < 0 || lo < 0) throw new RangeError(`not a hex byte string: ${hex}`);
      this.buf[this.pos + i] = (hi << 4) | lo;
    }
    this.pos += n;
    return this;
  }

  /** Bytes as they are, no prefix: for tests that need to hand-craft broken input. */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** An embedded message field: `write` fills the body, the length prefix is added after. */
  message(fieldNumber: number, write: (w: this) => void): this {
    this.tag(fieldNumber, WireType.LEN);
    // Write the body after a one-byte length slot, then widen the slot if the body is longer.
    this.ensure(1);
    const slot = this.pos++;
    write(this);
    const length = this.pos - slot - 1;
    const extra = varintSize(length) - 1;
    if (extra > 0) {
      this.ensure(extra);
      this.buf.copyWithin(slot + 1 + extra, slot + 1, this.pos);
      this.pos += extra;
    }
    let n = length;
    let at = slot;
    while (n > 0x7f) {
      this.buf[at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[at] = n;
    return this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (a copy: the writer may be reused). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private varint64(v: bigint): this {
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

function toUint64(value: string | bigint | number): bigint {
  const v = BigInt(value);
  if (v < 0n || v > UINT64_MAX) throw new RangeError(`not a uint64: ${value}`);
  return v;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function varintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n >>>= 7;
    size++;
  }
  return size;
}
