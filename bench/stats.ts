import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type Database from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { inTx } from '../src/db/client.js';
import { createKey, type NewKey } from '../src/auth/keys.js';
import { systemClock } from '../src/clock.js';
import { chinaDate } from '../src/calendar.js';
import { DEMO_AGENCIES, DEMO_TEAMS } from '../src/reference/demo.js';
import { quantile, rng, table, tmpDb, type Row } from './support.js';

/**
 * stats: GET /v1/stats/complaints and /v1/stats/cases over BENCH_STATS_ROWS complaints and as many
 * cases (default 1,000,000 each), p50/p99 per groupBy, in process with app.inject, beside a plain
 * `SELECT count(*)` of the same table through better-sqlite3 in the same run on the same database.
 *
 * The real app (buildApp, demo reference data, LOG_LEVEL silent) on a throwaway SQLite file; the
 * rows are bulk-inserted with prepared statements in one transaction per table, spread over two
 * years of receipts with the agencies, teams, channels, categories and outcomes (answered on
 * time, late, open past due, not accepted) of both sides; 20 % of cases carry a measure.
 * A stats request is a full aggregation over the period: counts in one grouped pass, and each
 * duration's median and p90 by a window sort (twice: total and per group).
 *
 * Env: BENCH_STATS_ROWS, BENCH_STATS_ITERATIONS (requests per variant after one warm-up, default 5).
 */
const DAY = 86_400_000;

function uuid7(ms: number, rand: () => number): string {
  const hex = (n: number, len: number) => Math.floor(n).toString(16).padStart(len, '0');
  const t = hex(ms, 12);
  const r = () => hex(rand() * 0x10000, 4);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r().slice(1)}-${(8 + Math.floor(rand() * 4)).toString(16)}${r().slice(1)}-${r()}${r()}${r()}`;
}

function load(sqlite: Database.Database, n: number, now: number) {
  const rand = rng(15);
  const agencies = DEMO_AGENCIES.map((a) => ({ code: a.code, side: a.side, teams: DEMO_TEAMS.filter((t) => t.agencyCode === a.code).map((t) => t.id) })).filter(
    (a) => a.teams.length,
  );
  const channels = ['phone', 'web', 'wechat', 'letter', 'visit', 'open311'];
  const categories = ['air', 'water', 'soil', 'noise', 'solid_waste', 'ecology'];
  const measureTypes = ['warning', 'fine', 'daily_penalty', 'seal_seizure', 'production_restriction'];
  const iso = (ms: number) => new Date(ms).toISOString();
  const span = 730 * DAY;
  const t0 = Date.now();
  const complaint = sqlite.prepare(`INSERT INTO complaints (id, number, channel, category, description, attachments, query_code_hash, status,
    received_at, acceptance_due_at, accepted_at, reply_due_at, replied_at, closed_at, side, agency_code, team_id, created_by_key_id, created_at, updated_at)
    VALUES (?, ?, ?, ?, '烟囱冒黑烟', '[]', 'x', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'bench', ?, ?)`);
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      const rec = now - span + Math.floor((i / n) * span);
      const a = agencies[Math.floor(rand() * agencies.length)];
      const outcome = rand();
      const accepted = outcome > 0.05;
      const acc = accepted ? rec + rand() * 10 * DAY : null;
      const due = acc !== null ? acc + 60 * DAY : null;
      // 70 % answered on time, 12 % late, the rest open (past due once old enough)
      const answered = acc !== null && outcome < 0.87 ? acc + (outcome < 0.75 ? rand() * 55 : 61 + rand() * 30) * DAY : null;
      const answeredAt = answered !== null && answered < now ? answered : null;
      const status = !accepted ? 'not_accepted' : answeredAt !== null ? 'replied' : 'in_progress';
      complaint.run(
        uuid7(rec, rand),
        `12369-${new Date(rec).getUTCFullYear()}-${String(i).padStart(7, '0')}`,
        channels[Math.floor(rand() * channels.length)],
        categories[Math.floor(rand() * categories.length)],
        status,
        iso(rec),
        iso(rec + 15 * DAY),
        acc !== null ? iso(acc) : null,
        due !== null ? iso(due) : null,
        answeredAt !== null ? iso(answeredAt) : null,
        null,
        accepted ? a.side : null,
        accepted ? a.code : null,
        accepted ? a.teams[Math.floor(rand() * a.teams.length)] : null,
        iso(rec),
        iso(rec),
      );
    }
  })();
  const complaintsMs = Date.now() - t0;
  const t1 = Date.now();
  const kase = sqlite.prepare(`INSERT INTO cases (id, number, title, category, side, lead_agency_code, lead_team_id, lat, lng, origin_kind, summary, status,
    registered_at, decision_due_at, extensions, decided_at, closed_at, created_at, updated_at)
    VALUES (?, ?, '燃煤锅炉未配套除尘设施', ?, ?, ?, ?, 44.0, 87.3, 'inspection', '现场检查', ?, ?, ?, '[]', ?, ?, ?, ?)`);
  const measure = sqlite.prepare(
    `INSERT INTO case_measures (id, case_id, type, status, amount_fen, details, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, '{}', ?, ?)`,
  );
  let measures = 0;
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      const reg = now - span + Math.floor((i / n) * span);
      const a = agencies[Math.floor(rand() * agencies.length)];
      const r = rand();
      const decided = r < 0.85 ? reg + (r < 0.75 ? rand() * 85 : 91 + rand() * 40) * DAY : null;
      const decidedAt = decided !== null && decided < now ? decided : null;
      const closedAt = decidedAt !== null && r < 0.6 && decidedAt + 30 * DAY < now ? decidedAt + 30 * DAY : null;
      const id = uuid7(reg, rand);
      kase.run(
        id,
        `${a.code}-${new Date(reg).getUTCFullYear()}-${String(i).padStart(7, '0')}`,
        categories[Math.floor(rand() * categories.length)],
        a.side,
        a.code,
        a.teams[0],
        closedAt !== null ? 'closed' : decidedAt !== null ? 'decided' : 'investigating',
        iso(reg),
        iso(reg + 90 * DAY),
        decidedAt !== null ? iso(decidedAt) : null,
        closedAt !== null ? iso(closedAt) : null,
        iso(reg),
        iso(reg),
      );
      if (rand() < 0.2) {
        const type = measureTypes[Math.floor(rand() * measureTypes.length)];
        measure.run(
          uuid7(reg, rand),
          id,
          type,
          type === 'fine' || type === 'daily_penalty' ? 100_000 + Math.floor(rand() * 5_000_000) : null,
          iso(reg),
          iso(reg),
        );
        measures++;
      }
    }
  })();
  return { complaintsMs, casesMs: Date.now() - t1, measures };
}

export async function runStatsBench(): Promise<Row[]> {
  const n = Number(process.env.BENCH_STATS_ROWS ?? 1_000_000);
  const iterations = Number(process.env.BENCH_STATS_ITERATIONS ?? 5);
  const app = await buildApp(loadConfig({ DATABASE_PATH: tmpDb('stats'), SEED_DEMO: 'true', LOG_LEVEL: 'silent' }));
  await app.ready();
  const sqlite = app.deps.db.$client;
  const key = (k: NewKey) => inTx(app.deps.db, (tx) => createKey(tx, systemClock, { name: 'bench', ...k }).key);
  const keys = { admin: key({ role: 'admin' }), 'supervisor 652300': key({ role: 'supervisor', agencyCode: '652300', side: 'region' }) };
  const now = Date.now();
  console.error(`stats: loading ${n.toLocaleString('en')} complaints and ${n.toLocaleString('en')} cases…`);
  const L = load(sqlite, n, now);
  sqlite.pragma('analysis_limit = 1000');
  sqlite.exec('ANALYZE');
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  console.error(`stats: loaded complaints in ${(L.complaintsMs / 1000).toFixed(1)} s, cases (+${L.measures} measures) in ${(L.casesMs / 1000).toFixed(1)} s`);

  const to = chinaDate(new Date(now));
  const from = chinaDate(new Date(now - 729 * DAY));
  const time = async (f: () => unknown | Promise<unknown>) => {
    await f(); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const s = performance.now();
      await f();
      ms.push(performance.now() - s);
    }
    return ms.sort((a, b) => a - b);
  };
  const rows: Row[] = [];
  for (const table of ['complaints', 'cases'] as const) {
    const base = await time(() => sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get());
    const baseP50 = quantile(base, 0.5);
    rows.push({
      bench: 'stats',
      variant: `baseline: SELECT count(*) FROM ${table}`,
      who: '',
      'p50 ms': baseP50,
      'p99 ms': quantile(base, 0.99),
      '× count(*)': 1,
    });
    const dims =
      table === 'complaints'
        ? ['', 'side', 'agency', 'team', 'category', 'channel', 'month', 'week']
        : ['', 'side', 'agency', 'team', 'category', 'month', 'week'];
    const variants: [string, string][] = dims.map((d) => ['admin', d]);
    variants.push(['supervisor 652300', 'agency']);
    for (const [who, g] of variants) {
      const url = `/v1/stats/${table}?from=${from}&to=${to}${g ? `&groupBy=${g}` : ''}`;
      const ms = await time(async () => {
        const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${keys[who as keyof typeof keys]}` } });
        if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
      });
      console.error(`stats: ${table} groupBy=${g || '(none)'} as ${who}: p50 ${quantile(ms, 0.5).toFixed(0)} ms`);
      rows.push({
        bench: 'stats',
        variant: `GET /v1/stats/${table}${g ? `?groupBy=${g}` : ''} (2 years)`,
        who,
        'p50 ms': quantile(ms, 0.5),
        'p99 ms': quantile(ms, 0.99),
        '× count(*)': Math.round(quantile(ms, 0.5) / baseP50),
      });
    }
  }
  await app.close();
  console.error(table(rows));
  return rows;
}

export const bench = { name: 'stats', run: () => runStatsBench() };

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStatsBench();
  process.exit(0);
}
