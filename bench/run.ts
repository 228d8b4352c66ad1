import { writeFileSync } from 'node:fs';
import { machine, table, targetTable, type BenchCtx, type Row, type Target } from './support.js';
import { bareInsert } from './baseline.js';

/**
 * `npm run bench`: every figure beside a baseline measured in the same run. Writes
 * bench/results/latest.md; BENCHMARKS.md records a run with its machine and command.
 * BENCH_SECONDS shortens the HTTP load runs (default 10 s each).
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

type Bench = { name: string; run: (ctx: BenchCtx) => Promise<Row[]> };
const benches: Bench[] = [];
const optional = async (path: string) => {
  try {
    const m = (await import(path)) as { bench?: Bench; benches?: Bench[] };
    benches.push(...(m.benches ?? (m.bench ? [m.bench] : [])));
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
  }
};
await optional('./resolve.js');
await optional('./intake.js');
await optional('./routing.js');
await optional('./events.js');
await optional('./cases.js');
await optional('./inspections.js');
await optional('./export.js');
await optional('./air.js');
await optional('./stats.js');
await optional('./areas.js');
await optional('./rss.js');

let bareRps: number | undefined;
let bareP99 = NaN;
const bare = async () => {
  if (bareRps === undefined) {
    const b = await bareInsert(seconds);
    bareRps = b.rps;
    bareP99 = b.p99;
    allRows.push({ bench: 'baseline', variant: 'bare Fastify + SQLite insert', 'req/s': b.rps, 'p50 ms': b.p50, 'p99 ms': b.p99, non2xx: b.non2xx });
  }
  return bareRps;
};

const allRows: Row[] = [];
const targets: Target[] = [];
const target = (t: Target) => targets.push(t);
for (const b of benches) {
  if (!want(b.name)) continue;
  console.error(`running ${b.name}…`);
  const rows = await b.run({ seconds, bare, bareP99: () => bareP99, target });
  allRows.push(...rows);
  // Each bench's rows as soon as it ends (a long run cut short keeps what it measured).
  console.error(table(rows));
}
if (want('baseline')) await bare();

const out = `Machine: ${machine()}\nCommand: npm run bench${only.length ? ' -- ' + only.join(' ') : ''} (BENCH_SECONDS=${seconds})\nDate: ${new Date().toISOString()}\n\n${table(allRows)}\n${targets.length ? `\n## Targets\n\n${targetTable(targets)}\n` : ''}`;
console.log(out);
try {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/latest.md', import.meta.url), out);
} catch {
  // results folder is a convenience only
}
process.exit(0);
