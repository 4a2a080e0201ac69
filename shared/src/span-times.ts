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
