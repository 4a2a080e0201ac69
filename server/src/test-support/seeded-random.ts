/**
 * Seeded random numbers for tests, fuzz loops and generators: a failing case replays
 * from its seed. mulberry32 — small, fast, and plenty for test data.
 */
export function seededUint32s(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Floats in [0, 1) from the same sequence. */
export function seededRandom(seed: number): () => number {
  const next = seededUint32s(seed);
  return () => next() / 4294967296;
}
