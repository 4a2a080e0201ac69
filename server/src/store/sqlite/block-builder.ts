/** Raw bytes per block before compression: big enough to compress well, small enough to inflate in well under a millisecond. */
export const BLOCK_BYTES = 64 * 1024;

export interface ChunkPlacement {
  traceNum: bigint;
  blockId: number;
  offset: number;
  length: number;
}

/**
 * Packs the chunks of one write into blocks of about BLOCK_BYTES, so that compression
 * sees many traces' spans at once (resources, scopes and keys repeat across traces) and
 * runs once per block instead of once per small chunk. Each chunk is then placed by
 * (block, offset, length) in the block's uncompressed bytes.
 */
export class BlockBuilder {
  private chunks: Array<{ traceNum: bigint; parts: readonly Uint8Array[]; length: number }> = [];
  private size = 0;

  constructor(
    private readonly storeBlock: (data: Uint8Array) => number,
    private readonly placeChunk: (placement: ChunkPlacement) => void,
  ) {}

  /** One chunk, whose bytes may come in several parts (placed back to back). */
  add(traceNum: bigint, parts: readonly Uint8Array[]): void {
    let length = 0;
    for (const part of parts) length += part.length;
    this.chunks.push({ traceNum, parts, length });
    this.size += length;
    if (this.size >= BLOCK_BYTES) this.flush();
  }

  finish(): void {
    if (this.chunks.length > 0) this.flush();
  }

  private flush(): void {
    const block = new Uint8Array(this.size);
    let offset = 0;
    for (const { parts } of this.chunks) {
      for (const part of parts) {
        block.set(part, offset);
        offset += part.length;
      }
    }
    const blockId = this.storeBlock(block);
    offset = 0;
    for (const { traceNum, length } of this.chunks) {
      this.placeChunk({ traceNum, blockId, offset, length });
      offset += length;
    }
    this.chunks = [];
    this.size = 0;
  }
}
