/** Cross-filing figures for GET /v1/stats/filings and the reports: SQL over `filings`, within the caller's visibility. */
import { and, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { aggregate, chinaBucket, countIf, daysBetweenSql } from '../db/aggregate.js';
import type { StatDimension, StatsQuery } from '../domain/stats.js';
import { filings as f } from './tables.js';
import { filingsVisibleWhere } from './service.js';

/** side and agency are the receiving end's: acknowledging is the receiving agency's duty. */
export const FILING_DIMENSIONS = ['side', 'agency', 'category', 'month', 'week'] as const satisfies readonly StatDimension[];
type Dim = (typeof FILING_DIMENSIONS)[number];

const column = (d: Dim): SQL =>
  ({
    side: sql`${f.toSide}`,
    agency: sql`${f.toAgencyCode}`,
    category: sql`${f.category}`,
    month: chinaBucket(f.createdAt, 'month'),
    week: chinaBucket(f.createdAt, 'week'),
  })[d];

/** Filings made in the period: acknowledged on time (by ackDueAt) ÷ (acknowledged + unacknowledged past ackDueAt now). */
export function filingStats(tx: Tx, p: Principal, q: StatsQuery & { groupBy?: Dim }) {
  const vis = filingsVisibleWhere(tx, p);
  const acked = sql`${f.acknowledgedAt} IS NOT NULL`;
  const openPastDue = sql`${f.acknowledgedAt} IS NULL AND ${f.ackDueAt} < ${q.now}`;
  return aggregate(tx, {
    from: sql`${f}`,
    where: and(gte(f.createdAt, q.fromAt), lt(f.createdAt, q.toAt), vis === 'none' ? sql`0` : vis),
    group: q.groupBy ? column(q.groupBy) : undefined,
    counts: {
      received: sql`count(*)`,
      acknowledged: countIf(acked),
      acknowledgedOnTime: countIf(sql`${acked} AND ${f.acknowledgedAt} <= ${f.ackDueAt}`),
      escalated: countIf(sql`${f.escalatedAt} IS NOT NULL`),
      openPastDue: countIf(openPastDue),
      overdueNow: countIf(openPastDue),
    },
    durations: { daysToAcknowledge: sql`CASE WHEN ${acked} THEN ${daysBetweenSql(f.createdAt, f.acknowledgedAt)} END` },
  });
}
