/** Seeded random numbers for the sketch tests, so a failure can be replayed. */

/** mulberry32: small, fast, and plenty for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whole-nanosecond durations whose logarithm is normal (Box–Muller), as latencies tend to be. */
export function logNormalDurations(random: () => number, n: number, medianNs: number, sigma: number): number[] {
  return Array.from({ length: n }, () => {
    const u = 1 - random();
    const v = random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(1, Math.round(medianNs * Math.exp(sigma * z)));
  });
}
