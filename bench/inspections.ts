import { inputHash, runDraw, seedOf, verifyDrawRecord, type DrawInput, type DrawRecord, type PoolOfficer, type PoolSource } from '../src/inspections/draw.js';
import { commitmentOf } from '../src/inspections/draw.js';
import { quantile, rng, table, type Row } from './support.js';

/**
 * inspections: the random-inspection draw (src/inspections/draw.ts) over 20,000 sources and 2,000
 * officers of both sides — the same pure function the service runs at the last reveal and
 * `draw verify` re-runs — beside a plain Fisher–Yates shuffle of the same two pools with a fast
 * PRNG, in the same run. Ratios as in shared/domain.md §4 (key 25 %, special 15 %, general 5 %),
 * 2 officers per target; 5 % of officers inactive, 5 % with an expired certificate, 2,000
 * declared conflicts, and the previous plan's pairs (its own draw) for rotation. Median of
 * BENCH_INSPECTION_RUNS runs after one warm-up; heap Δ is the largest growth of the used heap
 * over one run after a GC (run with `node --expose-gc`, as `npm run bench` does not: then Δ
 * includes garbage not yet collected).
 */
const N_SOURCES = Number(process.env.BENCH_INSPECTION_SOURCES ?? 20_000);
const N_OFFICERS = Number(process.env.BENCH_INSPECTION_OFFICERS ?? 2_000);
const RUNS = Number(process.env.BENCH_INSPECTION_RUNS ?? 7);

function pools(mode: DrawInput['mode']): DrawInput {
  const r = rng(13);
  const sources: PoolSource[] = [];
  for (let i = 0; i < N_SOURCES; i++) {
    const x = r();
    sources.push({ id: `src-${String(i).padStart(6, '0')}`, class: x < 0.1 ? 'key' : x < 0.2 ? 'special' : 'general', side: r() < 0.6 ? 'region' : 'corps' });
  }
  const officers: PoolOfficer[] = [];
  for (let i = 0; i < N_OFFICERS; i++)
    officers.push({
      id: `insp-${String(i).padStart(5, '0')}`,
      side: i % 2 ? 'corps' : 'region',
      active: r() >= 0.05,
      certificateValidUntil: r() < 0.05 ? '2026-01-31' : '2028-12-31',
    });
  const conflicts = Array.from({ length: 2_000 }, () => ({
    inspectorId: officers[Math.floor(r() * N_OFFICERS)].id,
    sourceId: sources[Math.floor(r() * N_SOURCES)].id,
  }));
  const dedup = [...new Map(conflicts.map((c) => [`${c.inspectorId}|${c.sourceId}`, c])).values()];
  return {
    planId: 'bench-plan',
    inspectionDate: '2026-04-01',
    ratios: { key: 0.25, special: 0.15, general: 0.05 },
    inspectorsPerTarget: 2,
    mode,
    planSide: 'region',
    parties: ['650000', 'XPCC'],
    pools: { sources, officers, conflicts: dedup, previousPairs: [] },
  };
}

const secrets = ['11'.repeat(32), '22'.repeat(32)];
const seed = seedOf(secrets);

/** A plain shuffle of both pools (Fisher–Yates, mulberry32), no rules: the floor any draw pays. */
function plainShuffle(input: DrawInput) {
  const r = rng(7);
  const a = input.pools.sources.map((s) => s.id);
  const b = input.pools.officers.map((o) => o.id);
  for (const arr of [a, b])
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const x = arr[i];
      arr[i] = arr[j];
      arr[j] = x;
    }
  return a.length + b.length;
}

function time(fn: () => unknown): { ms: number[]; heapMiB: number } {
  const ms: number[] = [];
  let peak = 0;
  fn(); // warm-up (JIT), not counted
  for (let i = 0; i < RUNS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
    peak = Math.max(peak, process.memoryUsage().heapUsed - before);
  }
  return { ms: ms.sort((x, y) => x - y), heapMiB: peak / 2 ** 20 };
}

export async function runInspectionsBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const base = pools('same_side');
  const shuffle = time(() => plainShuffle(base));
  const row = (variant: string, m: { ms: number[]; heapMiB: number }, extra: Record<string, number | string> = {}): Row => ({
    bench: 'inspections',
    variant,
    'median ms': quantile(m.ms, 0.5),
    'max ms': m.ms[m.ms.length - 1],
    'heap Δ MiB': m.heapMiB,
    'vs shuffle': quantile(m.ms, 0.5) / quantile(shuffle.ms, 0.5),
    ...extra,
  });
  rows.push(row(`baseline: plain shuffle of the same pools (${N_SOURCES} + ${N_OFFICERS} ids)`, shuffle));
  for (const mode of ['same_side', 'cross', 'joint'] as const) {
    const input = pools(mode);
    // The previous plan's pairs: its own draw with another seed (rotation).
    const prev = runDraw(input, seedOf(['33'.repeat(32), '44'.repeat(32)]));
    if (prev.ok) input.pools.previousPairs = prev.targets.flatMap((t) => t.officers.map((o) => ({ inspectorId: o, sourceId: t.sourceId })));
    let targets = 0;
    const m = time(() => {
      const out = runDraw(input, seed);
      if (!out.ok) throw new Error(out.failure.detail);
      targets = out.targets.length;
    });
    rows.push(row(`draw, ${mode} (${N_SOURCES} sources, ${N_OFFICERS} officers)`, m, { targets }));
  }
  const input = base;
  const out = runDraw(input, seed);
  if (!out.ok) throw new Error('draw failed');
  const record: DrawRecord = {
    input,
    inputHash: inputHash(input),
    commitments: input.parties.map((a, i) => ({ agencyCode: a, commitment: commitmentOf(secrets[i]), secret: secrets[i] })),
    seed,
    result: { status: 'drawn', targets: out.targets },
  };
  rows.push(
    row(
      'input hash at freeze (canonical JSON + SHA-256)',
      time(() => inputHash(input)),
    ),
  );
  const text = JSON.stringify(record);
  rows.push(
    row(
      `draw verify of the published record (${(text.length / 2 ** 20).toFixed(1)} MiB JSON, parse included)`,
      time(() => verifyDrawRecord(JSON.parse(text))),
    ),
  );
  console.log(table(rows));
  return rows;
}

export const bench = { name: 'inspections', run: async () => runInspectionsBench() };

if (import.meta.url === `file://${process.argv[1]}`) {
  await runInspectionsBench();
  process.exit(0);
}
