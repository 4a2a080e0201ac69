import type { ProfileStacks } from '../../store/profile-store.js';

/** `all` minus `part` per stack: the samples of the other spans (stacks left at zero dropped). */
export function subtractStacks(all: ProfileStacks, part: ProfileStacks): ProfileStacks {
  const key = (frames: readonly string[]) => frames.join('\u0000');
  const partByStack = new Map(part.stacks.map((s) => [key(s.frames), s.value]));
  const stacks = all.stacks
    .map((s) => ({ frames: s.frames, value: s.value - (partByStack.get(key(s.frames)) ?? 0) }))
    .filter((s) => s.value > 0);
  return { unit: all.unit || part.unit, total: Math.max(0, all.total - part.total), stacks };
}
