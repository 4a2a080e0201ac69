import { describe, expect, it } from 'vitest';
import { cellColor, cellHue, countIntensity } from './heatmap-colors';

const lightness = (color: string | null): number => Number(/ (\d+(?:\.\d+)?)%\)$/.exec(color ?? '')?.[1]);

describe('heatmap colours', () => {
  it('leaves empty cells to the background', () => {
    expect(cellColor(0, 0, 10, 'light')).toBeNull();
    expect(countIntensity(0, 10)).toBe(0);
  });

  it('grows more intense with the count on a log scale', () => {
    expect(countIntensity(10, 10)).toBe(1);
    expect(countIntensity(1, 1)).toBe(1);
    // One span among cells of a thousand is still clearly visible.
    expect(countIntensity(1, 1000)).toBeGreaterThan(0.09);
    // Darker with more spans on light, lighter on dark.
    expect(lightness(cellColor(100, 0, 100, 'light'))).toBeLessThan(lightness(cellColor(1, 0, 100, 'light')));
    expect(lightness(cellColor(100, 0, 100, 'dark'))).toBeGreaterThan(lightness(cellColor(1, 0, 100, 'dark')));
  });

  it('turns from blue towards red with the share of failed spans, visibly even for one', () => {
    expect(cellHue(10, 0)).toBe(215);
    expect(cellHue(10, 10)).toBe(355);
    expect(cellHue(1000, 1) - cellHue(1000, 0)).toBeGreaterThan(45);
    expect(cellHue(10, 5)).toBeGreaterThan(cellHue(10, 1));
  });
});
