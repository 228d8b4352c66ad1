/**
 * The words of GET /v1/stats and the reports: what is counted (subjects), by what (dimensions),
 * over which period, and the on-time rate every subject shares.
 */
export const STAT_SUBJECTS = ['complaints', 'cases', 'filings', 'assignments', 'rectification'] as const;
export type StatSubject = (typeof STAT_SUBJECTS)[number];

/** month and week (Monday to Sunday) are China time (UTC+8). */
export const STAT_DIMENSIONS = ['side', 'agency', 'team', 'category', 'channel', 'month', 'week'] as const;
export type StatDimension = (typeof STAT_DIMENSIONS)[number];

/** The period asked for and the instant "now" (what is open past due is open past due now). */
export interface StatsQuery {
  /** First day, China time (YYYY-MM-DD). */
  from: string;
  /** Last day, China time, inclusive. */
  to: string;
  /** 00:00 China time of `from`, ISO. */
  fromAt: string;
  /** 24:00 China time of `to`, ISO (exclusive). */
  toAt: string;
  now: string;
  groupBy?: StatDimension;
}

/**
 * On-time rate = closed on time ÷ (closed + still open past due): an item that is late and still
 * open counts against the rate (closed-only counting hides lateness — shared/domain.md §1).
 * Null when nothing was closed and nothing is late. Four decimals.
 */
export function onTimeRate(onTime: number, closed: number, openPastDue: number): number | null {
  const d = closed + openPastDue;
  return d === 0 ? null : Math.round((onTime / d) * 10_000) / 10_000;
}

/** Nearest-rank median and 90th percentile of durations in days (one decimal), as SQL computes them in db/aggregate.ts. */
export function percentiles(values: number[]): { n: number; median: number | null; p90: number | null } {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number) => (v.length ? Math.round(v[Math.ceil((v.length * q) / 100) - 1] * 10) / 10 : null);
  return { n: v.length, median: at(50), p90: at(90) };
}
