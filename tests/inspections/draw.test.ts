import { describe, expect, it } from 'vitest';
import { RandomStream, runDraw, seedOf, targetCount, type DrawInput, type PoolOfficer, type PoolSource } from '../../src/inspections/draw.js';

const seed = seedOf(['ab'.repeat(32), 'cd'.repeat(32)]);
const src = (n: number, cls: PoolSource['class'] = 'key', side: PoolSource['side'] = 'region'): PoolSource[] =>
  Array.from({ length: n }, (_, i) => ({ id: `s${String(i).padStart(3, '0')}`, class: cls, side }));
const off = (n: number, side: PoolOfficer['side'] = 'region', over: Partial<PoolOfficer> = {}, prefix = side[0]): PoolOfficer[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, side, active: true, certificateValidUntil: '2030-01-01', ...over }));
const input = (over: Omit<Partial<DrawInput>, 'pools'> & { pools?: Partial<DrawInput['pools']> } = {}): DrawInput => ({
  planId: 'p',
  inspectionDate: '2026-04-01',
  ratios: { key: 1, special: 1, general: 1 },
  inspectorsPerTarget: 2,
  mode: 'same_side',
  planSide: 'region',
  parties: ['a', 'b'],
  ...over,
  pools: { sources: src(3), officers: off(4), conflicts: [], previousPairs: [], ...over.pools },
});
const failure = (i: DrawInput) => {
  const r = runDraw(i, seed);
  if (r.ok) throw new Error('expected the draw to fail');
  return r.failure;
};

describe('the draw (src/inspections/draw.ts)', () => {
  it('rounds each class’s count up without floating-point surprises', () => {
    expect([targetCount(0.1, 30), targetCount(0.05, 20_000), targetCount(0.34, 3), targetCount(0.25, 1), targetCount(0, 50), targetCount(1, 7)]).toEqual([
      3, 1000, 2, 1, 0, 7,
    ]);
  });

  it('names the constraint that left a slot without an officer', () => {
    expect(failure(input({ pools: { officers: [] } })).constraint).toBe('pool_empty');
    expect(failure(input({ pools: { officers: off(4, 'region', { active: false }) } })).constraint).toBe('active');
    expect(failure(input({ pools: { officers: off(4, 'region', { certificateValidUntil: '2026-03-31' }) } })).constraint).toBe('certificate');
    expect(
      failure(
        input({
          pools: {
            sources: src(1),
            officers: off(2),
            conflicts: [
              { inspectorId: 'r0', sourceId: 's000' },
              { inspectorId: 'r1', sourceId: 's000' },
            ],
          },
        }),
      ).constraint,
    ).toBe('conflict');
    expect(
      failure(
        input({
          pools: {
            sources: src(1),
            officers: off(2),
            previousPairs: [
              { inspectorId: 'r0', sourceId: 's000' },
              { inspectorId: 'r1', sourceId: 's000' },
            ],
          },
        }),
      ).constraint,
    ).toBe('rotation');
    expect(failure(input({ mode: 'cross', pools: { officers: off(4, 'region') } })).constraint).toBe('side_rule');
    const d = failure(input({ inspectorsPerTarget: 3, pools: { officers: off(2) } }));
    expect(d).toMatchObject({ constraint: 'distinct', slot: 2 });
    // A certificate valid exactly on the inspection date is valid.
    expect(runDraw(input({ pools: { officers: off(2, 'region', { certificateValidUntil: '2026-04-01' }) } }), seed).ok).toBe(true);
  });

  it('spreads the load evenly (loads differ by at most one) and respects the side rules', () => {
    const officers = [...off(37, 'region'), ...off(41, 'corps')];
    const sources = [...src(120, 'key', 'region'), ...src(90, 'general', 'corps').map((s) => ({ ...s, id: `c${s.id}` }))];
    for (const mode of ['same_side', 'cross', 'joint'] as const) {
      const r = runDraw(input({ mode, pools: { sources, officers } }), seed);
      if (!r.ok) throw new Error(r.failure.detail);
      expect(r.targets).toHaveLength(210);
      const side = new Map(officers.map((o) => [o.id, o.side]));
      const srcSide = new Map(sources.map((s) => [s.id, s.side]));
      for (const t of r.targets) {
        const sides = t.officers.map((o) => side.get(o));
        if (mode === 'same_side') expect(sides.every((s) => s === srcSide.get(t.sourceId))).toBe(true);
        if (mode === 'cross') expect(sides.every((s) => s !== srcSide.get(t.sourceId))).toBe(true);
        if (mode === 'joint') expect(new Set(sides).size).toBe(2);
      }
      // Per side, the officers who could serve these targets carry loads within one of each other.
      for (const s of ['region', 'corps']) {
        const load = new Map(officers.filter((o) => o.side === s).map((o) => [o.id, 0]));
        for (const t of r.targets) for (const o of t.officers) if (load.has(o)) load.set(o, load.get(o)! + 1);
        const v = [...load.values()];
        expect(Math.max(...v) - Math.min(...v)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('the random stream is uniform enough and reproducible per label', () => {
    const key = Buffer.from(seed, 'hex');
    const a = new RandomStream(key, 'x');
    const b = new RandomStream(key, 'x');
    const counts = [0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 7000; i++) {
      const v = a.int(7);
      expect(b.int(7)).toBe(v);
      counts[v]++;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(new RandomStream(key, 'y').int(1_000_000)).not.toBe(new RandomStream(key, 'x').int(1_000_000));
  });
});
