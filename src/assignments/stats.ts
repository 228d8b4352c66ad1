/** Work-list figures for GET /v1/stats/assignments and the reports: SQL over `assignments`, within the caller's visibility. */
import { and, gte, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { aggregate, chinaBucket, countIf, daysBetweenSql } from '../db/aggregate.js';
import type { StatDimension, StatsQuery } from '../domain/stats.js';
import { assignments as a } from './tables.js';
import { visibility } from './service.js';

export const ASSIGNMENT_DIMENSIONS = ['side', 'agency', 'team', 'category', 'month', 'week'] as const satisfies readonly StatDimension[];
type Dim = (typeof ASSIGNMENT_DIMENSIONS)[number];

const column = (d: Dim): SQL =>
  ({
    side: sql`${a.side}`,
    agency: sql`${a.agencyCode}`,
    team: sql`${a.teamId}`,
    category: sql`${a.category}`,
    month: chinaBucket(a.createdAt, 'month'),
    week: chinaBucket(a.createdAt, 'week'),
  })[d];

/**
 * Assignments made in the period: claimed on time (by the claim deadline) ÷ (claimed + still
 * pending past it now); declines (推诿) per group, and the teams that declined most.
 */
export function assignmentStats(tx: Tx, p: Principal, q: StatsQuery & { groupBy?: Dim }) {
  const vis = visibility(tx, p);
  const where = and(gte(a.createdAt, q.fromAt), lt(a.createdAt, q.toAt), vis === 'none' ? sql`0` : vis);
  const claimed = sql`${a.claimedAt} IS NOT NULL`;
  const openPastDue = sql`${a.status} = 'pending' AND ${a.dueAt} < ${q.now}`;
  const figures = aggregate(tx, {
    from: sql`${a}`,
    where,
    group: q.groupBy ? column(q.groupBy) : undefined,
    counts: {
      received: sql`count(*)`,
      claimed: countIf(claimed),
      claimedOnTime: countIf(sql`${claimed} AND ${a.claimedAt} <= ${a.dueAt}`),
      declined: countIf(sql`${a.declinedAt} IS NOT NULL`),
      completed: countIf(sql`${a.completedAt} IS NOT NULL`),
      openPastDue: countIf(openPastDue),
      overdueNow: countIf(openPastDue),
    },
    durations: {
      daysToClaim: sql`CASE WHEN ${claimed} THEN ${daysBetweenSql(a.createdAt, a.claimedAt)} END`,
      daysToComplete: sql`CASE WHEN ${a.completedAt} IS NOT NULL THEN ${daysBetweenSql(a.createdAt, a.completedAt)} END`,
    },
  });
  const declinesByTeam = tx
    .select({ teamId: a.teamId, agencyCode: a.agencyCode, declined: sql<number>`count(*)` })
    .from(a)
    .where(and(where, isNotNull(a.declinedAt), isNotNull(a.teamId)))
    .groupBy(a.teamId, a.agencyCode)
    .orderBy(sql`count(*) DESC`, a.teamId)
    .limit(50)
    .all()
    .map((r) => ({ teamId: r.teamId!, agencyCode: r.agencyCode, declined: Number(r.declined) }));
  return { ...figures, declinesByTeam };
}
