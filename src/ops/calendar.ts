import type { FastifyInstance } from 'fastify';
import { HOLIDAYS, parseDate, formatDate, registerHolidayYear, type HolidayYear } from '../calendar.js';
import { inTx } from '../db/client.js';
import { appendEvent } from '../outbox/index.js';
import { fieldError } from '../http/problem.js';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../deps.js';
import { calendarYears } from './tables.js';

export interface YearInput {
  off: string[];
  work: string[];
  source: string;
  official?: boolean;
}

const REFRESH_MS = 60_000;

const realDate = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && formatDate(parseDate(d)) === d;
const weekday = (d: string) => new Date(parseDate(d)).getUTCDay();

/** 400 naming the first bad date: not of the year, not a real date, in both lists, or a 调休 day that is no weekend. */
function check(year: number, b: YearInput) {
  for (const [list, field] of [
    [b.off, 'off'],
    [b.work, 'work'],
  ] as const)
    list.forEach((d, i) => {
      if (!realDate(d)) throw fieldError(`body/${field}/${i}`, `${d} is not a calendar date (YYYY-MM-DD)`);
      if (!d.startsWith(`${year}-`)) throw fieldError(`body/${field}/${i}`, `${d} is not in ${year}`);
    });
  const off = new Set(b.off);
  b.work.forEach((d, i) => {
    if (off.has(d)) throw fieldError(`body/work/${i}`, `${d} is listed as a day off too`);
    if (weekday(d) !== 0 && weekday(d) !== 6)
      throw fieldError(`body/work/${i}`, `${d} is a weekday: adjusted working days (调休上班) are Saturdays or Sundays`);
  });
}

export const yearView = (year: number, y: HolidayYear, imported?: { importedAt: string; importedBy: string }) => ({
  year,
  off: y.off,
  work: y.work,
  official: y.official,
  source: y.source,
  importedAt: imported?.importedAt ?? null,
  importedBy: imported?.importedBy ?? null,
});

/** Stores the year, appends its event, and switches this process's calendar to it. */
export function importYear(deps: Deps, p: Principal, year: number, b: YearInput) {
  check(year, b);
  const y: HolidayYear = { off: [...new Set(b.off)].sort(), work: [...new Set(b.work)].sort(), official: b.official ?? true, source: b.source };
  const now = deps.clock.now().toISOString();
  const row = { year, ...y, importedAt: now, importedBy: p.keyId };
  inTx(deps.db, (tx) => {
    tx.insert(calendarYears).values(row).onConflictDoUpdate({ target: calendarYears.year, set: row }).run();
    appendEvent(tx, deps.clock, {
      type: 'calendar.year_imported',
      subject: `calendar/${year}`,
      data: { id: String(year), offDays: y.off.length, workDays: y.work.length },
    });
  });
  registerHolidayYear(year, y);
  loadedBy.get(deps.db)?.set(year, now);
  return yearView(year, y, row);
}

/** The calendar's year (shipped or imported), or undefined. */
export function getYear(deps: Deps, year: number) {
  const y = HOLIDAYS[year];
  if (!y) return undefined;
  const imported = deps.db
    .select()
    .from(calendarYears)
    .all()
    .find((r) => r.year === year);
  return yearView(year, y, imported);
}

/** Per database: the importedAt of each year already registered. */
const loadedBy = new WeakMap<object, Map<number, string>>();

/** Registers imported years that are new or changed since the last look (other processes import too). */
export function loadImportedYears(deps: Deps) {
  const loaded = loadedBy.get(deps.db) ?? new Map<number, string>();
  for (const r of deps.db.select().from(calendarYears).all()) {
    if (loaded.get(r.year) !== r.importedAt) registerHolidayYear(r.year, { off: r.off, work: r.work, official: r.official, source: r.source });
    loaded.set(r.year, r.importedAt);
  }
  loadedBy.set(deps.db, loaded);
}

/** Picks up other processes' imports within a minute. */
export function refreshCalendar(app: FastifyInstance, deps: Deps) {
  const t = setInterval(() => {
    try {
      loadImportedYears(deps);
    } catch (err) {
      deps.log.warn({ err }, 'could not reload imported calendar years');
    }
  }, REFRESH_MS);
  t.unref();
  app.addHook('onClose', async () => clearInterval(t));
}
