import { describe, expect, it } from 'vitest';
import { buildProfileFlame, topFunctions } from './profile-flame';

const stacks = [
  { frames: ['main', 'handle', 'hotLoop'], value: 60 },
  { frames: ['main', 'handle', 'encode'], value: 30 },
  { frames: ['main', 'gc'], value: 10 },
];

describe('buildProfileFlame', () => {
  it('merges stacks into boxes sized by their share, callers above callees, children in name order', () => {
    const flame = buildProfileFlame(stacks);
    expect(flame.total).toBe(100);
    expect(flame.lanes).toBe(4);
    const byName = new Map(flame.boxes.map((b) => [b.name, b]));
    expect(byName.get('all')).toMatchObject({ depth: 0, left: 0, width: 1 });
    expect(byName.get('handle')).toMatchObject({ depth: 2, left: 0.1, width: 0.9, self: 0 });
    expect(byName.get('gc')).toMatchObject({ depth: 2, left: 0, width: 0.1, self: 10 });
    // encode sorts before hotLoop.
    expect(byName.get('encode')!.left).toBeCloseTo(0.1);
    expect(byName.get('hotLoop')!.left).toBeCloseTo(0.4);
    expect(byName.get('hotLoop')!.width).toBeCloseTo(0.6);
  });

  it('leaves out frames narrower than the minimum and counts them', () => {
    const flame = buildProfileFlame(stacks, 0.2);
    expect(flame.boxes.map((b) => b.name)).not.toContain('gc');
    expect(flame.hidden).toBe(1);
  });

  it('gives each frame of a differential graph its share minus the baseline share', () => {
    const rest = [
      { frames: ['main', 'handle', 'hotLoop'], value: 10 },
      { frames: ['main', 'handle', 'encode'], value: 90 },
    ];
    const byName = new Map(buildProfileFlame(stacks, 0, rest).boxes.map((b) => [b.name, b]));
    expect(byName.get('hotLoop')!.delta).toBeCloseTo(0.6 - 0.1);
    expect(byName.get('encode')!.delta).toBeCloseTo(0.3 - 0.9);
    expect(byName.get('gc')!.delta).toBeCloseTo(0.1);
    expect(byName.get('all')!.delta).toBeCloseTo(0);
  });

  it('draws nothing for no samples', () => {
    expect(buildProfileFlame([])).toEqual({ boxes: [], lanes: 0, total: 0, hidden: 0 });
  });
});

describe('topFunctions', () => {
  it('ranks leaf functions by self time', () => {
    expect(topFunctions([...stacks, { frames: ['main', 'x', 'hotLoop'], value: 5 }], 2)).toEqual([
      { name: 'hotLoop', self: 65 },
      { name: 'encode', self: 30 },
    ]);
  });
});
