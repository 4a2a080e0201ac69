/**
 * A deterministic colour per service name, the same on every page and every
 * machine. Each palette entry has a light- and a dark-theme variant whose
 * lightness is solved for contrast against that theme's background, so bars and
 * swatches stay visible in both. Reds are left out: red means "error".
 */

export interface ServiceColor {
  readonly light: string;
  readonly dark: string;
}

export const LIGHT_BACKGROUND = '#ffffff';
export const DARK_BACKGROUND = '#15171c';
/** The error colour of each theme (global.css `--tl-error`), for code that paints without CSS. */
export const ERROR_COLOR: ServiceColor = { light: '#c62828', dark: '#ff6b6b' };
/**
 * WCAG's minimum for graphical objects is 3:1; a little margin keeps thin bars
 * legible. On the dark background the floor is higher because dim, barely
 * compliant shades read as muddy there.
 */
export const MIN_CONTRAST = { light: 3.2, dark: 5 } as const;

/**
 * Hue and saturation of each entry; lightness is solved per theme. Hues are
 * spaced by how distinct they look, not evenly (greens look alike over a wide
 * range), and the last four are muted variants for more distinct entries.
 */
const BASES: ReadonlyArray<readonly [hue: number, saturation: number]> = [
  [215, 75], [28, 85], [172, 70], [275, 60], [120, 55], [325, 65], [45, 90], [245, 55],
  [192, 80], [300, 50], [78, 60], [205, 35], [20, 40], [225, 25], [290, 30], [150, 30],
];

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const sat = s / 100;
  const light = l / 100;
  const a = sat * Math.min(light, 1 - light);
  const channel = (n: number): number => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (light - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}

function toHex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

function parseHex(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number): number => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two `#rrggbb` colours. */
export function contrastRatio(a: string, b: string): number {
  return luminanceRatio(luminance(parseHex(a)), luminance(parseHex(b)));
}

function luminanceRatio(la: number, lb: number): number {
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * The shade closest to the middle that still meets MIN_CONTRAST: the lightest one
 * on a light background, the darkest one on a dark background, so colours stay vivid.
 * Compared as luminances (no text per candidate).
 */
function solveShade(hue: number, saturation: number, background: string, onLight: boolean): string {
  const minContrast = onLight ? MIN_CONTRAST.light : MIN_CONTRAST.dark;
  const lb = luminance(parseHex(background));
  for (let l = 5; l <= 95; l++) {
    const candidate = hslToRgb(hue, saturation, onLight ? 100 - l : l);
    if (luminanceRatio(luminance(candidate), lb) >= minContrast) return toHex(candidate);
  }
  return toHex(hslToRgb(hue, saturation, onLight ? 5 : 95));
}

/** The palette solved from BASES: what SERVICE_PALETTE holds (checked by its test). */
export function solvePalette(): ServiceColor[] {
  return BASES.map(([hue, saturation]) => ({
    light: solveShade(hue, saturation, LIGHT_BACKGROUND, true),
    dark: solveShade(hue, saturation, DARK_BACKGROUND, false),
  }));
}

/**
 * solvePalette's answer, written out: solving it as the app loaded took 37 ms of the trace
 * page's main thread per load in CPU profiles of page loads (sampled every 0.2 ms, which slows
 * it; the code runs once, so it is never compiled).
 */
export const SERVICE_PALETTE: readonly ServiceColor[] = [
  { light: '#518fe6', dark: '#4889e5' },
  { light: '#de7112', dark: '#d46c11' },
  { light: '#1ca08f', dark: '#1b9887' },
  { light: '#b174dc', dark: '#ac6cda' },
  { light: '#2fa22f', dark: '#2e9e2e' },
  { light: '#de63ab', dark: '#db57a4' },
  { light: '#b38909', dark: '#ae8509' },
  { light: '#8c84db', dark: '#847dd9' },
  { light: '#159bbc', dark: '#1497b8' },
  { light: '#cd6acd', dark: '#c95ec9' },
  { light: '#789b27', dark: '#729325' },
  { light: '#6493b4', dark: '#5d8eb1' },
  { light: '#bc8062', dark: '#b97a5b' },
  { light: '#838fb4', dark: '#7987af' },
  { light: '#af7eb9', dark: '#ab77b6' },
  { light: '#549c78', dark: '#509573' },
];

/**
 * FNV-1a, 32 bit, stable across runs and platforms, with murmur3's finaliser so
 * that the low bits (all a small palette index uses) depend on every character.
 */
export function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export function serviceColor(service: string): ServiceColor {
  return SERVICE_PALETTE[hashName(service) % SERVICE_PALETTE.length]!;
}
