import { describe, expect, it } from 'vitest';
import { DARK_BACKGROUND, LIGHT_BACKGROUND, MIN_CONTRAST, SERVICE_PALETTE, contrastRatio, hashName, serviceColor, solvePalette } from './service-colors';

describe('service colours', () => {
  it('is deterministic per name', () => {
    expect(serviceColor('checkout')).toEqual(serviceColor('checkout'));
    expect(hashName('checkout')).toBe(hashName('checkout'));
  });

  it('spreads common service names over the palette', () => {
    const names = ['api', 'auth', 'cart', 'checkout', 'db', 'frontend', 'gateway', 'inventory', 'payments', 'search', 'shipping', 'users'];
    // 12 names in 16 buckets: about 8.6 distinct on average; a clumping hash would give far fewer.
    expect(new Set(names.map((n) => serviceColor(n).light)).size).toBeGreaterThanOrEqual(7);
  });

  it('keeps every colour readable on both themes', () => {
    for (const color of SERVICE_PALETTE) {
      expect(contrastRatio(color.light, LIGHT_BACKGROUND)).toBeGreaterThanOrEqual(MIN_CONTRAST.light);
      expect(contrastRatio(color.dark, DARK_BACKGROUND)).toBeGreaterThanOrEqual(MIN_CONTRAST.dark);
      expect(color.light).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it('holds the palette solved from its hues (written out, not solved as the app loads)', () => {
    expect(SERVICE_PALETTE).toEqual(solvePalette());
  });

  it('has no duplicate entries', () => {
    expect(new Set(SERVICE_PALETTE.map((c) => c.light)).size).toBe(SERVICE_PALETTE.length);
  });

  it('computes WCAG contrast', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
  });
});
