/**
 * Ledger figures for GET /v1/stats/rectification and the reports. The ledger is small (hundreds
 * of tasks), and its visibility is a per-row rule (canSeeTask), so the figures are summed here
 * over the visible rows rather than in SQL.
 */
import { and, gte, lte } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { endOfChinaDay } from '../calendar.js';
import { percentiles, type StatDimension, type StatsQuery } from '../domain/stats.js';
import type { Figures, Key } from '../db/aggregate.js';
import { rectificationTasks as t, type TaskRow } from './tables.js';
import { canSeeTask } from './visibility.js';
import { weekOf } from './service.js';

/** side and agency are the lead agency's; month and week those of the due date. */
export const TASK_DIMENSIONS = ['side', 'agency', 'month', 'week'] as const satisfies readonly StatDimension[];
type Dim = (typeof TASK_DIMENSIONS)[number];

const keyOf = (r: TaskRow, d: Dim): Key => ({ side: r.leadSide, agency: r.leadAgencyCode, month: r.dueOn.slice(0, 7), week: weekOf(r.dueOn) })[d];

/**
 * Tasks due in the period: closed off (销号) on time = closed off by 24:00 China time of the due
 * date; open past due = not closed off and the due date passed (a task in public notice is not
 * closed off yet). Missed weeks and listed supervision as they stand.
 */
export function taskStats(tx: Tx, p: Principal, q: StatsQuery & { groupBy?: Dim }): { total: Figures; groups: Map<Key, Figures> } {
  const rows = tx
    .select()
    .from(t)
    .where(and(gte(t.dueOn, q.from), lte(t.dueOn, q.to)))
    .all()
    .filter((r) => canSeeTask(tx, p, r));
  const sum = (rs: TaskRow[]): Figures => {
    const closedOff = rs.filter((r) => r.status === 'closed_off' && r.closedOffAt);
    const late = (r: TaskRow) => endOfChinaDay(r.dueOn).toISOString() < q.now;
    const openPastDue = rs.filter((r) => r.status !== 'closed_off' && late(r)).length;
    return {
      counts: {
        due: rs.length,
        closedOff: closedOff.length,
        closedOffOnTime: closedOff.filter((r) => r.closedOffAt! <= endOfChinaDay(r.dueOn).toISOString()).length,
        openPastDue,
        overdueNow: openPastDue,
        missedWeeks: rs.reduce((n, r) => n + r.missedWeeks.length, 0),
        listedSupervision: rs.filter((r) => r.listedSupervisionBy).length,
      },
      durations: { daysToCloseOff: percentiles(closedOff.map((r) => (Date.parse(r.closedOffAt!) - Date.parse(r.createdAt)) / 86_400_000)) },
    };
  };
  const groups = new Map<Key, Figures>();
  if (q.groupBy) {
    const by = new Map<Key, TaskRow[]>();
    for (const r of rows) by.set(keyOf(r, q.groupBy), [...(by.get(keyOf(r, q.groupBy)) ?? []), r]);
    for (const [k, rs] of by) groups.set(k, sum(rs));
  }
  return { total: sum(rows), groups };
}
