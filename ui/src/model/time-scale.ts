/** Linear time scales and "nice" tick positions for the ruler, minimap and scatter plot. */
import { NS_PER_MS, NS_PER_S, NS_PER_US } from './duration';

export interface TimeScale {
  readonly start: number;
  readonly end: number;
  /** 0 at `start`, 1 at `end`; not clamped. */
  fraction(t: number): number;
  /** The inverse of `fraction`. */
  at(fraction: number): number;
}

export function createTimeScale(start: number, end: number): TimeScale {
  // A zero-length domain (one instant span) still needs a usable scale.
  const span = end > start ? end - start : 1;
  return {
    start,
    end,
    fraction: (t) => (t - start) / span,
    at: (f) => start + f * span,
  };
}

/** The smallest 1, 2 or 5 × 10^k step that splits `range` into at most `maxTicks` parts. */
export function niceStep(range: number, maxTicks: number): number {
  if (!(range > 0) || maxTicks < 1) return 1;
  const raw = range / maxTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

/** Multiples of a nice step within [start, end], inclusive. */
export function buildTicks(start: number, end: number, maxTicks: number): { step: number; values: number[] } {
  const step = niceStep(end - start, maxTicks);
  const values: number[] = [];
  // Index-based so that floating-point error cannot accumulate across ticks; `+ 0` turns -0 into 0.
  for (let k = Math.ceil(start / step - 1e-9); k * step <= end + step * 1e-9; k++) values.push(k * step + 0);
  return { step, values };
}

function unitFor(ns: number): [number, string] {
  const magnitude = Math.abs(ns);
  if (magnitude >= NS_PER_S) return [NS_PER_S, 's'];
  if (magnitude >= NS_PER_MS) return [NS_PER_MS, 'ms'];
  if (magnitude >= NS_PER_US) return [NS_PER_US, 'µs'];
  return [1, 'ns'];
}

/** A tick label precise enough to tell neighbours `step` apart: `1.25s`, `500ms`, `0`. */
export function formatTick(value: number, step: number): string {
  if (Math.abs(value) < step * 1e-6) return '0';
  const [unit, suffix] = unitFor(value);
  const decimals = Math.min(6, Math.max(0, Math.ceil(Math.log10(unit / step) - 1e-9)));
  return `${Number((value / unit).toFixed(decimals))}${suffix}`;
}

const WALL_CLOCK_STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/**
 * Wall-clock ticks (Unix ms) on round local times: every 5 minutes, every hour, …
 * `utcOffsetMs` is the local zone's offset (UTC+2 → 7_200_000) so hour ticks land on local hours.
 */
export function buildWallClockTicks(
  startMs: number,
  endMs: number,
  maxTicks: number,
  utcOffsetMs: number,
): { step: number; values: number[] } {
  const range = Math.max(endMs - startMs, 1);
  const step = WALL_CLOCK_STEPS_MS.find((s) => range / s <= maxTicks) ?? niceStep(range, maxTicks);
  const values: number[] = [];
  for (let k = Math.ceil((startMs + utcOffsetMs) / step); k * step - utcOffsetMs <= endMs; k++) {
    values.push(k * step - utcOffsetMs);
  }
  return { step, values };
}
