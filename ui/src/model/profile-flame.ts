/**
 * pprof stacks as a flame graph (icicle: callers above callees, width = share of the
 * samples), and as a differential one: widths from one side, colours from how much more
 * (or less) of its samples each frame has than on the other side.
 */

export interface StackSample {
  readonly frames: readonly string[];
  readonly value: number;
}

export interface ProfileBox {
  name: string;
  depth: number;
  /** 0…1 across the graph. */
  left: number;
  width: number;
  /** Samples in this frame and below, and in the frame itself. */
  value: number;
  self: number;
  /**
   * Differential graphs only: this frame's share of the shown side minus its share of
   * the baseline, in -1…1 (positive: the shown side spends more here).
   */
  delta?: number;
}

export interface ProfileFlame {
  boxes: ProfileBox[];
  lanes: number;
  total: number;
  /** Frames narrower than the minimum width, left out. */
  hidden: number;
}

interface Node {
  name: string;
  value: number;
  self: number;
  base: number;
  children: Map<string, Node>;
}

const node = (name: string): Node => ({ name, value: 0, self: 0, base: 0, children: new Map() });

function buildTree(stacks: readonly StackSample[]): Node {
  const root = node('all');
  for (const { frames, value } of stacks) {
    root.value += value;
    let at = root;
    for (const frame of frames) {
      let child = at.children.get(frame);
      if (!child) at.children.set(frame, (child = node(frame)));
      child.value += value;
      at = child;
    }
    at.self += value;
  }
  return root;
}

/** Adds the baseline's values along the paths the tree already has (frames only the baseline has are not drawn). */
function addBaseline(root: Node, baseline: readonly StackSample[]): number {
  let total = 0;
  for (const { frames, value } of baseline) {
    total += value;
    root.base += value;
    let at: Node | undefined = root;
    for (const frame of frames) {
      at = at.children.get(frame);
      if (!at) break;
      at.base += value;
    }
  }
  return total;
}

/**
 * Lays the stacks out: children in name order under their parent (as pprof draws them,
 * so two graphs of the same code line up), frames narrower than `minWidth` left out.
 * With a baseline, every box gets its `delta`.
 */
export function buildProfileFlame(stacks: readonly StackSample[], minWidth = 0, baseline?: readonly StackSample[]): ProfileFlame {
  const root = buildTree(stacks);
  const baseTotal = baseline ? addBaseline(root, baseline) : 0;
  const total = root.value;
  const boxes: ProfileBox[] = [];
  let hidden = 0;
  let lanes = 0;
  if (total <= 0) return { boxes, lanes, total, hidden };
  const visit = (n: Node, depth: number, left: number) => {
    const width = n.value / total;
    if (width < minWidth) {
      hidden++;
      return;
    }
    const box: ProfileBox = { name: n.name, depth, left, width, value: n.value, self: n.self };
    if (baseline) box.delta = width - (baseTotal > 0 ? n.base / baseTotal : 0);
    boxes.push(box);
    lanes = Math.max(lanes, depth + 1);
    let x = left;
    for (const child of [...n.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      visit(child, depth + 1, x);
      x += child.value / total;
    }
  };
  visit(root, 0, 0);
  return { boxes, lanes, total, hidden };
}

/** Functions by self time (the graph's bottom edges), largest first. */
export function topFunctions(stacks: readonly StackSample[], limit: number): Array<{ name: string; self: number }> {
  const self = new Map<string, number>();
  for (const { frames, value } of stacks) {
    const leaf = frames[frames.length - 1];
    if (leaf !== undefined) self.set(leaf, (self.get(leaf) ?? 0) + value);
  }
  return [...self]
    .map(([name, value]) => ({ name, self: value }))
    .sort((a, b) => b.self - a.self || (a.name < b.name ? -1 : 1))
    .slice(0, limit);
}
