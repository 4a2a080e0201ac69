import { describe, expect, it } from 'vitest';
import { ProtobufDecodeError, ProtobufReader, WireType, signedDecimal, unsignedDecimal } from './protobuf-reader.js';
import { ProtobufWriter } from './protobuf-writer.js';
import { seededUint32s } from '../../test-support/seeded-random.js';
import { thrownBy } from '../../test-support/thrown-by.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const decodeError = (fn: () => unknown) => thrownBy(fn, ProtobufDecodeError);

/** Halves of a uint64 given as bigint. */
const halves = (v: bigint): [number, number] => [Number(v & 0xffffffffn), Number(v >> 32n)];

describe('unsignedDecimal / signedDecimal', () => {
  const edges = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 1712345678901234567n, 10n ** 19n, 10n ** 19n - 1n];

  it('is exact at the edges', () => {
    for (const v of edges) expect(unsignedDecimal(...halves(v))).toBe(v.toString());
  });

  it('matches BigInt on random 64-bit values', () => {
    const next = seededUint32s(1);
    for (let i = 0; i < 20_000; i++) {
      const lo = next();
      // Every magnitude of the high half, not just the large ones a uniform draw gives.
      const hi = next() >>> (i % 32);
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      expect(unsignedDecimal(lo, hi)).toBe(v.toString());
      expect(signedDecimal(lo, hi)).toBe(BigInt.asIntN(64, v).toString());
    }
  });

  it('reads two’s complement', () => {
    expect(signedDecimal(0xffffffff, 0xffffffff)).toBe('-1');
    expect(signedDecimal(0, 0x80000000)).toBe('-9223372036854775808');
    expect(signedDecimal(0xffffffff, 0x7fffffff)).toBe('9223372036854775807');
  });
});

describe('ProtobufReader varints', () => {
  it('reads 1- to 10-byte varints exactly', () => {
    const values = [0n, 1n, 127n, 128n, 300n, 16383n, 16384n, 2n ** 28n - 1n, 2n ** 28n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 35n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    for (const v of values) {
      const buf = new ProtobufWriter().uint64(v).finish();
      const r = new ProtobufReader(buf);
      expect(r.readVarintBigInt()).toBe(v);
      expect(r.done).toBe(true);
      expect(new ProtobufReader(buf).readUint64String()).toBe(v.toString());
      const h = new ProtobufReader(buf);
      h.readVarint64Halves();
      expect([h.lastLo, h.lastHi]).toEqual(halves(v));
    }
  });

  it('encodes 300 as ac 02 (the protobuf docs example)', () => {
    expect(new ProtobufReader(bytes(0xac, 0x02)).readUint32()).toBe(300);
  });

  it('reads negative int32/enum values sent as 10-byte varints', () => {
    const buf = new ProtobufWriter().int32(-2).finish();
    expect(buf.length).toBe(10);
    expect(new ProtobufReader(buf).readInt32()).toBe(-2);
  });

  it('reads int64 as an exact signed decimal string', () => {
    for (const v of ['-1', '-9223372036854775808', '9223372036854775807', '-4294967296', '0', '123456789012345678']) {
      expect(new ProtobufReader(new ProtobufWriter().int64(v).finish()).readInt64String()).toBe(v);
    }
  });

  it('keeps the low 32 bits of a longer varint for uint32, as protobuf does', () => {
    expect(new ProtobufReader(new ProtobufWriter().uint64(2n ** 32n + 5n).finish()).readUint32()).toBe(5);
  });

  it('reads bools from any varint', () => {
    expect(new ProtobufReader(bytes(0)).readBool()).toBe(false);
    expect(new ProtobufReader(bytes(1)).readBool()).toBe(true);
    expect(new ProtobufReader(new ProtobufWriter().uint64(2n ** 40n).finish()).readBool()).toBe(true);
  });

  it('refuses a truncated varint', () => {
    const err = decodeError(() => new ProtobufReader(bytes(0x80, 0x80)).readUint32());
    expect(err.message).toBe('truncated varint at byte 0');
    expect(err.offset).toBe(0);
    decodeError(() => new ProtobufReader(bytes()).readUint32());
    decodeError(() => new ProtobufReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)).readUint32());
  });

  it('refuses varints longer than 10 bytes or wider than 64 bits', () => {
    expect(decodeError(() => new ProtobufReader(new Uint8Array(11).fill(0x80)).readUint32()).message).toMatch(/overflows 64 bits/);
    expect(decodeError(() => new ProtobufReader(bytes(...new Array(9).fill(0xff), 0x02)).readUint32()).message).toMatch(/overflows 64 bits/);
    expect(new ProtobufReader(bytes(...new Array(9).fill(0xff), 0x01)).readVarintBigInt()).toBe(2n ** 64n - 1n);
  });
});

describe('ProtobufReader fixed-width, bytes and strings', () => {
  it('reads fixed32, fixed64 and doubles little-endian', () => {
    const w = new ProtobufWriter().fixed32(0xdeadbeef).fixed64('18446744073709551615').fixed64('1712345678901234567').double(-0.1);
    const r = new ProtobufReader(w.finish());
    expect(r.readFixed32()).toBe(0xdeadbeef);
    expect(r.readFixed64String()).toBe('18446744073709551615');
    r.readFixed64Halves();
    expect([r.lastLo, r.lastHi]).toEqual(halves(1712345678901234567n));
    expect(r.readDouble()).toBe(-0.1);
    expect(r.done).toBe(true);
  });

  it('refuses truncated fixed-width values', () => {
    expect(decodeError(() => new ProtobufReader(bytes(1, 2, 3)).readFixed32()).message).toBe('truncated 4-byte value at byte 0');
    decodeError(() => new ProtobufReader(bytes(1, 2, 3, 4, 5, 6, 7)).readFixed64String());
    decodeError(() => new ProtobufReader(bytes(1, 2, 3, 4, 5, 6, 7)).readDouble());
  });

  it('reads strings (ASCII, multi-byte, long) and replaces invalid UTF-8', () => {
    const samples = ['', 'a', 'http.method', 'exactly-12ch', 'héllo', '🌍 emoji', 'x'.repeat(1000), 'long ascii attribute value over twelve'];
    const w = new ProtobufWriter();
    for (const s of samples) w.string(s);
    const r = new ProtobufReader(w.finish());
    for (const s of samples) expect(r.readString()).toBe(s);
    expect(new ProtobufReader(bytes(3, 0x61, 0xff, 0x62)).readString()).toBe('a\ufffdb');
  });

  it('returns bytes as a view and IDs as lowercase hex', () => {
    const r = new ProtobufReader(bytes(3, 0, 0xab, 0xff, 2, 0x0a, 0xbc));
    expect([...r.readBytes()]).toEqual([0, 0xab, 0xff]);
    expect(r.readHex()).toBe('0abc');
  });

  it('refuses a length past the end without allocating', () => {
    const err = decodeError(() => new ProtobufReader(bytes(5, 1, 2)).readBytes());
    expect(err.message).toBe('length 5 exceeds the 2 bytes left at byte 0');
    // 2^32 + 1 would be 1 if truncated to 32 bits.
    const huge = new ProtobufWriter().uint64(2n ** 32n + 1n).raw(bytes(0x41)).finish();
    expect(decodeError(() => new ProtobufReader(huge).readString()).message).toMatch(/length 4294967297 exceeds/);
    decodeError(() => new ProtobufReader(new ProtobufWriter().uint64(2n ** 64n - 1n).finish()).readBytes());
  });
});

describe('ProtobufReader tags, skipping and nesting', () => {
  it('reads tags and refuses field number 0 and out-of-range numbers', () => {
    expect(new ProtobufReader(bytes(0x85, 0x01)).readTag()).toBe((16 << 3) | WireType.I32);
    expect(decodeError(() => new ProtobufReader(bytes(0x02)).readTag()).message).toBe('field number 0 at byte 0');
    expect(decodeError(() => new ProtobufReader(new ProtobufWriter().uint64(2n ** 32n).finish()).readTag()).message).toMatch(/out of range/);
  });

  it('skips every non-group wire type', () => {
    const w = new ProtobufWriter()
      .tag(1, WireType.VARINT).uint64(2n ** 64n - 1n)
      .tag(2, WireType.I64).fixed64('1')
      .tag(3, WireType.LEN).string('skip me')
      .tag(4, WireType.I32).fixed32(7)
      .tag(5, WireType.VARINT).uint32(42);
    const r = new ProtobufReader(w.finish());
    for (let i = 0; i < 4; i++) r.skip(r.readTag());
    expect(r.readTag()).toBe((5 << 3) | WireType.VARINT);
    expect(r.readUint32()).toBe(42);
    expect(r.done).toBe(true);
  });

  it('refuses groups and invalid wire types, pointing at the tag', () => {
    for (const [wireType, pattern] of [[3, /unsupported group wire type 3 \(field 1\) at byte 2/], [4, /group wire type 4/], [6, /invalid wire type 6/], [7, /invalid wire type 7/]] as const) {
      const r = new ProtobufReader(bytes(0x08, 0x01, (1 << 3) | wireType, 0));
      r.skip(r.readTag());
      expect(decodeError(() => r.skip(r.readTag())).message).toMatch(pattern);
    }
  });

  it('refuses truncated skipped values', () => {
    for (const input of [bytes(0x09, 1, 2), bytes(0x0d, 1), bytes(0x0a, 9, 1), bytes(0x08, 0x80)]) {
      const r = new ProtobufReader(input);
      decodeError(() => r.skip(r.readTag()));
    }
  });

  it('bounds reads by the embedded message, not by the buffer', () => {
    // A 2-byte message whose inner string claims 3 bytes, followed by parent bytes it must not read.
    const r = new ProtobufReader(bytes(2, 3, 0x61, 0x62, 0x63));
    const parent = r.enter();
    expect(decodeError(() => r.readString()).message).toBe('length 3 exceeds the 1 bytes left at byte 1');
    expect(parent).toBe(5);
  });

  it('leaves a message exactly at its end and restores the parent limit', () => {
    const r = new ProtobufReader(bytes(1, 7, 8));
    const parent = r.enter();
    expect(r.readUint32()).toBe(7);
    expect(r.done).toBe(true);
    r.leave(parent);
    expect(r.done).toBe(false);
    expect(r.readUint32()).toBe(8);
  });

  it('caps nesting depth', () => {
    let msg: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 5; i++) msg = new ProtobufWriter().bytes(msg).finish();
    const r = new ProtobufReader(msg, 4);
    for (let i = 0; i < 4; i++) r.enter();
    expect(decodeError(() => r.enter()).message).toMatch(/nested deeper than 4/);
  });

  it('works on a Buffer slice with a non-zero byteOffset', () => {
    const backing = Buffer.from([0xff, 0xff, 0x0d, 0xef, 0xbe, 0xad, 0xde, 0x12, 1, 0x41]);
    const r = new ProtobufReader(backing.subarray(2));
    r.readTag();
    expect(r.readFixed32()).toBe(0xdeadbeef);
    r.readTag();
    expect(r.readString()).toBe('A');
  });
});

describe('ProtobufReader position, rewind and fixed64 as bigint', () => {
  it('reads a field again from a position taken before it, within the message', () => {
    const w = new ProtobufWriter();
    w.tag(1, WireType.LEN).string('key').tag(2, WireType.I64).fixed64('18446744073709551615');
    const r = new ProtobufReader(w.finish());
    const start = r.position;
    r.readTag();
    r.skipBytes();
    r.readTag();
    expect(r.readFixed64BigInt()).toBe(2n ** 64n - 1n);
    expect(r.done).toBe(true);
    r.rewind(start);
    r.readTag();
    expect(r.readString()).toBe('key');
    expect(decodeError(() => r.rewind(r.position + 1)).message).toContain('cannot rewind');
  });
});
