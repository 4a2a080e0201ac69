import { describe, expect, it } from 'vitest';
import { buildPreparedBatch, mergePreparedBatches } from './prepared-batch.js';
import { chunkCount, chunkDataRanges, packBatch, packedTransferables, spanCount, unpackBatch } from './packed-batch.js';
import { at, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

const spansOf = (trace: number, serviceName: string, ids: number[], parentSpanId = '') =>
  ids.map((id) => testSpan({ traceId: traceIdOf(trace), spanId: spanIdOf(id), parentSpanId, serviceName, name: `op-${id % 3}`, startTimeUnixNano: at(id), endTimeUnixNano: at(id + 2) }));

describe('packBatch / unpackBatch', () => {
  const batch = buildPreparedBatch([...spansOf(1, 'api', [1, 2, 3]), ...spansOf(2, 'db', [4, 5], spanIdOf(9)), ...spansOf(3, 'api', [6])]);

  it('gives back the batch it packed, chunk for chunk', () => {
    const packed = packBatch(batch);
    expect(unpackBatch(packed)).toEqual(batch);
    expect([chunkCount(packed), spanCount(packed)]).toEqual([3, 6]);
  });

  it('survives a move to another thread: its buffers are transferable and the copy unpacks the same', () => {
    const packed = packBatch(buildPreparedBatch(spansOf(7, 'web', [1, 2])));
    const expected = unpackBatch(structuredClone(packed));
    const moved = structuredClone(packed, { transfer: packedTransferables(packed) });
    expect(packed.data.byteLength).toBe(0);
    expect(unpackBatch(moved)).toEqual(expected);
  });

  it('says where each chunk’s bytes are', () => {
    const packed = packBatch(batch);
    expect([...chunkDataRanges(packed)]).toEqual(batch.chunks.flatMap((c) => [c.dataStart, c.dataEnd]));
  });

  it('refuses a merged batch, whose bytes are not its own', () => {
    const merged = mergePreparedBatches([batch, buildPreparedBatch(spansOf(1, 'web', [8]))]);
    expect(() => packBatch(merged)).toThrow(/merged/);
  });
});
