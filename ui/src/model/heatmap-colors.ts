/**
 * Cell colours of the latency heatmap: lightness says how many spans (log scale, so a
 * few outliers stay visible next to thousands of fast calls); hue says whether any
 * failed: blue without errors, violet with a few, red when all did. The canvas paints
 * without CSS, so each theme has its own ramp, readable on that theme's background.
 */
/** The theme a colour is for (the canvas cannot use CSS light-dark()). */
export type ThemeName = 'light' | 'dark';

const NO_ERROR_HUE = 215;
const ALL_ERROR_HUE = 355;
/** Even one failed span moves the hue this far, so it stands out from error-free cells. */
const MIN_ERROR_SHIFT = 0.35;

const RAMP: Record<ThemeName, { faint: number; strong: number; saturation: number }> = {
  light: { faint: 88, strong: 32, saturation: 72 },
  dark: { faint: 24, strong: 72, saturation: 80 },
};

/** 0 for an empty cell, up to 1 for the fullest. */
export function countIntensity(count: number, maxCount: number): number {
  if (count <= 0 || maxCount <= 0) return 0;
  if (maxCount === 1) return 1;
  return Math.log1p(count) / Math.log1p(maxCount);
}

export function cellHue(count: number, errorCount: number): number {
  if (count <= 0 || errorCount <= 0) return NO_ERROR_HUE;
  const share = Math.min(1, errorCount / count);
  return NO_ERROR_HUE + (ALL_ERROR_HUE - NO_ERROR_HUE) * (MIN_ERROR_SHIFT + (1 - MIN_ERROR_SHIFT) * share);
}

/** An `hsl()` colour, or null for an empty cell (left as background). */
export function cellColor(count: number, errorCount: number, maxCount: number, theme: ThemeName): string | null {
  if (count <= 0) return null;
  const ramp = RAMP[theme];
  const t = countIntensity(count, maxCount);
  const lightness = ramp.faint + (ramp.strong - ramp.faint) * t;
  return `hsl(${cellHue(count, errorCount).toFixed(1)} ${ramp.saturation}% ${lightness.toFixed(1)}%)`;
}
