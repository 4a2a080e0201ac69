/** Exact Go duration strings for the API's `minDuration`/`maxDuration` (a bucket edge must not be rounded). */

const UNITS: ReadonlyArray<readonly [bigint, string]> = [
  [1_000_000_000n, 's'],
  [1_000_000n, 'ms'],
  [1_000n, 'us'],
];

/** The shortest exact form: `0s`, `50ms`, `1.5s` is written `1500ms`, `12345ns`. */
export function toGoDuration(ns: bigint | string | number): string {
  const value = BigInt(ns);
  if (value === 0n) return '0s';
  for (const [unit, suffix] of UNITS) if (value % unit === 0n) return `${value / unit}${suffix}`;
  return `${value}ns`;
}
