import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Chunks are raw deflate at level 1: on OTLP protobuf chunks it came within a few percent
 * of level 6 (the repetition is in attribute keys and resource text, which any level
 * finds) at a fraction of the CPU. Small chunks get a small window: setting up zlib's
 * state, not compressing, is most of the cost for them.
 */
export function compressChunk(data: Uint8Array): Uint8Array {
  return deflateRawSync(data, { level: 1, windowBits: data.length <= 4096 ? 12 : 15, memLevel: data.length <= 4096 ? 5 : 8 });
}

/** zlib's own output size: what it inflates into, a buffer at a time, before joining them. */
const ZLIB_CHUNK_BYTES = 16 * 1024;

/**
 * `atLeast`: bytes the block is known to hold (where a chunk read from it ends). Inflated
 * into one buffer of that size when the block ends there, as a big chunk's block does (a
 * block is closed by the chunk that fills it): zlib's 16 KiB buffers and their joined copy
 * were twice the block's size in short-lived native memory.
 */
export function inflateChunk(data: Uint8Array, atLeast = 0): Uint8Array {
  return inflateRawSync(data, { chunkSize: Math.max(ZLIB_CHUNK_BYTES, atLeast) });
}
