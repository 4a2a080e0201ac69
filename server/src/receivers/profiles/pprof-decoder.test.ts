import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cpuProfile } from '../../../../test/support/pprof-payloads.js';
import { parsePprof, PprofDecodeError, PprofTooLargeError, PPROF_LIMITS } from './pprof-decoder.js';

const labels = { spanId: '00f067aa0ba902b7', spanName: 'GET /x', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' };

describe('parsePprof', () => {
  const profile = cpuProfile(1_000n, 10_000_000_000n, [
    { stack: ['main', 'hot'], cpuNs: 30, labels },
    { stack: ['main', 'hot'], cpuNs: 20, labels },
    { stack: ['main', 'hot'], cpuNs: 5 },
  ]);

  it('sums CPU time per span label and stack, frames root first', () => {
    const decoded = parsePprof(profile, 1 << 20);
    expect(decoded).toMatchObject({ kind: 'cpu', unit: 'nanoseconds', startNs: 1_000n, durationNs: 10_000_000_000n });
    expect(decoded.samples).toEqual([
      { ...labels, frames: ['main', 'hot'], value: 50 },
      { spanId: '', spanName: '', traceId: '', frames: ['main', 'hot'], value: 5 },
    ]);
  });

  it('detects gzip by its magic bytes, whatever the headers said', () => {
    expect(parsePprof(gzipSync(profile), 1 << 20).samples).toHaveLength(2);
  });

  it('takes the kind from X-Profile-Type when pprof cannot tell (mutex vs block)', () => {
    expect(parsePprof(profile, 1 << 20, 'mutex').kind).toBe('mutex');
    expect(parsePprof(profile, 1 << 20, 'bogus').kind).toBe('cpu');
  });

  it('refuses truncated, corrupt and oversized input with typed errors', () => {
    expect(() => parsePprof(profile.subarray(0, profile.length - 3), 1 << 20)).toThrow(PprofDecodeError);
    expect(() => parsePprof(new Uint8Array([0x1f, 0x8b, 0, 0]), 1 << 20)).toThrow(PprofDecodeError);
    expect(() => parsePprof(gzipSync(Buffer.alloc(4096)), 1024)).toThrow(PprofTooLargeError);
    expect(() => parsePprof(new Uint8Array([0x07]), 1 << 20)).toThrow(PprofDecodeError);
    expect(() => parsePprof(new Uint8Array(), 1 << 20)).toThrow('no sample type');
  });

  it('caps the distinct stacks of one upload', () => {
    const many = cpuProfile(0n, 1n, Array.from({ length: PPROF_LIMITS.maxRows + 1 }, (_, i) => ({ stack: [`f${i}`], cpuNs: 1 })));
    expect(() => parsePprof(many, 1 << 30)).toThrow(PprofTooLargeError);
  });
});
