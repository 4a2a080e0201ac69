/** Latency-shaped test data for the sketch tests. */

/** Whole-nanosecond durations whose logarithm is normal (Box–Muller), as latencies tend to be. */
export function logNormalDurations(random: () => number, n: number, medianNs: number, sigma: number): number[] {
  return Array.from({ length: n }, () => {
    const u = 1 - random();
    const v = random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(1, Math.round(medianNs * Math.exp(sigma * z)));
  });
}
