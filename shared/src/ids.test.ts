import { describe, expect, it } from 'vitest';
import { isHexId, isValidSpanId, isValidTraceId, isZeroId } from './ids.js';

describe('IDs', () => {
  it('are lowercase hex of the exact length', () => {
    expect(isHexId('0123456789abcdef', 16)).toBe(true);
    expect(isHexId('0123456789abcdeF', 16)).toBe(false);
    expect(isHexId('0123456789abcdeg', 16)).toBe(false);
    expect(isHexId('0123456789abcde/', 16)).toBe(false);
    expect(isHexId('0123456789abcde:', 16)).toBe(false);
    expect(isHexId('0123456789abcde`', 16)).toBe(false);
    expect(isHexId('0123456789abcdef0', 16)).toBe(false);
    expect(isHexId('', 0)).toBe(true);
    expect(isHexId('０123456789abcdef', 16)).toBe(false);
  });

  it('must not be all zeros', () => {
    expect(isZeroId('0000')).toBe(true);
    expect(isZeroId('0001')).toBe(false);
    expect(isValidTraceId('0'.repeat(32))).toBe(false);
    expect(isValidTraceId(`${'0'.repeat(31)}1`)).toBe(true);
    expect(isValidSpanId('0'.repeat(16))).toBe(false);
    expect(isValidSpanId('00f067aa0ba902b7')).toBe(true);
  });
});
