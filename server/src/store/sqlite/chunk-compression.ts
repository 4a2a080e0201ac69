import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';

/**
 * The first byte of a brotli block. Blocks written before migration 008 are raw deflate,
 * whose first byte can never be this one: its bits 1–2 would be deflate's reserved block
 * type 3. So both kinds are told apart by that byte alone, with no column or rewrite.
 */
const BROTLI_BLOCK = 0x07;

/**
 * Blocks are brotli at quality 1 with a 128 KiB window (a block is ~64 KiB of span
 * chunks). On the benchmark fleet's blocks it compressed 1.8× faster than raw deflate at
 * level 1 (the previous codec) and 5% smaller. It inflates slower (~600 MB/s against
 * ~850): a 70 KiB block takes ~0.04 ms more to read, which get-trace pays once or twice.
 * Quality 0 was faster still but 3% larger than deflate; a 64 KiB window lost the 5%, a
 * bigger one bought nothing (test/bench/block-codec-cost.ts; docs/benchmarks.md, "Fifth round").
 */
export function compressChunk(data: Uint8Array): Uint8Array {
  const packed = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      [constants.BROTLI_PARAM_LGWIN]: 17,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const block = new Uint8Array(packed.length + 1);
  block[0] = BROTLI_BLOCK;
  block.set(packed, 1);
  return block;
}

/** zlib's own output size: what it inflates into, a buffer at a time, before joining them. */
const ZLIB_CHUNK_BYTES = 16 * 1024;

/**
 * A block's bytes, from either codec. `atLeast`: bytes the block is known to hold (where a
 * chunk read from it ends). Inflated into one buffer of that size when the block ends
 * there, as a big chunk's block does (a block is closed by the chunk that fills it): zlib's
 * 16 KiB buffers and their joined copy were twice the block's size in short-lived native memory.
 */
export function inflateChunk(data: Uint8Array, atLeast = 0): Uint8Array {
  const chunkSize = Math.max(ZLIB_CHUNK_BYTES, atLeast);
  if (data[0] === BROTLI_BLOCK) return brotliDecompressSync(data.subarray(1), { chunkSize });
  return inflateRawSync(data, { chunkSize });
}
