/**
 * Grouped figures in SQL (GET /v1/stats, the reports): counts as SUM(CASE …) per group, and the
 * median and 90th percentile of per-row durations by window functions (SQLite has no percentile
 * aggregate), so a million rows are summed in the database, never shipped to JS. Each capability
 * builds its own spec over its own tables (the SQL stays with the table's owner).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from './client.js';

export interface AggregateSpec {
  /** The FROM clause (a table, or a table and its joins). */
  from: SQL;
  where: SQL | undefined;
  /** The group key; absent = one group (the total). */
  group?: SQL;
  /** Figures: SQL aggregate expressions (SUM(CASE …), COUNT(*)). */
  counts: Record<string, SQL>;
  /** Per-row durations in days (NULL where the row has none), by figure name. */
  durations?: Record<string, SQL>;
}

export interface Percentiles {
  /** Rows with a duration. */
  n: number;
  /** Nearest-rank median, days (1 decimal); null without rows. */
  median: number | null;
  /** Nearest-rank 90th percentile, days (1 decimal). */
  p90: number | null;
}

export interface Figures {
  counts: Record<string, number>;
  durations: Record<string, Percentiles>;
}

export type Key = string | null;

const where = (w: SQL | undefined) => w ?? sql`1 = 1`;
const round1 = (d: number | null) => (d === null ? null : Math.round(d * 10) / 10);

function countsBy(tx: Tx, spec: AggregateSpec, group: SQL | undefined): Map<Key, Record<string, number>> {
  const names = Object.keys(spec.counts);
  const cols = sql.join(
    names.map((n, i) => sql`coalesce(${spec.counts[n]}, 0) AS ${sql.raw(`c${i}`)}`),
    sql`, `,
  );
  const rows = group
    ? tx.all<Record<string, unknown>>(sql`SELECT ${group} AS g, ${cols} FROM ${spec.from} WHERE ${where(spec.where)} GROUP BY 1`)
    : tx.all<Record<string, unknown>>(sql`SELECT NULL AS g, ${cols} FROM ${spec.from} WHERE ${where(spec.where)}`);
  const out = new Map<Key, Record<string, number>>();
  for (const r of rows) out.set(r.g === null ? null : String(r.g), Object.fromEntries(names.map((n, i) => [n, Number(r[`c${i}`] ?? 0)])));
  return out;
}

/** Nearest rank: the ⌈p·n⌉-th smallest duration of each group. */
function percentilesBy(tx: Tx, spec: AggregateSpec, days: SQL, group: SQL | undefined): Map<Key, Percentiles> {
  const g = group ?? sql`NULL`;
  const rows = tx.all<{ g: unknown; n: number; rn: number; d: number }>(sql`
    SELECT g, n, rn, d FROM (
      SELECT g, d, row_number() OVER (PARTITION BY g ORDER BY d) AS rn, count(*) OVER (PARTITION BY g) AS n
      FROM (SELECT ${g} AS g, ${days} AS d FROM ${spec.from} WHERE ${where(spec.where)}) WHERE d IS NOT NULL
    ) WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 90 + 99) / 100`);
  const out = new Map<Key, Percentiles>();
  for (const r of rows) {
    const k = r.g === null ? null : String(r.g);
    const p = out.get(k) ?? { n: r.n, median: null, p90: null };
    if (r.rn === Math.ceil((r.n * 50) / 100)) p.median = round1(r.d);
    if (r.rn === Math.ceil((r.n * 90) / 100)) p.p90 = round1(r.d);
    out.set(k, p);
  }
  return out;
}

const EMPTY: Percentiles = { n: 0, median: null, p90: null };

/** The figures of every group and of all rows together. */
export function aggregate(tx: Tx, spec: AggregateSpec): { total: Figures; groups: Map<Key, Figures> } {
  const durations = spec.durations ?? {};
  const zero = () => Object.fromEntries(Object.keys(spec.counts).map((n) => [n, 0]));
  const totalCounts = countsBy(tx, spec, undefined).get(null) ?? zero();
  const total: Figures = { counts: totalCounts, durations: {} };
  for (const [name, d] of Object.entries(durations)) total.durations[name] = percentilesBy(tx, spec, d, undefined).get(null) ?? EMPTY;
  const groups = new Map<Key, Figures>();
  if (!spec.group) return { total, groups };
  for (const [k, counts] of countsBy(tx, spec, spec.group)) groups.set(k, { counts, durations: {} });
  for (const [name, d] of Object.entries(durations)) {
    const by = percentilesBy(tx, spec, d, spec.group);
    for (const [k, f] of groups) f.durations[name] = by.get(k) ?? EMPTY;
  }
  return { total, groups };
}

/** Days between two ISO instants (b − a). */
export const daysBetweenSql = (a: SQL | unknown, b: SQL | unknown) => sql`(julianday(${b}) - julianday(${a}))`;

/** 1 when the condition holds, summed. */
export const countIf = (cond: SQL) => sql`sum(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;

/** Month (`2026-11`) or week (its Monday, `2026-11-30`) of an ISO instant, in China time (UTC+8). */
export function chinaBucket(col: unknown, unit: 'month' | 'week'): SQL {
  return unit === 'month' ? sql`strftime('%Y-%m', ${col}, '+8 hours')` : sql`date(${col}, '+8 hours', 'weekday 0', '-6 days')`;
}
