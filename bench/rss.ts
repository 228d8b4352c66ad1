/**
 * Memory after many creates (issue 16): the intake app in this process (embedded mode, workers
 * on), autocannon in a child process sending the spread workload in three rounds of
 * INTAKE_RSS_ROUND creates (default 50,000); after each round the heap is collected and RSS and
 * heap read. The target is no growth between the second and the third round: whatever a create
 * leaves in memory (caches, timers, closures) must be bounded. Part of the `intake` bench.
 */
import { fork } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { count } from 'drizzle-orm';
import { complaints } from '../src/intake/tables.js';
import type { BenchCtx, Row } from './support.js';

const ROUND = Number(process.env.INTAKE_RSS_ROUND ?? 50_000);
const ROUNDS = 3;
const MiB = 2 ** 20;

if (process.argv[2] === '--child') {
  const { default: autocannon } = await import('autocannon');
  const { requests } = await import('./intake.js');
  const [url, token, amount, offset] = process.argv.slice(3);
  const gen = requests('spread', token, Number(offset));
  const r = await autocannon({
    url,
    connections: 50,
    amount: Number(amount),
    requests: [{ method: 'POST', path: '/v1/complaints', setupRequest: gen.setupRequest }],
  });
  process.send!({ rps: Math.round(r.requests.average), non2xx: r.non2xx + r.errors });
  process.exit(0);
}

function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function runRssBench(ctx: BenchCtx): Promise<Row[]> {
  const { startApp } = await import('./intake.js');
  const { app, url, token } = await startApp('embedded');
  const rows: Row[] = [];
  try {
    collect();
    const start = process.memoryUsage();
    rows.push({
      bench: 'intake',
      variant: 'memory: started, demo data, nothing created',
      creates: 0,
      'RSS MiB': Math.round(start.rss / MiB),
      'heap MiB': Math.round(start.heapUsed / MiB),
    });
    const after: { rss: number; heap: number }[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const child = fork(new URL(import.meta.url).pathname, ['--child', url, token, String(ROUND), String((i - 1) * ROUND)], { execArgv: ['--import', 'tsx'] });
      const res = (await new Promise((r) => child.on('message', r))) as { rps: number; non2xx: number };
      await app.runtime.settle(120_000);
      collect();
      const m = process.memoryUsage();
      after.push({ rss: m.rss / MiB, heap: m.heapUsed / MiB });
      const created = app.deps.db.select({ n: count() }).from(complaints).get()!.n;
      rows.push({
        bench: 'intake',
        variant: `memory after round ${i} of ${ROUND.toLocaleString('en')} creates (embedded)`,
        creates: created,
        'req/s': res.rps,
        non2xx: res.non2xx,
        'RSS MiB': Math.round(m.rss / MiB),
        'heap MiB': Math.round(m.heapUsed / MiB),
      });
    }
    const growth = after[2].rss - after[1].rss;
    const heapGrowth = after[2].heap - after[1].heap;
    ctx.target({
      figure: `RSS after ${(2 * ROUND).toLocaleString('en')} creates; growth between the 2nd and 3rd ${ROUND.toLocaleString('en')}`,
      baseline: `${Math.round(start.rss / MiB)} MiB at start`,
      measured: `${Math.round(after[1].rss)} MiB; then ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB RSS, ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)} MiB heap`,
      target: 'reported; no growth (heap within ±2 MiB, RSS within 5 %)',
      met: Math.abs(heapGrowth) <= 2 && growth <= 0.05 * after[1].rss,
    });
  } finally {
    await app.close();
  }
  return rows;
}
