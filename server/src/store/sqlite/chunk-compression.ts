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

export function inflateChunk(data: Uint8Array): Uint8Array {
  return inflateRawSync(data);
}
