import { describe, expect, it } from 'vitest';
import { ProtobufReader, WireType } from './protobuf-reader.js';
import { ProtobufWriter } from './protobuf-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ProtobufWriter', () => {
  it('writes the wire bytes protobuf specifies', () => {
    expect(hex(new ProtobufWriter().tag(1, WireType.VARINT).uint32(150).finish())).toBe('089601');
    expect(hex(new ProtobufWriter().tag(2, WireType.LEN).string('testing').finish())).toBe('120774657374696e67');
    expect(hex(new ProtobufWriter().int64(-1).finish())).toBe('ffffffffffffffffff01');
    expect(hex(new ProtobufWriter().int32(-1).finish())).toBe('ffffffffffffffffff01');
    expect(hex(new ProtobufWriter().fixed64('1').finish())).toBe('0100000000000000');
    expect(hex(new ProtobufWriter().fixed32(1).finish())).toBe('01000000');
    expect(hex(new ProtobufWriter().double(1).finish())).toBe('000000000000f03f');
    expect(hex(new ProtobufWriter().bool(true).bool(false).finish())).toBe('0100');
    expect(hex(new ProtobufWriter().tag(16, WireType.I32).finish())).toBe('8501');
  });

  it('refuses values out of range', () => {
    const w = new ProtobufWriter();
    expect(() => w.uint32(-1)).toThrow(RangeError);
    expect(() => w.uint32(2 ** 32)).toThrow(RangeError);
    expect(() => w.uint32(1.5)).toThrow(RangeError);
    expect(() => w.int32(2 ** 31)).toThrow(RangeError);
    expect(() => w.int64('9223372036854775808')).toThrow(RangeError);
    expect(() => w.uint64(-1n)).toThrow(RangeError);
    expect(() => w.fixed64('18446744073709551616')).toThrow(RangeError);
    expect(() => w.fixed32(-1)).toThrow(RangeError);
  });

  it('prefixes embedded messages of every length-prefix size with their length', () => {
    for (const size of [0, 1, 127, 128, 16383, 16384, 70000]) {
      const body = new Uint8Array(size).fill(0x61);
      const w = new ProtobufWriter(8).message(3, (m) => m.raw(body)).tag(4, WireType.VARINT).uint32(9);
      const r = new ProtobufReader(w.finish());
      expect(r.readTag()).toBe((3 << 3) | WireType.LEN);
      expect(Buffer.compare(r.readBytes(), body)).toBe(0);
      r.readTag();
      expect(r.readUint32()).toBe(9);
      expect(r.done).toBe(true);
    }
  });

  it('nests messages', () => {
    const w = new ProtobufWriter(4).message(1, (a) => a.message(2, (b) => b.tag(3, WireType.LEN).string('x'.repeat(200))));
    const r = new ProtobufReader(w.finish());
    r.readTag();
    const outer = r.enter();
    r.readTag();
    const inner = r.enter();
    r.readTag();
    expect(r.readString()).toBe('x'.repeat(200));
    r.leave(inner);
    r.leave(outer);
    expect(r.done).toBe(true);
  });

  it('round-trips through the reader', () => {
    const w = new ProtobufWriter(1)
      .uint64('18446744073709551615')
      .int64('-9223372036854775808')
      .fixed64(12345678901234567890n)
      .double(Number.MIN_VALUE)
      .bytes(new Uint8Array([0, 255]));
    const r = new ProtobufReader(w.finish());
    expect(r.readUint64String()).toBe('18446744073709551615');
    expect(r.readInt64String()).toBe('-9223372036854775808');
    expect(r.readFixed64String()).toBe('12345678901234567890');
    expect(r.readDouble()).toBe(Number.MIN_VALUE);
    expect([...r.readBytes()]).toEqual([0, 255]);
    expect(r.done).toBe(true);
  });
});
