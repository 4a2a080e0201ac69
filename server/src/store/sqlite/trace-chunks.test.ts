import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';
import { encodeSpanChunk } from './span-chunk-codec.js';
import { SpanWriter } from './span-writer.js';
import { spanIdOf, testSpan, traceIdOf } from './test-spans.js';
import { TraceChunks } from './trace-chunks.js';

let db: Database.Database;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
});
afterEach(() => db.close());

const concat = (parts: readonly Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

describe('TraceChunks.packedChunks', () => {
  it('packs the chunks of every block of a trace, then the unindexed ones, as chunksOf lists them', () => {
    const writer = new SpanWriter(db);
    // Three writes: three chunks of trace 1 in three blocks, with trace 2's between them.
    for (let w = 0; w < 3; w++) {
      writer.write([
        testSpan({ traceId: traceIdOf(1), spanId: spanIdOf(10 + w) }),
        testSpan({ traceId: traceIdOf(2), spanId: spanIdOf(20 + w) }),
      ]);
    }
    expect(db.prepare('SELECT count(DISTINCT block_id) FROM span_chunks').pluck().get()).toBe(3);
    const unindexed = [encodeSpanChunk([testSpan({ traceId: traceIdOf(1), spanId: spanIdOf(99) })])];
    const chunks = new TraceChunks(db);
    const views = chunks.chunksOf(traceIdOf(1), unindexed);
    const packed = chunks.packedChunks(traceIdOf(1), unindexed);
    expect(packed.chunkLengths).toEqual(views.map((v) => v.length));
    expect(Buffer.from(packed.bytes).equals(concat(views))).toBe(true);
    // Its own buffer, to be moved to another thread.
    expect(packed.bytes.byteOffset).toBe(0);
    expect(packed.bytes.buffer.byteLength).toBe(packed.bytes.length);
    expect(chunks.packedChunks(traceIdOf(3))).toEqual({ bytes: new Uint8Array(0), chunkLengths: [] });
    expect(chunks.packedChunks('not an id', unindexed).chunkLengths).toEqual([]);
  });
});
