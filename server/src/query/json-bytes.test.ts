import { describe, expect, it } from 'vitest';
import { seededRandom } from '../test-support/seeded-random.js';
import { JsonBytes } from './json-bytes.js';

function written(write: (out: JsonBytes) => void): string {
  const out = new JsonBytes(4);
  write(out);
  return out.take().toString('utf8');
}

describe('JsonBytes', () => {
  it('writes safe integers as JSON.stringify does', () => {
    const random = seededRandom(3);
    const values = [0, 1, 9, 10, 99, 100, 12_345_678, 99_999_999, 100_000_000, 100_000_001, 1_000_000_007, -1, -10, -100_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 2_000; i++) values.push(Math.floor((random() - 0.5) * 2 * 10 ** Math.floor(random() * 16)));
    for (const n of values) expect(written((out) => out.int(n))).toBe(JSON.stringify(n));
  });

  it('writes UTF-8 bytes as the JSON string of what they decode to, invalid sequences and escapes included', () => {
    const samples = [
      Buffer.from('plain ascii /path?x=1'),
      Buffer.from('quote " backslash \\ newline \n tab \t nul \u0000 del \u007f'),
      Buffer.from('é 日本 😀 \u2028'),
      Buffer.from([0x61, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f]),
      Buffer.alloc(0),
    ];
    for (const bytes of samples) {
      const padded = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
      expect(written((out) => out.utf8String(padded, 2, bytes.length))).toBe(JSON.stringify(bytes.toString('utf8')));
    }
  });

  it('hands out each piece on its own and starts the next empty, growing as needed', () => {
    const out = new JsonBytes(2);
    out.ascii('first piece');
    const first = out.take();
    out.text('"ü"');
    expect(first.toString()).toBe('first piece');
    expect(out.take().toString()).toBe('"ü"');
    expect(out.take().length).toBe(0);
  });
});
