/** Self time: a span's duration minus the union of its children's intervals (clipped to the span). */

export function selfTime(start: number, end: number, children: ReadonlyArray<readonly [number, number]>): number {
  const clipped = children
    .map(([s, e]) => [Math.max(s, start), Math.min(e, end)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let runStart = 0;
  let runEnd = 0;
  let open = false;
  for (const [s, e] of clipped) {
    if (open && s <= runEnd) {
      runEnd = Math.max(runEnd, e);
      continue;
    }
    if (open) covered += runEnd - runStart;
    runStart = s;
    runEnd = e;
    open = true;
  }
  if (open) covered += runEnd - runStart;
  return Math.max(0, end - start - covered);
}
