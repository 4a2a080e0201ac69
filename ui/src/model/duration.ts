/** Human durations: formatting for display and parsing of Go-style strings (`120ms`, `1.5s`, `1m30s`). */

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;
export const NS_PER_MIN = 60 * NS_PER_S;
export const NS_PER_HOUR = 60 * NS_PER_MIN;

/** Three significant digits with trailing zeros dropped: 1.5, 12.3, 120. */
function sig3(value: number): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

/**
 * A compact duration: `850ns`, `12.3µs`, `120ms`, `1.5s`, `2m 3s`, `1h 2m`.
 * Values that would round up to the next unit (999.7ms) are shown in that unit.
 */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 0) return `-${formatDuration(-ns)}`;
  if (ns < 999.5) return `${Math.round(ns)}ns`;
  if (ns < 999.5 * NS_PER_US) return `${sig3(ns / NS_PER_US)}µs`;
  if (ns < 999.5 * NS_PER_MS) return `${sig3(ns / NS_PER_MS)}ms`;
  if (ns < 59.95 * NS_PER_S) return `${sig3(ns / NS_PER_S)}s`;
  if (ns < NS_PER_HOUR) {
    const totalSeconds = Math.round(ns / NS_PER_S);
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    if (m === 60) return '1h';
    return s === 0 ? `${m}m` : `${m}m ${s}s`;
  }
  const totalMinutes = Math.round(ns / NS_PER_MIN);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return m === 0 ? `${h}h` : `${h}h ${m}m`;
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: NS_PER_US,
  'µs': NS_PER_US,
  'μs': NS_PER_US,
  ms: NS_PER_MS,
  s: NS_PER_S,
  m: NS_PER_MIN,
  h: NS_PER_HOUR,
};

export class DurationParseError extends Error {
  constructor(readonly input: string) {
    super(`not a duration: "${input}" (use e.g. 120ms, 1.5s, 2m)`);
    this.name = 'DurationParseError';
  }
}

/** Parses a Go-style duration (`120ms`, `1.5s`, `1m30s`, `250us`) to nanoseconds. */
export function parseDuration(input: string): number {
  const text = input.trim();
  if (text === '') throw new DurationParseError(input);
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  while (part.lastIndex < text.length) {
    const match = part.exec(text);
    if (!match) throw new DurationParseError(input);
    total += Number(match[1]) * UNIT_NS[match[2]!]!;
  }
  return Math.round(total);
}

/** True when `input` is empty or a valid duration; for form validation. */
export function isDurationOrEmpty(input: string): boolean {
  if (input.trim() === '') return true;
  try {
    parseDuration(input);
    return true;
  } catch {
    return false;
  }
}
