/**
 * The log-latency axis of the histogram and heatmap. The server's latency buckets are
 * runs of log-scale sketch buckets, so drawing each as one equal band *is* a log axis;
 * positions are in band units (bucket k covers [k, k+1)), log-interpolated inside a bucket.
 * Durations are numbers of nanoseconds: exact below 2^53 ns (104 days).
 */

/** Whole nanoseconds, both ends included; a zero-duration bucket is [0, 0]. */
export interface LatencyBucket {
  readonly lowNs: number;
  readonly highNs: number;
}

/** Where `ns` lies on the band axis, or null when no bucket holds it. */
export function bandPosition(buckets: readonly LatencyBucket[], ns: number): number | null {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const bucket = buckets[mid]!;
    if (ns < bucket.lowNs) hi = mid - 1;
    else if (ns > bucket.highNs) lo = mid + 1;
    else {
      if (bucket.lowNs === bucket.highNs || bucket.lowNs <= 0) return mid + 0.5;
      return mid + Math.log(ns / bucket.lowNs) / Math.log((bucket.highNs + 1) / bucket.lowNs);
    }
  }
  return null;
}

/**
 * Whole band indices [first, last] covered by the fractions [f0, f1] of an axis of `count`
 * bands (either order, clamped). A click (f0 = f1) picks the band under it.
 */
export function bandIndexRange(f0: number, f1: number, count: number): [number, number] {
  const clamp = (f: number): number => Math.min(1, Math.max(0, f));
  const lo = clamp(Math.min(f0, f1));
  const hi = clamp(Math.max(f0, f1));
  const first = Math.min(count - 1, Math.max(0, Math.floor(lo * count)));
  const last = Math.min(count - 1, Math.max(first, Math.ceil(hi * count) - 1));
  return [first, last];
}

export interface LatencyTick {
  /** Band units. */
  readonly position: number;
  readonly ns: number;
  readonly label: string;
}

const TICK_UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

/** `150ms`, `1.5s`, `100s` (seconds stay seconds on a latency axis). */
export function formatLatencyTick(ns: number): string {
  if (ns === 0) return '0';
  const [unit, suffix] = TICK_UNITS.find(([u]) => ns >= u) ?? TICK_UNITS[TICK_UNITS.length - 1]!;
  return `${Number((ns / unit).toPrecision(3))}${suffix}`;
}

/** Multipliers per decade, densest last. */
const TICK_FACTORS: ReadonlyArray<readonly number[]> = [[1], [1, 2, 5], [1, 1.5, 2, 3, 5, 7]];

/**
 * Round durations that fall in a bucket, as many as fit in `maxTicks` (decades, then
 * 1-2-5, then 1-1.5-2-3-5-7 steps; every other decade when even decades crowd), and `0`
 * for a zero bucket.
 */
export function buildLatencyTicks(buckets: readonly LatencyBucket[], maxTicks: number): LatencyTick[] {
  const ticks: LatencyTick[] = [];
  if (buckets.length === 0) return ticks;
  if (buckets[0]!.highNs === 0) ticks.push({ position: 0.5, ns: 0, label: '0' });
  const positive = buckets.filter((b) => b.highNs > 0);
  if (positive.length === 0) return ticks;
  const min = Math.max(1, positive[0]!.lowNs);
  const max = positive[positive.length - 1]!.highNs;
  const firstDecade = Math.floor(Math.log10(min));
  const lastDecade = Math.ceil(Math.log10(max));
  const candidates = (factors: readonly number[], everyDecades: number): number[] => {
    const values: number[] = [];
    for (let d = firstDecade; d <= lastDecade; d++) {
      if ((d - firstDecade) % everyDecades !== 0) continue;
      for (const f of factors) {
        const v = Math.round(f * 10 ** d);
        if (v >= min && v <= max) values.push(v);
      }
    }
    return values;
  };
  const room = Math.max(1, maxTicks - ticks.length);
  let values: number[] = [];
  for (const factors of TICK_FACTORS) {
    const dense = candidates(factors, 1);
    if (dense.length > room) break;
    values = dense;
  }
  for (let every = 2; values.length === 0 || values.length > room; every++) {
    values = candidates([1], every);
    if (values.length <= room || every > lastDecade - firstDecade) break;
  }
  for (const ns of values.slice(0, room)) {
    const position = bandPosition(buckets, ns);
    if (position !== null) ticks.push({ position, ns, label: formatLatencyTick(ns) });
  }
  return ticks;
}
