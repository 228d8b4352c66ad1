/**
 * Calendar-date helpers for legal periods. Dates are `YYYY-MM-DD` strings, handled as UTC days so
 * no time zone or DST shifts a count. "Today" and a timestamp's date are taken in China Standard
 * Time (UTC+8, no DST), where the agencies work.
 */
const DAY = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;

export function parseDate(d: string): number {
  return Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b − a); positive when b is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((parseDate(b) - parseDate(a)) / DAY);
}

export function addDays(d: string, n: number): string {
  return formatDate(parseDate(d) + n * DAY);
}

/** Same day-of-month `n` months later, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function addMonths(d: string, n: number): string {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7)) - 1 + n;
  const day = Number(d.slice(8, 10));
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return formatDate(Date.UTC(y, m, Math.min(day, lastDay)));
}

/** Monday–Friday; public holidays are not modelled. */
export function isWorkingDay(d: string): boolean {
  const wd = new Date(parseDate(d)).getUTCDay();
  return wd !== 0 && wd !== 6;
}

/** The date `n` working days after `d` (d itself not counted). */
export function addWorkingDays(d: string, n: number): string {
  let cur = d;
  let left = n;
  while (left > 0) {
    cur = addDays(cur, 1);
    if (isWorkingDay(cur)) left--;
  }
  return cur;
}

/** The calendar date (UTC+8) of an instant. */
export function cstDate(at: Date): string {
  return formatDate(at.getTime() + CST_OFFSET_MS);
}

/** The year (UTC+8) of an instant — case numbers run per agency and calendar year. */
export function cstYear(at: Date): number {
  return Number(cstDate(at).slice(0, 4));
}
