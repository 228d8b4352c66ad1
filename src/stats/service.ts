/** GET /v1/stats/*: the period and dimension checked once, the figures asked of each owning capability. */
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { addDays, addMonths, chinaDate, endOfChinaDay, startOfChinaDay } from '../calendar.js';
import { Problem } from '../http/problem.js';
import type { StatDimension, StatSubject, StatsQuery } from '../domain/stats.js';
import { complaintStats, COMPLAINT_DIMENSIONS } from '../intake/index.js';
import { caseStats, CASE_DIMENSIONS } from '../cases/index.js';
import { filingStats, FILING_DIMENSIONS } from '../filings/index.js';
import { assignmentStats, ASSIGNMENT_DIMENSIONS } from '../assignments/index.js';
import { taskStats, TASK_DIMENSIONS } from '../ledger/index.js';
import { statsView, type StatsView } from './views.js';

/** The dimensions that make sense per subject (channel only for complaints; team not for the ledger). */
export const DIMENSIONS: Record<StatSubject, readonly StatDimension[]> = {
  complaints: COMPLAINT_DIMENSIONS,
  cases: CASE_DIMENSIONS,
  filings: FILING_DIMENSIONS,
  assignments: ASSIGNMENT_DIMENSIONS,
  rectification: TASK_DIMENSIONS,
};

/** A longer period is refused: figures over more than five years are a data export, not a statistic. */
export const MAX_YEARS = 5;

export interface RawStatsQuery {
  from?: string;
  to?: string;
  groupBy?: string;
}

const bad = (field: string, reason: string, extra: Record<string, unknown> = {}) =>
  new Problem(400, 'validation', 'Invalid request', `${field}: ${reason}`, { errors: [{ field, reason }], ...extra });

/** The period (default: the twelve months to today, China time) and the dimension, or a 400 naming the field. */
export function parseStatsQuery(subject: StatSubject, raw: RawStatsQuery, now: Date): StatsQuery {
  const valid = DIMENSIONS[subject];
  if (raw.groupBy !== undefined && !valid.includes(raw.groupBy as StatDimension))
    throw bad('querystring/groupBy', `unknown dimension "${raw.groupBy}" for ${subject}; valid: ${valid.join(', ')}`, { validDimensions: valid });
  const to = raw.to ?? chinaDate(now);
  const from = raw.from ?? addDays(addMonths(to, -12), 1);
  if (from > to) throw bad('querystring/from', `is after to (${to})`);
  if (to >= addMonths(from, 12 * MAX_YEARS)) throw bad('querystring/to', `the period from ${from} to ${to} is over ${MAX_YEARS} years`);
  return {
    from,
    to,
    fromAt: startOfChinaDay(from).toISOString(),
    toAt: endOfChinaDay(to).toISOString(),
    now: now.toISOString(),
    groupBy: raw.groupBy as StatDimension | undefined,
  };
}

/** The figures of one subject the caller may see. */
export function statsOf(tx: Tx, p: Principal, subject: StatSubject, q: StatsQuery): StatsView {
  // The dimension was checked against DIMENSIONS[subject] above, so each owner gets one it knows.
  const g = q as never;
  switch (subject) {
    case 'complaints':
      return statsView(tx, subject, q, complaintStats(tx, p, g));
    case 'cases': {
      const r = caseStats(tx, p, g);
      return statsView(tx, subject, q, r, { measures: r.measures });
    }
    case 'filings':
      return statsView(tx, subject, q, filingStats(tx, p, g));
    case 'assignments': {
      const r = assignmentStats(tx, p, g);
      return statsView(tx, subject, q, r, { declinesByTeam: r.declinesByTeam });
    }
    case 'rectification':
      return statsView(tx, subject, q, taskStats(tx, p, g));
  }
}
