/**
 * Grouped figures in SQL (GET /v1/stats, the reports): counts as SUM(CASE …) per group, and the
 * median and 90th percentile of per-row durations from per-group 0.1-day histograms (SQLite has no
 * percentile aggregate), so a million rows are summed in the database, never shipped to JS. Each capability
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

/**
 * Durations are counted per group in 0.1-day buckets (one grouped pass, no sort of the rows), and
 * the nearest-rank median and p90 — the ⌈p·n⌉-th smallest — read off the buckets: rounding is
 * monotonic, so that is exactly the rounded ⌈p·n⌉-th duration.
 */
function histogramsBy(tx: Tx, spec: AggregateSpec, days: SQL, group: SQL | undefined): Map<Key, Map<number, number>> {
  const rows = tx.all<{ g: unknown; b: number; n: number }>(sql`
    SELECT g, b, count(*) AS n FROM (SELECT ${group ?? sql`NULL`} AS g, round(${days}, 1) AS b FROM ${spec.from} WHERE ${where(spec.where)})
    WHERE b IS NOT NULL GROUP BY g, b`);
  const out = new Map<Key, Map<number, number>>();
  for (const r of rows) {
    const k = r.g === null ? null : String(r.g);
    const h = out.get(k) ?? new Map<number, number>();
    h.set(r.b, (h.get(r.b) ?? 0) + r.n);
    out.set(k, h);
  }
  return out;
}

function percentilesOf(h: Map<number, number> | undefined): Percentiles {
  if (!h?.size) return { ...EMPTY };
  const buckets = [...h.entries()].sort((a, b) => a[0] - b[0]);
  const n = buckets.reduce((s, [, c]) => s + c, 0);
  const at = (q: number) => {
    const rank = Math.ceil((n * q) / 100);
    let seen = 0;
    for (const [b, c] of buckets) if ((seen += c) >= rank) return round1(b);
    return null;
  };
  return { n, median: at(50), p90: at(90) };
}

const EMPTY: Percentiles = { n: 0, median: null, p90: null };

/** The figures of every group and of all rows together: one pass for the counts and one per duration. */
export function aggregate(tx: Tx, spec: AggregateSpec): { total: Figures; groups: Map<Key, Figures> } {
  const durations = spec.durations ?? {};
  const names = Object.keys(spec.counts);
  const counts = countsBy(tx, spec, spec.group);
  const hists = Object.fromEntries(Object.entries(durations).map(([name, d]) => [name, histogramsBy(tx, spec, d, spec.group)]));
  // Every row is in exactly one group: the total is the sum of the groups (counts and buckets alike).
  const totalCounts = Object.fromEntries(names.map((n) => [n, 0]));
  for (const c of counts.values()) for (const n of names) totalCounts[n] += c[n];
  const total: Figures = { counts: totalCounts, durations: {} };
  for (const name of Object.keys(durations)) {
    const merged = new Map<number, number>();
    for (const h of hists[name].values()) for (const [b, c] of h) merged.set(b, (merged.get(b) ?? 0) + c);
    total.durations[name] = percentilesOf(merged);
  }
  const groups = new Map<Key, Figures>();
  if (!spec.group) return { total, groups };
  for (const [k, c] of counts)
    groups.set(k, { counts: c, durations: Object.fromEntries(Object.keys(durations).map((name) => [name, percentilesOf(hists[name].get(k))])) });
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
