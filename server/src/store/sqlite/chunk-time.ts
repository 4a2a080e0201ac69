/** Tag postings are bucketed by the hour of a chunk's earliest span start. */
export const HOUR_NS = 3_600_000_000_000n;

/** The hours a search window [startNs, endNs] must look at: a chunk is filed under its earliest start, which may precede the window's span by up to an hour. */
export function postingHours(startNs: bigint, endNs: bigint): { from: number; to: number } {
  return { from: Math.max(0, Number(startNs / HOUR_NS) - 1), to: Number(endNs / HOUR_NS) };
}
