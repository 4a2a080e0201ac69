import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressChunk, inflateChunk } from './chunk-compression.js';
import { openDatabase } from './open-database.js';
import { SpanReader } from './span-reader.js';
import { SpanWriter } from './span-writer.js';
import { at, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

/** Bytes that compress like span chunks (repeated keys and resources) and bytes that do not. */
function samples(): Uint8Array[] {
  const text = Buffer.from('service.name=checkout http.method=GET http.route=/api/orders/{id} '.repeat(2000));
  return [new Uint8Array(0), new Uint8Array([0]), randomBytes(1), randomBytes(4096), randomBytes(70_000), text, text.subarray(0, 65_536), Buffer.alloc(100_000)];
}

describe('block compression', () => {
  it('reads back every block it writes', () => {
    for (const data of samples()) expect(Buffer.from(inflateChunk(compressChunk(data))).equals(Buffer.from(data))).toBe(true);
  });

  it('still reads the raw deflate blocks of files written before brotli', () => {
    for (const data of samples()) {
      for (const level of [0, 1, 6, 9]) {
        const old = deflateRawSync(data, { level });
        expect(Buffer.from(inflateChunk(old)).equals(Buffer.from(data))).toBe(true);
      }
    }
  });

  it('marks brotli blocks with a first byte no deflate stream starts with (block type 3 is reserved)', () => {
    for (const data of samples()) {
      expect(compressChunk(data)[0]).toBe(0x07);
      for (const level of [0, 1, 6, 9]) {
        const first = deflateRawSync(data, { level })[0]!;
        expect(first & 0b110).not.toBe(0b110);
      }
    }
  });

  it('makes span-like bytes smaller', () => {
    const text = samples()[5]!;
    expect(compressChunk(text).length).toBeLessThan(text.length / 20);
  });
});

describe('a store holding both kinds of block', () => {
  it('reads a trace whose blocks are deflate (written before brotli) the same as brotli ones', () => {
    const db = openDatabase(':memory:', 'writer');
    const spans = [1, 2, 3].map((i) => testSpan({ traceId: traceIdOf(1), spanId: spanIdOf(i), startTimeUnixNano: at(i), endTimeUnixNano: at(i + 1) }));
    new SpanWriter(db).write(spans);
    const reader = new SpanReader(db);
    const before = reader.getTrace(traceIdOf(1));
    const blocks = db.prepare<[], { block_id: number; data: Buffer }>('SELECT block_id, data FROM span_blocks').all();
    expect(blocks.length).toBeGreaterThan(0);
    for (const { block_id, data } of blocks) {
      expect(data[0]).toBe(0x07);
      db.prepare('UPDATE span_blocks SET data = ? WHERE block_id = ?').run(deflateRawSync(inflateChunk(data), { level: 1 }), block_id);
    }
    expect(reader.getTrace(traceIdOf(1))).toEqual(before);
    expect(before.map((s) => s.spanId)).toEqual([1, 2, 3].map(spanIdOf));
    db.close();
  });
});
