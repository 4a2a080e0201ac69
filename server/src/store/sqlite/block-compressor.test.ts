import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { InlineBlockCompressor, ThreadBlockCompressor, type BlockCompressor } from './block-compressor.js';
import { compressChunk } from './chunk-compression.js';

/** Blocks of different sizes and contents, some as big as a real one (~64 KiB). */
function blocks(count: number, seed: number): Uint8Array[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  return Array.from({ length: count }, (_, i) => {
    const data = new Uint8Array(1 + (next() % (i % 3 === 0 ? 70_000 : 3_000)));
    // Half repetitive, half noise: brotli's output depends on both.
    for (let k = 0; k < data.length; k++) data[k] = k % 2 === 0 ? k % 13 : next() % 256;
    return data;
  });
}

const expected = (data: Uint8Array[], firstId: number) => data.map((d, i) => ({ blockId: firstId + i, data: Buffer.from(compressChunk(d)) }));
const asBuffers = (got: Array<{ blockId: number; data: Uint8Array }>) => got.map((b) => ({ blockId: b.blockId, data: Buffer.from(b.data) }));

/** A helper that takes its setup and then never answers, or exits at once. */
const silentHelper = () => new Worker(`require('node:worker_threads').parentPort.once('message', () => setInterval(() => {}, 1000))`, { eval: true });
const exitingHelper = () => new Worker(`process.exit(3)`, { eval: true });

const open: BlockCompressor[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
function threadCompressor(...args: ConstructorParameters<typeof ThreadBlockCompressor>): ThreadBlockCompressor {
  const c = new ThreadBlockCompressor(...args);
  open.push(c);
  return c;
}

describe('InlineBlockCompressor', () => {
  it('gives back each block compressed as compressChunk does, in order, and nothing after a discard', () => {
    const c = new InlineBlockCompressor();
    const data = blocks(5, 1);
    data.forEach((d, i) => c.submit(10 + i, d));
    expect(asBuffers(c.collect())).toEqual(expected(data, 10));
    expect(c.collect()).toEqual([]);
    c.submit(1, data[0]!);
    c.discard();
    expect(c.collect()).toEqual([]);
  });
});

describe('ThreadBlockCompressor', () => {
  it('gives back the same bytes as compressChunk, in submission order, write after write', () => {
    const c = threadCompressor();
    for (let write = 0; write < 4; write++) {
      const data = blocks(12, write + 1);
      // A block far over the usual size (a trace bigger than a block) as well.
      if (write === 2) data.splice(5, 0, ...blocks(2, 11).map((b) => new Uint8Array(3 * 1024 * 1024).fill(b[0]!)));
      data.forEach((d, i) => c.submit(100 * write + i, d));
      expect(asBuffers(c.collect())).toEqual(expected(data, 100 * write));
    }
  });

  it('drops a discarded write, whose results may still come back during the next one', () => {
    const c = threadCompressor();
    const dropped = blocks(8, 7);
    dropped.forEach((d, i) => c.submit(i, d));
    c.discard();
    const kept = blocks(3, 9);
    kept.forEach((d, i) => c.submit(50 + i, d));
    expect(asBuffers(c.collect())).toEqual(expected(kept, 50));
  });

  it('compresses on the calling thread once a helper stops answering, and reports it once', () => {
    const lost: string[] = [];
    const c = threadCompressor((reason) => lost.push(reason), { waitMs: 200, spawn: silentHelper });
    const data = blocks(3, 3);
    data.forEach((d, i) => c.submit(i + 1, d));
    expect(asBuffers(c.collect())).toEqual(expected(data, 1));
    expect(lost).toEqual(['no compressed block came back in 200 ms']);
    // No second wait: later writes are compressed here at once.
    const started = performance.now();
    const more = blocks(2, 4);
    more.forEach((d, i) => c.submit(i + 7, d));
    expect(asBuffers(c.collect())).toEqual(expected(more, 7));
    expect(performance.now() - started).toBeLessThan(200);
    expect(lost).toHaveLength(1);
  });

  it('notices a helper that exited between writes and does not wait for it', async () => {
    const lost: string[] = [];
    const c = threadCompressor((reason) => lost.push(reason), { waitMs: 60_000, spawn: exitingHelper });
    await expect.poll(() => lost).toEqual(['the helper exited with code 3']);
    const data = blocks(2, 5);
    data.forEach((d, i) => c.submit(i + 1, d));
    expect(asBuffers(c.collect())).toEqual(expected(data, 1));
  });
});
