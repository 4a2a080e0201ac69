/**
 * Unix-nanosecond timestamps arrive as decimal strings because they exceed 2^53.
 * The UI keeps them exact as bigint only long enough to subtract a trace's base
 * time; offsets within one trace fit a double exactly (2^53 ns is 104 days).
 */

import { exactNanosSince, type NanosBase } from '@threadline/shared';

const DECIMAL = /^\d+$/;

export function isDecimalNanos(value: string): boolean {
  return DECIMAL.test(value);
}

export function toBigNanos(value: string): bigint {
  return BigInt(value);
}

/** `Number(BigInt(value) - base.nanos)`, the same number, without bigints in the common case (exactNanosSince). */
export function nanosSince(value: string, base: NanosBase): number {
  return exactNanosSince(value, base) ?? Number(BigInt(value) - base.nanos);
}

/** Unix milliseconds (for Date), dropping sub-millisecond precision. */
export function nanosToMillis(value: string | bigint): number {
  return Number(BigInt(value) / 1_000_000n);
}

export function millisToNanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

/** Microseconds (Jaeger's unit) to a nanosecond decimal string. */
export function microsToNanos(us: number): string {
  return (BigInt(Math.round(us)) * 1_000n).toString();
}
