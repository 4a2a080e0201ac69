import type { Span } from './span-model.js';

/** The earliest start of `spans` in Unix ns (0 for none): the base that trace-relative offsets count from. */
export function earliestStartNanos(spans: readonly Pick<Span, 'startTimeUnixNano'>[]): bigint {
  let min: bigint | null = null;
  for (const span of spans) {
    const start = BigInt(span.startTimeUnixNano);
    if (min === null || start < min) min = start;
  }
  return min ?? 0n;
}

/**
 * Orders two Unix-ns decimal strings without parsing them (no leading zeros, as every
 * receiver writes them): the longer is later, else text order.
 */
export function compareDecimalNanos(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A base time for exactNanosSince: the bigint, and its whole seconds and nanoseconds as exact doubles. */
export interface NanosBase {
  readonly nanos: bigint;
  readonly seconds: number;
  readonly fraction: number;
}

export function nanosBase(nanos: bigint): NanosBase {
  return { nanos, seconds: Number(nanos / 1_000_000_000n), fraction: Number(nanos % 1_000_000_000n) };
}

/** Below this many seconds (104 days), a difference in whole seconds times 10^9 plus the nanoseconds stays under 2^53. */
const EXACT_SECONDS = 9_000_000;

/**
 * `BigInt(value) - base` as a number, exactly, without making bigints: the decimal text is
 * split into seconds and nanoseconds, each exact as a double, and their differences give the
 * offset. Undefined when that cannot be exact (offsets beyond 104 days, text that is not a
 * plain decimal): the caller then takes the bigint way. Parsing bigints for every span's
 * times was a fifth of building a 100k-span trace's tree and a good part of encoding it.
 */
export function exactNanosSince(value: string, base: NanosBase): number | undefined {
  if (value.length <= 9 || value.length > 20) return undefined;
  const seconds = Number(value.slice(0, -9)) - base.seconds;
  const fraction = Number(value.slice(-9)) - base.fraction;
  return Math.abs(seconds) < EXACT_SECONDS && Number.isInteger(seconds) && Number.isInteger(fraction) ? seconds * 1e9 + fraction : undefined;
}
