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
  private parts: Array<{ traceNum: bigint; data: Uint8Array }> = [];
  private size = 0;

  constructor(
    private readonly storeBlock: (data: Uint8Array) => number,
    private readonly placeChunk: (placement: ChunkPlacement) => void,
  ) {}

  add(traceNum: bigint, data: Uint8Array): void {
    this.parts.push({ traceNum, data });
    this.size += data.length;
    if (this.size >= BLOCK_BYTES) this.flush();
  }

  finish(): void {
    if (this.parts.length > 0) this.flush();
  }

  private flush(): void {
    const blockId = this.storeBlock(Buffer.concat(this.parts.map((p) => p.data)));
    let offset = 0;
    for (const { traceNum, data } of this.parts) {
      this.placeChunk({ traceNum, blockId, offset, length: data.length });
      offset += data.length;
    }
    this.parts = [];
    this.size = 0;
  }
}
