import { describe, expect, it } from 'vitest';
import { buildPreparedBatch } from './prepared-batch.js';
import { packBatch } from './packed-batch.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import { spanIdOf, testSpan, traceIdOf } from './test-spans.js';
import { UnindexedBatches } from './unindexed-batches.js';

const packed = (spans: Parameters<typeof buildPreparedBatch>[0]) => packBatch(buildPreparedBatch(spans));

const spansOf = (trace: number, ...ids: number[]) => ids.map((id) => testSpan({ traceId: traceIdOf(trace), spanId: spanIdOf(id) }));
const idsIn = (chunks: Uint8Array[]) => chunks.flatMap((c) => parseSpanChunk(c).map((s) => s.spanId));

describe('UnindexedBatches', () => {
  it("keeps each trace's chunks of the waiting batches, oldest first, until their batch is indexed", () => {
    let emptied = 0;
    const waiting = new UnindexedBatches(() => emptied++);
    const first = packed([...spansOf(1, 1, 2), ...spansOf(2, 3)]);
    const a = waiting.add(first);
    // The batch moves on to the writer thread: what is kept must not depend on its buffers.
    first.data.fill(0);
    const b = waiting.add(packed(spansOf(1, 4)));
    expect(waiting.spans).toBe(4);
    expect(idsIn(waiting.chunksOf(traceIdOf(1)))).toEqual([1, 2, 4].map(spanIdOf));
    waiting.remove(a);
    expect(idsIn(waiting.chunksOf(traceIdOf(1)))).toEqual([spanIdOf(4)]);
    expect(waiting.chunksOf(traceIdOf(2))).toEqual([]);
    expect(emptied).toBe(0);
    waiting.remove(b);
    expect(waiting.spans).toBe(0);
    expect(emptied).toBe(1);
    expect(waiting.chunksOf(traceIdOf(1))).toEqual([]);
  });

  it('lets a writer wait until the backlog is below a limit', async () => {
    const waiting = new UnindexedBatches();
    const a = waiting.add(packed(spansOf(1, 1, 2, 3)));
    const b = waiting.add(packed(spansOf(2, 4, 5)));
    let released = false;
    const wait = waiting.below(3).then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    waiting.remove(b);
    await Promise.resolve();
    expect(released).toBe(false);
    waiting.remove(a);
    await wait;
    expect(released).toBe(true);
    await waiting.below(1);
  });
});
