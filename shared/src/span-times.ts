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
