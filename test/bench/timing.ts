/** Timing statistics for the benchmark: nearest-rank percentiles of wall-clock samples. */

export interface Timing {
  reps: number;
  medianMs: number;
  p95Ms: number;
  /** With 30 samples, the largest: nearest rank. */
  p99Ms: number;
  maxMs: number;
}

function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

export function summarize(samplesMs: readonly number[]): Timing {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { reps: sorted.length, medianMs: nearestRank(sorted, 0.5), p95Ms: nearestRank(sorted, 0.95), p99Ms: nearestRank(sorted, 0.99), maxMs: sorted.at(-1)! };
}

export const fmtMs = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US'));
export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
