/**
 * Weekly dispatch (周调度, every Monday for the week before) and monthly bulletin (月通报, on the
 * first working day of a month for the month before), for each agency and for the whole region
 * and corps side by side. A durable timer per kind fires at 08:00 China time on the day, the job
 * stores the reports, tells the agencies they name and schedules the next run (the ledger's
 * weekly timer works the same way). A run that fires late (the service was down) reports the
 * latest period once.
 */
import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { addDays, addMonths, chinaDate, firstWorkingDayOfMonth, mondayOf, startOfChinaDay } from '../calendar.js';
import { afterKey } from '../db/keyset.js';
import { notFound } from '../http/problem.js';
import { ensureTimer, scheduleTimer } from '../queue/timers.js';
import { appendEvent } from '../outbox/index.js';
import { notify } from '../notifications/index.js';
import { SIDES, type Side } from '../domain/index.js';
import { STAT_SUBJECTS, type StatSubject } from '../domain/stats.js';
import { labelOf } from '../domain/labels.js';
import { getAgency, topAgency } from '../reference/hierarchy.js';
import { listAgencies } from '../reference/agencies.js';
import { MAX_YEARS, parseStatsQuery, statsOf, type FigureView } from '../stats/index.js';
import { RATE_TERMS } from '../stats/views.js';
import { reports, type ReportKind, type ReportRow, type ReportScope } from './tables.js';
import { canSeeReport, reportsVisibleWhere } from './visibility.js';

export const WEEKLY_JOB = 'report.weekly';
export const MONTHLY_JOB = 'report.monthly';
const TIMER: Record<ReportKind, string> = { weekly_dispatch: 'report-weekly', monthly_bulletin: 'report-monthly' };
const JOB: Record<ReportKind, string> = { weekly_dispatch: WEEKLY_JOB, monthly_bulletin: MONTHLY_JOB };
/** Reports are made at 08:00 China time, the start of the working day. */
const AT_HOUR_MS = 8 * 3_600_000;
const runAt = (d: string) => new Date(startOfChinaDay(d).getTime() + AT_HOUR_MS);

// ───────────────────────── periods and runs ─────────────────────────

/** The period a run on `day` reports: the week before (Monday–Sunday) or the month before. */
export function periodOf(kind: ReportKind, day: string): { from: string; to: string } {
  if (kind === 'weekly_dispatch') {
    const monday = mondayOf(day);
    return { from: addDays(monday, -7), to: addDays(monday, -1) };
  }
  const first = `${day.slice(0, 7)}-01`;
  return { from: addMonths(first, -1), to: addDays(first, -1) };
}

/** The next run after `now`: the next Monday, or the next month's first working day, 08:00 China time. */
export function nextRun(kind: ReportKind, now: Date): Date {
  const today = chinaDate(now);
  if (kind === 'weekly_dispatch') {
    const m = mondayOf(today);
    return runAt(m) > now ? runAt(m) : runAt(addDays(m, 7));
  }
  const d = firstWorkingDayOfMonth(today);
  return runAt(d) > now ? runAt(d) : runAt(firstWorkingDayOfMonth(addMonths(`${today.slice(0, 7)}-01`, 1)));
}

/** At start-up: each kind has its timer (kept when it is already scheduled). */
export function ensureReportTimers(tx: Tx, deps: Deps) {
  for (const kind of ['weekly_dispatch', 'monthly_bulletin'] as const)
    ensureTimer(tx, { id: TIMER[kind], name: JOB[kind], dueAt: nextRun(kind, deps.clock.now()), payload: { kind } });
}

// ───────────────────────── content ─────────────────────────

export interface FigureRow {
  subject: StatSubject;
  side: Side | 'all';
  received: number;
  closed: number;
  onTime: number;
  openPastDue: number;
  overdueNow: number;
  onTimeRate: number | null;
}

export interface ReportData {
  figures: FigureRow[];
  onTimeByAgency: {
    agencyCode: string;
    agencyName: string;
    side: Side | null;
    received: number;
    closed: number;
    onTime: number;
    openPastDue: number;
    onTimeRate: number | null;
  }[];
  overdueBySide: { side: Side; subject: StatSubject; overdueNow: number }[];
  trend: { period: string; received: number; closed: number; onTimeRate: number | null }[];
  declinesByTeam: { teamId: string; teamName: string | null; agencyCode: string | null; declined: number }[];
  measures: { finesFen: number; dailyPenaltyFen: number; byType: { type: string; count: number; amountFen: number }[] };
}

const row = (subject: StatSubject, side: Side | 'all', f: FigureView): FigureRow => {
  const [onTime, closed] = RATE_TERMS[subject];
  const n = (k: string) => Number(f[k] ?? 0);
  return {
    subject,
    side,
    received: n(subject === 'rectification' ? 'due' : 'received'),
    closed: n(closed),
    onTime: n(onTime),
    openPastDue: n('openPastDue'),
    overdueNow: n('overdueNow'),
    onTimeRate: f.onTimeRate,
  };
};

/** The twelve weeks (Mondays) or months ending with the period. */
function trendPeriods(kind: ReportKind, to: string): string[] {
  return kind === 'weekly_dispatch'
    ? Array.from({ length: 12 }, (_, i) => addDays(mondayOf(to), -7 * (11 - i)))
    : Array.from({ length: 12 }, (_, i) => addMonths(`${to.slice(0, 7)}-01`, i - 11).slice(0, 7));
}

/** The figures as `p` sees them (an agency's supervisors, or an admin for the side-by-side report). */
export function buildReportData(tx: Tx, p: Principal, kind: ReportKind, period: { from: string; to: string }, now: Date): ReportData {
  const ask = (subject: StatSubject, groupBy?: string, from = period.from) =>
    statsOf(tx, p, subject, parseStatsQuery(subject, { from, to: period.to, groupBy }, now));
  const figures: FigureRow[] = [];
  const overdueBySide: ReportData['overdueBySide'] = [];
  let declines: ReportData['declinesByTeam'] = [];
  let measures: ReportData['measures'] = { finesFen: 0, dailyPenaltyFen: 0, byType: [] };
  for (const subject of STAT_SUBJECTS) {
    const s = ask(subject, 'side');
    figures.push(row(subject, 'all', s.total));
    // Overdue now is of everything still open, whenever it came in (the longest period stats allow).
    const open = ask(subject, 'side', addDays(addMonths(period.to, -12 * MAX_YEARS), 1));
    for (const side of SIDES) {
      const g = s.groups.find((x) => x.key === side);
      if (g) figures.push(row(subject, side, g.figures));
      overdueBySide.push({ side, subject, overdueNow: Number(open.groups.find((x) => x.key === side)?.figures.overdueNow ?? 0) });
    }
    if (subject === 'assignments') declines = (s.declinesByTeam ?? []).slice(0, 10);
    if (subject === 'cases')
      measures = {
        finesFen: Number(s.total.finesFen ?? 0),
        dailyPenaltyFen: Number(s.total.dailyPenaltyFen ?? 0),
        byType: (s.total.measuresByType as ReportData['measures']['byType']) ?? [],
      };
  }
  const byAgency = ask('complaints', 'agency');
  const onTimeByAgency = byAgency.groups
    .filter((g) => g.key !== null)
    .map((g) => {
      const r = row('complaints', 'all', g.figures);
      return {
        agencyCode: g.key!,
        agencyName: g.label ?? g.key!,
        side: getAgency(tx, g.key!)?.side ?? null,
        received: r.received,
        closed: r.closed,
        onTime: r.onTime,
        openPastDue: r.openPastDue,
        onTimeRate: r.onTimeRate,
      };
    });
  const periods = trendPeriods(kind, period.to);
  const firstDay = kind === 'weekly_dispatch' ? periods[0] : `${periods[0]}-01`;
  const trendStats = ask('complaints', kind === 'weekly_dispatch' ? 'week' : 'month', firstDay);
  const trend = periods.map((period) => {
    const g = trendStats.groups.find((x) => x.key === period);
    const r = g ? row('complaints', 'all', g.figures) : null;
    return { period, received: r?.received ?? 0, closed: r?.closed ?? 0, onTimeRate: r?.onTimeRate ?? null };
  });
  return { figures, onTimeByAgency, overdueBySide, trend, declinesByTeam: declines, measures };
}

// ───────────────────────── publishing ─────────────────────────

const SYSTEM = 'system:reports';
const cnMonth = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月`;

function titleOf(kind: ReportKind, name: string, period: { from: string; to: string }) {
  return kind === 'weekly_dispatch' ? `${name}周调度（${period.from} 至 ${period.to}）` : `${name}${cnMonth(period.from)}月通报`;
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/** Stores one report (once per kind, agency and period), publishes its event and tells the agencies it names. */
function publish(
  tx: Tx,
  deps: Deps,
  r: { kind: ReportKind; scope: ReportScope; agencyCode: string; side: Side | null; title: string; period: { from: string; to: string }; data: ReportData },
  audience: string[],
  tell: string[],
): ReportRow | null {
  const row = tx
    .insert(reports)
    .values({
      id: newId(),
      kind: r.kind,
      scope: r.scope,
      agencyCode: r.agencyCode,
      side: r.side,
      title: r.title,
      periodFrom: r.period.from,
      periodTo: r.period.to,
      data: r.data as unknown as Record<string, unknown>,
      publishedAt: deps.clock.now().toISOString(),
    })
    .onConflictDoNothing()
    .returning()
    .get();
  if (!row) return null; // this period was reported already
  const agencyCode = r.scope === 'agency' ? r.agencyCode : null;
  appendEvent(tx, deps.clock, {
    type: 'report.published',
    subject: `reports/${row.id}`,
    data: { id: row.id, kind: r.kind, scope: r.scope, agencyCode, periodFrom: r.period.from, periodTo: r.period.to },
    // No side: the report's readers are agencies, not side-wide partner feeds.
    side: null,
    agencyCode,
    audience,
  });
  const all = r.data.figures.find((f) => f.subject === 'complaints' && f.side === 'all');
  const overdue = r.data.figures.filter((f) => f.side === 'all').reduce((n, f) => n + f.overdueNow, 0);
  for (const code of tell)
    notify(tx, deps, {
      kind: 'report_published',
      agencyCode: code,
      subject: `reports/${row.id}`,
      message: `《${r.title}》已发布：12369 举报按时办结率 ${pct(all?.onTimeRate ?? null)}，当前逾期事项 ${overdue} 件。`,
    });
  return row;
}

/** One run: every agency's report and the side-by-side one for the period before `now`. */
export function generateReports(tx: Tx, deps: Deps, kind: ReportKind): ReportRow[] {
  const now = deps.clock.now();
  const period = periodOf(kind, chinaDate(now));
  const agencies = listAgencies(tx, {}, 100_000);
  const out: ReportRow[] = [];
  for (const a of agencies) {
    const p: Principal = { keyId: SYSTEM, role: 'supervisor', side: a.side, agencyCode: a.code, teamId: null };
    const data = buildReportData(tx, p, kind, period, now);
    const r = publish(
      tx,
      deps,
      { kind, scope: 'agency', agencyCode: a.code, side: a.side, title: titleOf(kind, a.name, period), period, data },
      [`agency:${a.code}`],
      [a.code],
    );
    if (r) out.push(r);
  }
  const admin: Principal = { keyId: SYSTEM, role: 'admin', side: null, agencyCode: null, teamId: null };
  const sidesName = `兵地对照（${labelOf('side', 'region', 'zh-CN')} · ${labelOf('side', 'corps', 'zh-CN')}）`;
  const tops = SIDES.map((s) => topAgency(tx, s)?.code).filter((c): c is string => !!c);
  const r = publish(
    tx,
    deps,
    { kind, scope: 'sides', agencyCode: '', side: null, title: titleOf(kind, sidesName, period), period, data: buildReportData(tx, admin, kind, period, now) },
    agencies.map((a) => `agency:${a.code}`),
    tops,
  );
  if (r) out.push(r);
  return out;
}

/** The job: this run's reports, and the timer set for the next run. */
export function runReports(tx: Tx, deps: Deps, kind: ReportKind) {
  generateReports(tx, deps, kind);
  scheduleTimer(tx, { id: TIMER[kind], name: JOB[kind], dueAt: nextRun(kind, deps.clock.now()), payload: { kind } });
}

// ───────────────────────── reads ─────────────────────────

export function loadReport(tx: Tx, p: Principal, id: string): ReportRow {
  const r = tx.select().from(reports).where(eq(reports.id, id)).get();
  if (!r || !canSeeReport(tx, p, r)) throw notFound('report', id);
  return r;
}

export interface ReportFilter {
  kind?: ReportKind;
  scope?: ReportScope;
  agencyCode?: string;
}

/** Newest first; keyset on (publishedAt, id). */
export function listReports(tx: Tx, p: Principal, f: ReportFilter, limit: number, after?: { c: string; i: string }): ReportRow[] {
  const vis = reportsVisibleWhere(tx, p);
  if (vis === 'none') return [];
  const conds: (SQL | undefined)[] = [vis];
  if (f.kind) conds.push(eq(reports.kind, f.kind));
  if (f.scope) conds.push(eq(reports.scope, f.scope));
  if (f.agencyCode) conds.push(eq(reports.agencyCode, f.agencyCode));
  if (after) conds.push(afterKey(reports.publishedAt, reports.id, { value: after.c, id: after.i }, 'desc'));
  return tx
    .select()
    .from(reports)
    .where(and(...conds))
    .orderBy(desc(reports.publishedAt), desc(reports.id))
    .limit(limit)
    .all();
}
