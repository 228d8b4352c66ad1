/** Complaint figures for GET /v1/stats/complaints and the reports: SQL over `complaints`, within the caller's visibility. */
import { and, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { aggregate, chinaBucket, countIf, daysBetweenSql } from '../db/aggregate.js';
import type { StatDimension, StatsQuery } from '../domain/stats.js';
import { complaints as c } from './tables.js';
import { visibleWhere } from './visibility.js';

export const COMPLAINT_DIMENSIONS = ['side', 'agency', 'team', 'category', 'channel', 'month', 'week'] as const satisfies readonly StatDimension[];

const column = (d: (typeof COMPLAINT_DIMENSIONS)[number]): SQL =>
  ({
    side: sql`${c.side}`,
    agency: sql`${c.agencyCode}`,
    team: sql`${c.teamId}`,
    category: sql`${c.category}`,
    channel: sql`${c.channel}`,
    month: chinaBucket(c.receivedAt, 'month'),
    week: chinaBucket(c.receivedAt, 'week'),
  })[d];

/**
 * Complaints received in the period (receivedAt), counted as the caller may list them:
 * accepted / not accepted / transferred; closed = answered (replied, or closed without a reply);
 * on time = answered by the reply deadline (60 days after acceptance, plus an approved extension);
 * open past due = accepted, unanswered and past that deadline now; overdue now also counts
 * reports still awaiting the acceptance decision after its 15 days.
 */
export function complaintStats(tx: Tx, p: Principal, q: StatsQuery & { groupBy?: (typeof COMPLAINT_DIMENSIONS)[number] }) {
  const answeredAt = sql`coalesce(${c.repliedAt}, ${c.closedAt})`;
  const accepted = sql`${c.acceptedAt} IS NOT NULL`;
  const closed = sql`${accepted} AND ${answeredAt} IS NOT NULL`;
  const openPastDue = sql`${accepted} AND ${answeredAt} IS NULL AND ${c.replyDueAt} < ${q.now}`;
  const acceptLate = sql`${c.status} = 'received' AND ${c.acceptanceDueAt} < ${q.now}`;
  return aggregate(tx, {
    from: sql`${c}`,
    where: and(gte(c.receivedAt, q.fromAt), lt(c.receivedAt, q.toAt), visibleWhere(tx, p)),
    group: q.groupBy ? column(q.groupBy) : undefined,
    counts: {
      received: sql`count(*)`,
      accepted: countIf(accepted),
      notAccepted: countIf(sql`${c.status} = 'not_accepted'`),
      transferred: countIf(sql`${c.status} = 'transferred'`),
      closed: countIf(closed),
      closedOnTime: countIf(sql`${closed} AND ${answeredAt} <= ${c.replyDueAt}`),
      openPastDue: countIf(openPastDue),
      overdueNow: countIf(sql`(${openPastDue}) OR (${acceptLate})`),
    },
    durations: {
      daysToAccept: sql`CASE WHEN ${accepted} THEN ${daysBetweenSql(c.receivedAt, c.acceptedAt)} END`,
      daysToClose: sql`CASE WHEN ${closed} THEN ${daysBetweenSql(c.receivedAt, answeredAt)} END`,
    },
  });
}
