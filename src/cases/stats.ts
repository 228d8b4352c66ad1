/** Case figures for GET /v1/stats/cases and the reports: SQL over `cases` and `case_measures`, within the caller's visibility. */
import { and, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { aggregate, chinaBucket, countIf, daysBetweenSql, type Key } from '../db/aggregate.js';
import type { StatDimension, StatsQuery } from '../domain/stats.js';
import { caseMeasures, cases as c } from './tables.js';
import { scopeOf, visibleSql } from './visibility.js';

export const CASE_DIMENSIONS = ['side', 'agency', 'team', 'category', 'month', 'week'] as const satisfies readonly StatDimension[];
type Dim = (typeof CASE_DIMENSIONS)[number];

const column = (d: Dim): SQL =>
  ({
    side: sql`${c.side}`,
    agency: sql`${c.leadAgencyCode}`,
    team: sql`${c.leadTeamId}`,
    category: sql`${c.category}`,
    month: chinaBucket(c.registeredAt, 'month'),
    week: chinaBucket(c.registeredAt, 'week'),
  })[d];

export interface MeasureFigure {
  type: string;
  count: number;
  /** Sum of amounts (fines; computed daily-penalty totals), fen. */
  amountFen: number;
}

/**
 * Cases registered in the period, counted as the caller may list them. The on-time rule for
 * cases is the decision deadline (90 days after registration plus approved extensions, 行政处罚法
 * art. 60): decided on time ÷ (decided + undecided past the deadline now). Withdrawn and
 * transferred cases without a decision are not open. Measures are those of these cases.
 */
export function caseStats(tx: Tx, p: Principal, q: StatsQuery & { groupBy?: Dim }) {
  const where = and(gte(c.registeredAt, q.fromAt), lt(c.registeredAt, q.toAt), visibleSql(scopeOf(tx, p)));
  const decided = sql`${c.decidedAt} IS NOT NULL`;
  const openPastDue = sql`${c.decidedAt} IS NULL AND ${c.status} NOT IN ('withdrawn', 'transferred') AND ${c.decisionDueAt} < ${q.now}`;
  const group = q.groupBy ? column(q.groupBy) : undefined;
  const figures = aggregate(tx, {
    from: sql`${c}`,
    where,
    group,
    counts: {
      received: sql`count(*)`,
      decided: countIf(decided),
      decidedOnTime: countIf(sql`${decided} AND ${c.decidedAt} <= ${c.decisionDueAt}`),
      closed: countIf(sql`${c.closedAt} IS NOT NULL`),
      openPastDue: countIf(openPastDue),
      overdueNow: countIf(openPastDue),
    },
    durations: {
      daysToDecide: sql`CASE WHEN ${decided} THEN ${daysBetweenSql(c.registeredAt, c.decidedAt)} END`,
      daysToClose: sql`CASE WHEN ${c.closedAt} IS NOT NULL THEN ${daysBetweenSql(c.registeredAt, c.closedAt)} END`,
    },
  });
  const rows = tx.all<{ g: unknown; type: string; n: number; fen: number | null }>(
    sql`SELECT ${group ?? sql`NULL`} AS g, ${caseMeasures.type} AS type, count(*) AS n, sum(${caseMeasures.amountFen}) AS fen
        FROM ${caseMeasures} JOIN ${c} ON ${c.id} = ${caseMeasures.caseId} WHERE ${where} GROUP BY 1, 2 ORDER BY 2`,
  );
  const measures = new Map<Key, MeasureFigure[]>();
  const total = new Map<string, MeasureFigure>();
  for (const r of rows) {
    const k = r.g === null ? null : String(r.g);
    measures.set(k, [...(measures.get(k) ?? []), { type: r.type, count: r.n, amountFen: r.fen ?? 0 }]);
    const t = total.get(r.type) ?? { type: r.type, count: 0, amountFen: 0 };
    total.set(r.type, { type: r.type, count: t.count + r.n, amountFen: t.amountFen + (r.fen ?? 0) });
  }
  return { ...figures, measures: { total: [...total.values()], groups: measures } };
}
