/**
 * Working days (工作日) in China, for deadlines counted in working days (shared/domain.md §4c).
 *
 * A working day is Monday–Friday, minus the State Council's public holidays (法定节假日 and the
 * days taken off around them, 放假调休), plus the adjusted working weekend days (调休上班) the
 * yearly notice names. Dates are `YYYY-MM-DD` calendar dates in China time (Asia/Shanghai, UTC+8,
 * no DST). A period of n working days starts the day after the event (the event's own day is not
 * counted) and ends at 24:00 China time of the n-th working day.
 *
 * The data below is the State Council General Office's notices (国务院办公厅关于…年部分节假日安排的通知):
 * - 2025: 国办发明电〔2024〕12号 (2024-11-12)
 * - 2026: notice of 2025-11-04
 * - 2027: NOT YET PUBLISHED when this was written. Only the statutory holidays of the 2024
 *   revision of 全国年节及纪念日放假办法 are listed (New Year 1 day, Spring Festival 4 days from
 *   New Year's Eve, Qingming 1, Labour Day 2, Dragon Boat 1, Mid-Autumn 1, National Day 3), with
 *   no 调休. Replace the 2027 entry with the notice when it is issued.
 * Outside the years listed, only weekends are skipped (`covered()` says whether a year is known).
 */
export interface HolidayYear {
  /** Days off (including the weekdays taken off in exchange for 调休 weekends). */
  off: string[];
  /** Weekend days that are working days (调休上班). */
  work: string[];
  /** true when the year's data is the State Council's published notice. */
  official: boolean;
  source: string;
}

const DAY = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;

/** Dates are handled as UTC days, so no time zone or DST shifts a count. */
export function parseDate(d: string): number {
  return Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
}
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
const parse = parseDate;
const format = formatDate;

export function addDays(d: string, n: number): string {
  return format(parse(d) + n * DAY);
}

/** Whole days from `a` to `b` (b − a); positive when b is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((parse(b) - parse(a)) / DAY);
}

/** Same day-of-month `n` months later, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function addMonths(d: string, n: number): string {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7)) - 1 + n;
  const day = Number(d.slice(8, 10));
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return format(Date.UTC(y, m, Math.min(day, lastDay)));
}

const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
};

export const HOLIDAYS: Record<number, HolidayYear> = {
  2025: {
    official: true,
    source: '国办发明电〔2024〕12号',
    off: [
      '2025-01-01',
      ...range('2025-01-28', '2025-02-04'),
      ...range('2025-04-04', '2025-04-06'),
      ...range('2025-05-01', '2025-05-05'),
      ...range('2025-05-31', '2025-06-02'),
      ...range('2025-10-01', '2025-10-08'),
    ],
    work: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    official: true,
    source: '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)',
    off: [
      ...range('2026-01-01', '2026-01-03'),
      ...range('2026-02-15', '2026-02-23'),
      ...range('2026-04-04', '2026-04-06'),
      ...range('2026-05-01', '2026-05-05'),
      ...range('2026-06-19', '2026-06-21'),
      ...range('2026-09-25', '2026-09-27'),
      ...range('2026-10-01', '2026-10-07'),
    ],
    work: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
  2027: {
    official: false,
    source: 'statutory holidays only (全国年节及纪念日放假办法, 2024); the 2027 notice was not yet published',
    off: [
      '2027-01-01',
      ...range('2027-02-05', '2027-02-08'),
      '2027-04-05',
      ...range('2027-05-01', '2027-05-02'),
      '2027-06-09',
      '2027-09-15',
      ...range('2027-10-01', '2027-10-03'),
    ],
    work: [],
  },
};

const OFF = new Set(Object.values(HOLIDAYS).flatMap((y) => y.off));
const WORK = new Set(Object.values(HOLIDAYS).flatMap((y) => y.work));

/**
 * Registers a year's holidays, replacing what the calendar had for it (the shipped data or an
 * earlier import): an admin's import (PUT /v1/admin/calendar/{year}), loaded from its table at
 * start and after each import. Deadlines already computed keep their dates.
 */
export function registerHolidayYear(year: number, y: HolidayYear): void {
  for (const d of [...y.off, ...y.work]) if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || !d.startsWith(`${year}-`)) throw new Error(`${d} is not a date of ${year}`);
  const old = HOLIDAYS[year];
  if (old) {
    for (const d of old.off) OFF.delete(d);
    for (const d of old.work) WORK.delete(d);
  }
  HOLIDAYS[year] = { ...y, off: [...y.off].sort(), work: [...y.work].sort() };
  for (const d of y.off) OFF.add(d);
  for (const d of y.work) WORK.add(d);
}

/** The calendar date in China time (UTC+8) of an instant. */
export function chinaDate(at: Date): string {
  return format(at.getTime() + CST_OFFSET_MS);
}

/** The year in China time of an instant (case numbers run per agency and calendar year). */
export const chinaYear = (at: Date): number => Number(chinaDate(at).slice(0, 4));

/** Whether the year's holidays are known (published or provisional data present). */
export const covered = (year: number): boolean => year in HOLIDAYS;

export function isWorkingDay(d: string): boolean {
  if (WORK.has(d)) return true;
  if (OFF.has(d)) return false;
  const wd = new Date(parse(d)).getUTCDay();
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

/** 00:00 China time at the start of a date, as an instant. */
export const startOfChinaDay = (d: string): Date => new Date(parse(d) - CST_OFFSET_MS);
/** 24:00 China time at the end of a date (= 00:00 of the next day), as an instant. */
export const endOfChinaDay = (d: string): Date => new Date(parse(d) + DAY - CST_OFFSET_MS);

/** Deadline of `n` working days after the date `d`: 24:00 China time of the n-th working day. */
export function workingDayDeadline(d: string, n: number): { lastDay: string; dueAt: Date } {
  const lastDay = addWorkingDays(d, n);
  return { lastDay, dueAt: endOfChinaDay(lastDay) };
}

/**
 * Deadline of a legal period of `n` days counted from the date `d` (shared/domain.md §4c): the
 * count starts the day after `d` (its own day is not counted) and ends at 24:00 China time of the
 * n-th day; a last day that is not a working day (a weekend or a public holiday, e.g. National
 * Day or the Spring Festival) moves to the first working day after it (民事诉讼法 art. 85,
 * commonly applied to administrative periods). Calendar days, not instant + n × 24 h.
 */
export function dayCountDeadline(d: string, n: number): { lastDay: string; dueAt: Date } {
  let lastDay = addDays(d, n);
  while (!isWorkingDay(lastDay)) lastDay = addDays(lastDay, 1);
  return { lastDay, dueAt: endOfChinaDay(lastDay) };
}

/** The same period counted from an instant: from its China-time calendar date. */
export const dayCountDeadlineFrom = (at: Date, n: number) => dayCountDeadline(chinaDate(at), n);

/** Monday of the week (Monday–Sunday) a date falls in. */
export function mondayOf(d: string): string {
  const dow = new Date(parse(d)).getUTCDay(); // 0 = Sunday
  return addDays(d, dow === 0 ? -6 : 1 - dow);
}

/** The first working day of the month a date falls in (月通报 day). */
export function firstWorkingDayOfMonth(d: string): string {
  let cur = `${d.slice(0, 7)}-01`;
  while (!isWorkingDay(cur)) cur = addDays(cur, 1);
  return cur;
}
