/** Self time per leaf function (the "top" frames of a flame graph), largest first. */
export function leafSelfTimes(stacks: ReadonlyArray<{ frames: readonly string[]; value: number }>): Array<{ frame: string; value: number }> {
  const byLeaf = new Map<string, number>();
  for (const s of stacks) {
    const leaf = s.frames[s.frames.length - 1];
    if (leaf !== undefined) byLeaf.set(leaf, (byLeaf.get(leaf) ?? 0) + s.value);
  }
  return [...byLeaf].map(([frame, value]) => ({ frame, value })).sort((a, b) => b.value - a.value);
}
