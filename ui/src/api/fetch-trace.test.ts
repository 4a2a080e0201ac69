import { afterEach, describe, expect, it, vi } from 'vitest';
import { PAGE_DECODE_BYTES, pageDecodeBytes } from './fetch-trace';

describe('pageDecodeBytes', () => {
  afterEach(() => vi.unstubAllGlobals());

  const stored = (value: string | null) => vi.stubGlobal('localStorage', { getItem: (key: string) => (key === 'threadline.traceWorkerBytes' ? value : null) });

  it('is PAGE_DECODE_BYTES unless a whole number of bytes is stored', () => {
    stored(null);
    expect(pageDecodeBytes()).toBe(PAGE_DECODE_BYTES);
    for (const bad of ['', 'lots', '-1', '1.5', '1e400']) {
      stored(bad);
      expect(pageDecodeBytes()).toBe(PAGE_DECODE_BYTES);
    }
    stored('2097152');
    expect(pageDecodeBytes()).toBe(2_097_152);
    stored('0');
    expect(pageDecodeBytes()).toBe(0);
  });

  it('is PAGE_DECODE_BYTES where storage cannot be read', () => {
    vi.stubGlobal('localStorage', { getItem: () => { throw new Error('denied'); } });
    expect(pageDecodeBytes()).toBe(PAGE_DECODE_BYTES);
  });
});
