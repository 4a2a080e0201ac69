import { crc32 } from 'node:zlib';

/**
 * Framing of the ingest log files: each appended batch is `magic, length, crc32` (three
 * little-endian uint32) followed by its bytes. A process killed mid-append leaves a torn
 * last frame; reading stops at the first frame that does not check out, which can only be
 * one that was never acknowledged (appends are sequential, and a failed append moves on
 * to a new file).
 */
export const FRAME_MAGIC = 0x31474c54; // "TLG1"
export const FRAME_HEADER_BYTES = 12;

export function frameHeader(payload: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32LE(FRAME_MAGIC, 0);
  header.writeUInt32LE(payload.byteLength, 4);
  header.writeUInt32LE(crc32(payload), 8);
  return header;
}

export interface ParsedFrames {
  /** Views into the input, in append order. */
  payloads: Uint8Array[];
  /** Bytes of the input that hold whole, valid frames; anything after is a torn append. */
  validBytes: number;
}

export function parseFrames(data: Uint8Array): ParsedFrames {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const payloads: Uint8Array[] = [];
  let at = 0;
  while (at + FRAME_HEADER_BYTES <= data.byteLength) {
    if (view.getUint32(at, true) !== FRAME_MAGIC) break;
    const length = view.getUint32(at + 4, true);
    const start = at + FRAME_HEADER_BYTES;
    if (length > data.byteLength - start) break;
    const payload = data.subarray(start, start + length);
    if (crc32(payload) !== view.getUint32(at + 8, true)) break;
    payloads.push(payload);
    at = start + length;
  }
  return { payloads, validBytes: at };
}
