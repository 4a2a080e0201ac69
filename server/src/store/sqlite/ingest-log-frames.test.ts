import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, frameHeader, parseFrames } from './ingest-log-frames.js';

const frame = (payload: Uint8Array) => Buffer.concat([frameHeader(payload), payload]);
const bytes = (...values: number[]) => Uint8Array.from(values);

describe('ingest log frames', () => {
  it('reads back every appended payload in order, including an empty one', () => {
    const payloads = [bytes(1, 2, 3), bytes(), Buffer.from('a longer payload of text')];
    const parsed = parseFrames(Buffer.concat(payloads.map(frame)));
    expect(parsed.payloads.map((p) => Buffer.from(p).toString('hex'))).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
    expect(parsed.validBytes).toBe(payloads.reduce((n, p) => n + FRAME_HEADER_BYTES + p.byteLength, 0));
  });

  it('stops before a torn last frame, at any cut', () => {
    const whole = frame(bytes(9, 8, 7, 6, 5));
    const first = frame(bytes(1));
    for (let cut = 1; cut < whole.length; cut++) {
      const parsed = parseFrames(Buffer.concat([first, whole.subarray(0, cut)]));
      expect(parsed.payloads).toHaveLength(1);
      expect(parsed.validBytes).toBe(first.length);
    }
  });

  it('stops at a frame whose bytes do not match its checksum, or whose header is not a frame', () => {
    const good = frame(bytes(1, 2));
    const corrupt = frame(bytes(3, 4));
    corrupt[corrupt.length - 1] = corrupt[corrupt.length - 1]! ^ 0xff;
    expect(parseFrames(Buffer.concat([good, corrupt, frame(bytes(5))])).payloads).toHaveLength(1);
    expect(parseFrames(Buffer.concat([good, Buffer.alloc(64)])).validBytes).toBe(good.length);
    // A length beyond the end is torn, not a reason to read past the buffer.
    const huge = frame(bytes(1));
    huge.writeUInt32LE(0xffffffff, 4);
    expect(parseFrames(huge).payloads).toEqual([]);
  });
});
