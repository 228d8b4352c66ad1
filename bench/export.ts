import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { inTx } from '../src/db/client.js';
import { createKey, type NewKey } from '../src/auth/keys.js';
import { systemClock } from '../src/clock.js';
import { csvLine } from '../src/http/csv.js';
import { CASE_CSV } from '../src/cases/views.js';
import { loadCases } from './cases.js';
import { tmpDb, type Row } from './support.js';

/**
 * export: GET /v1/cases?format=csv over real HTTP on 127.0.0.1 at BENCH_EXPORT_CASES cases
 * (default 1,000,000, bulk-loaded by bench/cases.ts's loader), read to the end by a client that
 * only counts bytes and rows. Reports rows/s and the process's peak RSS while exporting (sampled
 * every 20 ms; server and client share the process, the client holds nothing). Baseline in the
 * same run on the same database: one `SELECT * FROM cases` iterated through better-sqlite3 and
 * formatted with the same CSV writer into a counting sink — the cost of the rows themselves,
 * without the API's visibility, views or HTTP.
 */
const MiB = 2 ** 20;
const gc = () => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

async function download(base: string, path: string, key: string): Promise<{ rows: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode}`));
      let rows = 0;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Rows end in CRLF; quoted newlines inside cells are LF only in this data.
        for (let i = chunk.indexOf(13); i !== -1; i = chunk.indexOf(13, i + 1)) rows++;
      });
      res.on('end', () => resolve({ rows: rows - 1, bytes, ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function runExportBench(): Promise<Row[]> {
  const n = Number(process.env.BENCH_EXPORT_CASES ?? 1_000_000);
  const app = await buildApp(loadConfig({ DATABASE_PATH: tmpDb('export'), SEED_DEMO: 'true', LOG_LEVEL: 'silent' }));
  await app.ready();
  const sqlite = app.deps.db.$client;
  const mk = (k: NewKey) => inTx(app.deps.db, (tx) => createKey(tx, systemClock, { name: 'bench export', ...k }).key);
  const admin = mk({ role: 'admin' });
  const top = mk({ role: 'supervisor', agencyCode: '650000', side: 'region' });
  console.error(`export: loading ${n.toLocaleString('en')} cases…`);
  loadCases(sqlite, n);
  gc();
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const rows: Row[] = [];

  // Baseline: the rows straight from SQLite through the same CSV writer.
  {
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    let count = 0;
    let bytes = 0;
    // The same columns as the export (co-handling agencies and the overdue flag are derived in the API; here plain columns stand in).
    const sql =
      'SELECT number, title, category, side, lead_agency_code, lead_team_id, NULL, joint, address, lat, lng, source_id, party_name, origin_kind, status, registered_at, decision_due_at, overdue_at, decided_at, closed_at, updated_at, id FROM cases';
    for (const r of sqlite.prepare(sql).raw().iterate() as Iterable<unknown[]>) {
      bytes += csvLine(r).length;
      count++;
    }
    if (CASE_CSV.length !== 22) throw new Error('export bench: the baseline columns no longer match CASE_CSV');
    const ms = performance.now() - t0;
    rows.push({
      bench: 'export',
      variant: 'baseline: SELECT of the same columns → same CSV writer (no HTTP, no visibility)',
      rows: count,
      'rows/s': Math.round(count / (ms / 1000)),
      'MiB/s': bytes / MiB / (ms / 1000),
      'RSS before MiB': Math.round(rss0 / MiB),
      'peak RSS MiB': Math.round(process.memoryUsage().rss / MiB),
    });
  }

  for (const [label, key] of [
    ['admin (every case)', admin],
    ['supervisor 650000 (region: visibility applied)', top],
  ] as const) {
    gc();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const r = await download(base, '/v1/cases?format=csv', key);
    clearInterval(timer);
    rows.push({
      bench: 'export',
      variant: `GET /v1/cases?format=csv, ${label}`,
      rows: r.rows,
      'rows/s': Math.round(r.rows / (r.ms / 1000)),
      'MiB/s': r.bytes / MiB / (r.ms / 1000),
      'RSS before MiB': Math.round(rss0 / MiB),
      'peak RSS MiB': Math.round(peak / MiB),
    });
    console.error(`export: ${label}: ${r.rows} rows in ${(r.ms / 1000).toFixed(1)} s`);
  }
  await app.close();
  return rows;
}

export const bench = { name: 'export', run: async () => runExportBench() };
