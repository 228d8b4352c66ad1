/** The rectification ledger (整改台账): tasks, weekly progress, close-off (销号) with on-site check and public notice. */
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { addDays, chinaDate, endOfChinaDay, parseDate } from '../calendar.js';
import { afterKey, visiblePage } from '../db/keyset.js';
import { conflict, denied, fieldError, notFound } from '../http/problem.js';
import { checkIfMatch, checkVersion, type Expected } from '../http/versioning.js';
import { agencyAncestors, getAgency, isAbove, topAgency } from '../reference/hierarchy.js';
import { scheduleTimer, cancelTimer } from '../queue/timers.js';
import { notify } from '../notifications/index.js';
import { otherSide } from '../domain/index.js';
import {
  rectificationProgress,
  rectificationReviews,
  rectificationTasks,
  type ProgressRow,
  type ReviewAction,
  type ReviewRow,
  type TaskRow,
  type TaskStatus,
} from './tables.js';
import type { CreateTaskBody, PatchTaskBody, ProgressBody } from './schemas.js';
import { canSeeTask } from './visibility.js';
import { emitTask, taskAgencies } from './events.js';

export type { TaskRow, ProgressRow, ReviewRow } from './tables.js';

export const DUE_JOB = 'rectification.due';
export const WEEK_JOB = 'rectification.week';
export const NOTICE_JOB = 'rectification.notice';
const dueTimerId = (id: string) => `rt-due-${id}`;
const weekTimerId = (id: string) => `rt-week-${id}`;
const noticeTimerId = (id: string) => `rt-notice-${id}`;

const SUBJECT = (id: string) => `rectification-tasks/${id}`;

// ───────────────────────── weeks (Monday–Sunday, China time) ─────────────────────────

/** Monday of the week a China date falls in. */
export function weekOf(d: string): string {
  const dow = new Date(parseDate(d)).getUTCDay(); // 0 = Sunday
  return addDays(d, dow === 0 ? -6 : 1 - dow);
}

/** The instant a week (given by its Monday) ends: 24:00 China time of its Sunday. */
const weekEnd = (monday: string) => endOfChinaDay(addDays(monday, 6));

// ───────────────────────── policy: one rule per action ─────────────────────────

/**
 * Who may do what with a task, written once (routes and jobs use these):
 * - create: admins; supervisors for their own agency or one below it (as lead).
 * - edit, report progress, apply for close-off: the lead agency (its supervisors; progress also
 *   its inspectors); admins may edit.
 * - approve/reject a close-off, reopen, put under listed supervision: the supervising agency or an
 *   agency above it — never the lead agency itself (the checker must be another agency); admins.
 * A caller who cannot see the task gets 404 before any of these.
 */
export const policy = {
  create(p: Principal, db: Tx, leadAgencyCode: string) {
    if (p.role === 'admin') return;
    if (p.role === 'supervisor' && p.agencyCode && (p.agencyCode === leadAgencyCode || isAbove(db, p.agencyCode, leadAgencyCode))) return;
    throw denied('task-create', 'Only admins, and supervisors of the lead agency or an agency above it, add tasks to the ledger.');
  },
  lead(p: Principal, t: TaskRow, what: string, roles: readonly string[] = ['supervisor']) {
    if (p.agencyCode === t.leadAgencyCode && roles.includes(p.role)) return;
    throw denied('lead-agency-only', `Only the lead agency ${t.leadAgencyCode} ${what}.`);
  },
  edit(p: Principal, t: TaskRow) {
    if (p.role === 'admin') return;
    policy.lead(p, t, 'edits the task');
  },
  check(p: Principal, db: Tx, t: TaskRow, what: string) {
    if (p.role === 'admin') return;
    if (p.agencyCode === t.leadAgencyCode)
      throw denied('checker-not-lead', `The lead agency cannot ${what} its own task: the check is by another agency (${t.supervisingAgencyCode} or above).`);
    if (p.role === 'supervisor' && p.agencyCode && (p.agencyCode === t.supervisingAgencyCode || isAbove(db, p.agencyCode, t.supervisingAgencyCode))) return;
    throw denied('supervising-agency-only', `Only the supervising agency ${t.supervisingAgencyCode} (or one above it) may ${what}.`);
  },
};

// ───────────────────────── reads ─────────────────────────

export const getTask = (db: Tx, id: string) => db.select().from(rectificationTasks).where(eq(rectificationTasks.id, id)).get();

/** The task if the caller may see it; 404 otherwise (whether or not it exists). */
export function loadTask(db: Tx, p: Principal, id: string): TaskRow {
  const t = getTask(db, id);
  if (!t || !canSeeTask(db, p, t)) throw notFound('rectification task', id);
  return t;
}

export const progressOf = (db: Tx, taskId: string, limit = 52): ProgressRow[] =>
  db.select().from(rectificationProgress).where(eq(rectificationProgress.taskId, taskId)).orderBy(desc(rectificationProgress.weekOf)).limit(limit).all();

export const reviewsOf = (db: Tx, taskId: string): ReviewRow[] =>
  db
    .select()
    .from(rectificationReviews)
    .where(eq(rectificationReviews.taskId, taskId))
    .orderBy(asc(rectificationReviews.at), asc(rectificationReviews.id))
    .all();

export interface TaskFilter {
  status?: TaskStatus;
  leadAgencyCode?: string;
  agencyCode?: string;
  overdue?: boolean;
}

/** A page of tasks the caller sees, oldest first. Visibility is checked per row (the ledger is small: hundreds of tasks). */
export function listTasks(db: Tx, p: Principal, f: TaskFilter, limit: number, after?: { c: string; i: string }): TaskRow[] {
  const filters: (SQL | undefined)[] = [];
  if (f.status) filters.push(eq(rectificationTasks.status, f.status));
  if (f.leadAgencyCode) filters.push(eq(rectificationTasks.leadAgencyCode, f.leadAgencyCode));
  if (f.overdue !== undefined) filters.push(eq(rectificationTasks.overdue, f.overdue));
  if (f.agencyCode)
    filters.push(
      sql`(${rectificationTasks.leadAgencyCode} = ${f.agencyCode} OR ${rectificationTasks.supervisingAgencyCode} = ${f.agencyCode} OR EXISTS (SELECT 1 FROM json_each(${rectificationTasks.coAgencyCodes}) WHERE value = ${f.agencyCode}))`,
    );
  return visiblePage(
    (cursor, n) =>
      db
        .select()
        .from(rectificationTasks)
        .where(and(...filters, afterKey(rectificationTasks.createdAt, rectificationTasks.id, cursor && { value: cursor.c, id: cursor.i }, 'asc')))
        .orderBy(asc(rectificationTasks.createdAt), asc(rectificationTasks.id))
        .limit(n)
        .all(),
    (t) => canSeeTask(db, p, t),
    (t) => ({ c: t.createdAt, i: t.id }),
    limit,
    after,
  );
}

/** Tasks in public notice or closed off (GET /v1/public/rectification-tasks). */
export function listPublicTasks(db: Tx, status: 'public_notice' | 'closed_off' | undefined, limit: number, after?: { c: string; i: string }): TaskRow[] {
  const statuses = status ? [status] : ['public_notice', 'closed_off'];
  return db
    .select()
    .from(rectificationTasks)
    .where(
      and(
        sql`${rectificationTasks.status} IN (${sql.join(
          statuses.map((s) => sql`${s}`),
          sql`, `,
        )})`,
        afterKey(rectificationTasks.createdAt, rectificationTasks.id, after && { value: after.c, id: after.i }, 'asc'),
      ),
    )
    .orderBy(asc(rectificationTasks.createdAt), asc(rectificationTasks.id))
    .limit(limit)
    .all();
}

/** The latest approval opinion of each task (public notice shows the check), in one read. */
export function checkOpinions(db: Tx, ids: string[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (!ids.length) return out;
  const rows = db
    .select({ taskId: rectificationReviews.taskId, text: rectificationReviews.text })
    .from(rectificationReviews)
    .where(and(inArray(rectificationReviews.taskId, ids), eq(rectificationReviews.action, 'close_off_approved')))
    .orderBy(asc(rectificationReviews.at), asc(rectificationReviews.id))
    .all();
  for (const r of rows) out.set(r.taskId, r.text); // later approvals overwrite earlier ones
  return out;
}

// ───────────────────────── writes ─────────────────────────

type NewTask = Static<typeof CreateTaskBody>;

function checkAgency(tx: Tx, code: string, field: string) {
  const a = getAgency(tx, code);
  if (!a) throw fieldError(field, `unknown agency ${code}`);
  return a;
}

/** Default checker: the lead's parent; a top agency is checked by the other side's top agency. */
function defaultSupervisor(tx: Tx, leadCode: string, side: 'region' | 'corps'): string {
  const parent = agencyAncestors(tx, leadCode)[0];
  if (parent) return parent.code;
  const other = topAgency(tx, otherSide(side));
  if (!other) throw fieldError('body/supervisingAgencyCode', 'required: the lead agency has no parent and the other side has no top agency');
  return other.code;
}

function validateMilestones(dueOn: string, milestones: { dueOn: string }[], field = 'body') {
  milestones.forEach((m, i) => {
    if (m.dueOn > dueOn) throw fieldError(`${field}/milestones/${i}/dueOn`, `is after the task's due date ${dueOn}`);
  });
}

function validateDueOn(today: string, dueOn: string, field = 'body') {
  if (dueOn < today) throw fieldError(`${field}/dueOn`, `is before the task was created (${today}, China time)`);
}

function validateCo(tx: Tx, lead: string, co: string[], supervising: string, field = 'body') {
  co.forEach((c, i) => {
    checkAgency(tx, c, `${field}/coAgencyCodes/${i}`);
    if (c === lead) throw fieldError(`${field}/coAgencyCodes/${i}`, 'is the lead agency');
  });
  if (supervising === lead) throw fieldError(`${field}/supervisingAgencyCode`, 'must be another agency than the lead (the check is by another agency)');
}

export function createTask(tx: Tx, deps: Deps, p: Principal, b: NewTask, field = 'body'): TaskRow {
  const lead = checkAgency(tx, b.leadAgencyCode, `${field}/leadAgencyCode`);
  policy.create(p, tx, lead.code);
  const supervising = b.supervisingAgencyCode
    ? checkAgency(tx, b.supervisingAgencyCode, `${field}/supervisingAgencyCode`).code
    : defaultSupervisor(tx, lead.code, lead.side);
  const co = b.coAgencyCodes ?? [];
  validateCo(tx, lead.code, co, supervising, field);
  const now = deps.clock.now();
  const today = chinaDate(now);
  validateDueOn(today, b.dueOn, field);
  validateMilestones(b.dueOn, b.milestones ?? [], field);
  if (tx.select({ id: rectificationTasks.id }).from(rectificationTasks).where(eq(rectificationTasks.code, b.code)).get())
    throw conflict('task-code-taken', `A task with code ${b.code} is already in the ledger.`, { code: b.code });
  const at = now.toISOString();
  const row = tx
    .insert(rectificationTasks)
    .values({
      id: newId(),
      code: b.code,
      title: b.title,
      origin: b.origin,
      kind: b.kind,
      leadAgencyCode: lead.code,
      leadSide: lead.side,
      coAgencyCodes: co,
      supervisingAgencyCode: supervising,
      responsiblePerson: b.responsiblePerson,
      measures: b.measures,
      target: b.target,
      dueOn: b.dueOn,
      milestones: (b.milestones ?? []).map((m) => ({ title: m.title, dueOn: m.dueOn, doneOn: m.doneOn ?? null })),
      status: 'open',
      overdue: false,
      missedWeeks: [],
      reopenCount: 0,
      createdBy: p.keyId,
      createdAt: at,
      updatedAt: at,
      version: 1,
    })
    .returning()
    .get();
  scheduleTimer(tx, { id: dueTimerId(row.id), name: DUE_JOB, dueAt: endOfChinaDay(row.dueOn), payload: { id: row.id } });
  // Weekly reports are owed from the first full week after the task was added.
  scheduleWeek(tx, row.id, addDays(weekOf(today), 7));
  emitTask(tx, deps, row, 'rectification_task.created', { title: row.title, leadAgencyCode: row.leadAgencyCode, dueOn: row.dueOn }, p.agencyCode);
  return row;
}

const scheduleWeek = (tx: Tx, id: string, monday: string) =>
  scheduleTimer(tx, { id: weekTimerId(id), name: WEEK_JOB, dueAt: weekEnd(monday), payload: { id, weekOf: monday } });

/** All tasks or none: the first bad one is named by its index (`body/tasks/<i>/…`). */
export function importTasks(tx: Tx, deps: Deps, p: Principal, tasks: NewTask[]): TaskRow[] {
  const codes = new Set<string>();
  return tasks.map((t, i) => {
    if (codes.has(t.code)) throw fieldError(`body/tasks/${i}/code`, `duplicates an earlier task in this import (${t.code})`);
    codes.add(t.code);
    return createTask(tx, deps, p, t, `body/tasks/${i}`);
  });
}

function save(tx: Tx, deps: Deps, t: TaskRow, set: Partial<TaskRow>): TaskRow {
  return tx
    .update(rectificationTasks)
    .set({ ...set, updatedAt: deps.clock.now().toISOString(), version: t.version + 1 })
    .where(eq(rectificationTasks.id, t.id))
    .returning()
    .get();
}

function review(
  tx: Tx,
  deps: Deps,
  t: TaskRow,
  action: ReviewAction,
  p: Principal | null,
  r: { text?: string | null; reasons?: string[]; evidence?: string[] } = {},
) {
  tx.insert(rectificationReviews)
    .values({
      id: newId(),
      taskId: t.id,
      action,
      byAgencyCode: p?.agencyCode ?? null,
      byKeyId: p?.keyId ?? null,
      text: r.text ?? null,
      reasons: r.reasons ?? [],
      evidence: r.evidence ?? [],
      at: deps.clock.now().toISOString(),
    })
    .run();
}

const LOCKED: TaskStatus[] = ['public_notice', 'closed_off'];

export function patchTask(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof PatchTaskBody>): TaskRow {
  const t = loadTask(tx, p, id);
  policy.edit(p, t);
  checkVersion(expected, t.version, 'rectification task', id);
  if (LOCKED.includes(t.status)) throw conflict('task-closed', `Task ${t.code} is ${t.status}: it can no longer be changed (reopen it first).`);
  const co = b.coAgencyCodes ?? t.coAgencyCodes;
  validateCo(tx, t.leadAgencyCode, co, t.supervisingAgencyCode);
  const dueOn = b.dueOn ?? t.dueOn;
  const milestones = b.milestones ? b.milestones.map((m) => ({ title: m.title, dueOn: m.dueOn, doneOn: m.doneOn ?? null })) : t.milestones;
  if (b.dueOn) validateDueOn(chinaDate(deps.clock.now()), dueOn);
  validateMilestones(dueOn, milestones);
  const changed = Object.keys(b);
  const now = deps.clock.now();
  const stillLate = t.overdue && endOfChinaDay(dueOn) <= now;
  const next = save(tx, deps, t, { ...b, coAgencyCodes: co, milestones, dueOn, overdue: stillLate, overdueAt: stillLate ? t.overdueAt : null });
  if (b.dueOn) scheduleTimer(tx, { id: dueTimerId(t.id), name: DUE_JOB, dueAt: endOfChinaDay(dueOn), payload: { id: t.id } });
  emitTask(tx, deps, next, 'rectification_task.updated', { changed }, p.agencyCode);
  return next;
}

export function reportProgress(tx: Tx, deps: Deps, p: Principal, id: string, b: Static<typeof ProgressBody>): ProgressRow {
  const t = loadTask(tx, p, id);
  policy.lead(p, t, 'reports progress', ['supervisor', 'inspector']);
  if (t.status !== 'open') throw conflict('task-not-open', `Task ${t.code} is ${t.status}: progress is reported while it is open.`);
  const today = chinaDate(deps.clock.now());
  if (b.periodEnd > today) throw fieldError('body/periodEnd', `is in the future (today is ${today}, China time)`);
  if (b.periodEnd < chinaDate(new Date(t.createdAt))) throw fieldError('body/periodEnd', 'is before the task was added to the ledger');
  const wk = weekOf(b.periodEnd);
  const prior = tx
    .select({ id: rectificationProgress.id })
    .from(rectificationProgress)
    .where(and(eq(rectificationProgress.taskId, t.id), eq(rectificationProgress.weekOf, wk)))
    .get();
  if (prior)
    throw conflict('progress-already-reported', `Progress for the week of ${wk} is already reported for task ${t.code}: one report per week.`, { weekOf: wk });
  const row = tx
    .insert(rectificationProgress)
    .values({
      id: newId(),
      taskId: t.id,
      weekOf: wk,
      periodEnd: b.periodEnd,
      status: b.status,
      text: b.text,
      evidence: b.evidence ?? [],
      byKeyId: p.keyId,
      byAgencyCode: p.agencyCode!,
      createdAt: deps.clock.now().toISOString(),
    })
    .returning()
    .get();
  // A late report for a missed week clears the flag for that week.
  const missed = t.missedWeeks.filter((w) => w !== wk);
  const next = save(tx, deps, t, { missedWeeks: missed });
  emitTask(tx, deps, next, 'rectification_task.progress_reported', { weekOf: wk, periodEnd: b.periodEnd, progressStatus: b.status }, p.agencyCode);
  return row;
}

export function requestCloseOff(
  tx: Tx,
  deps: Deps,
  p: Principal,
  id: string,
  expected: Expected | undefined,
  b: { text: string; evidence: string[] },
): TaskRow {
  const t = loadTask(tx, p, id);
  policy.lead(p, t, 'applies for close-off');
  checkIfMatch(expected, t.version, 'rectification task', id);
  if (t.status !== 'open') throw conflict('task-not-open', `Task ${t.code} is ${t.status}: only an open task can apply for close-off.`);
  const next = save(tx, deps, t, { status: 'close_off_requested' });
  review(tx, deps, t, 'close_off_requested', p, { text: b.text, evidence: b.evidence });
  emitTask(tx, deps, next, 'rectification_task.close_off_requested', { evidenceCount: b.evidence.length }, p.agencyCode);
  notify(tx, deps, {
    kind: 'rectification_close_off_requested',
    agencyCode: t.supervisingAgencyCode,
    subject: SUBJECT(t.id),
    message: `整改任务 ${t.code}「${t.title}」牵头单位 ${t.leadAgencyCode} 申请销号，请现场核查。`,
    actorAgencyCode: p.agencyCode,
  });
  return next;
}

export function approveCloseOff(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: { text: string }): TaskRow {
  const t = loadTask(tx, p, id);
  policy.check(p, tx, t, 'approve the close-off of');
  checkIfMatch(expected, t.version, 'rectification task', id);
  if (t.status !== 'close_off_requested')
    throw conflict('no-close-off-request', `Task ${t.code} is ${t.status}: there is no close-off application to approve.`);
  const noticeEndsOn = addDays(chinaDate(deps.clock.now()), deps.config.rectificationNoticeDays - 1);
  const next = save(tx, deps, t, { status: 'public_notice', noticeEndsOn, overdue: false, overdueAt: null });
  review(tx, deps, t, 'close_off_approved', p, { text: b.text });
  scheduleTimer(tx, { id: noticeTimerId(t.id), name: NOTICE_JOB, dueAt: endOfChinaDay(noticeEndsOn), payload: { id: t.id } });
  cancelTimer(tx, dueTimerId(t.id), deps.clock.now());
  emitTask(tx, deps, next, 'rectification_task.close_off_approved', { noticeEndsOn }, p.agencyCode);
  return next;
}

export function rejectCloseOff(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: { reasons: string[] }): TaskRow {
  const t = loadTask(tx, p, id);
  policy.check(p, tx, t, 'reject the close-off of');
  checkIfMatch(expected, t.version, 'rectification task', id);
  if (t.status !== 'close_off_requested') throw conflict('no-close-off-request', `Task ${t.code} is ${t.status}: there is no close-off application to reject.`);
  const next = save(tx, deps, t, { status: 'open' });
  review(tx, deps, t, 'close_off_rejected', p, { reasons: b.reasons });
  emitTask(tx, deps, next, 'rectification_task.close_off_rejected', { reasons: b.reasons }, p.agencyCode);
  notify(tx, deps, {
    kind: 'rectification_close_off_rejected',
    agencyCode: t.leadAgencyCode,
    subject: SUBJECT(t.id),
    message: `整改任务 ${t.code} 销号申请未通过：${b.reasons.join('；')}`,
    actorAgencyCode: p.agencyCode,
  });
  resumeWeeks(tx, deps, t.id);
  return next;
}

/** 回头看: a closed-off task found wanting is open again, with its deadline clock and weekly reports. */
export function reopenTask(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: { reason: string }): TaskRow {
  const t = loadTask(tx, p, id);
  policy.check(p, tx, t, 'reopen');
  checkIfMatch(expected, t.version, 'rectification task', id);
  if (t.status !== 'closed_off') throw conflict('task-not-closed-off', `Task ${t.code} is ${t.status}: only a closed-off task is reopened after a re-check.`);
  const next = save(tx, deps, t, { status: 'open', closedOffAt: null, noticeEndsOn: null, reopenCount: t.reopenCount + 1 });
  review(tx, deps, t, 'reopened', p, { text: b.reason });
  scheduleTimer(tx, { id: dueTimerId(t.id), name: DUE_JOB, dueAt: endOfChinaDay(t.dueOn), payload: { id: t.id } });
  resumeWeeks(tx, deps, t.id);
  emitTask(tx, deps, next, 'rectification_task.reopened', { reason: b.reason }, p.agencyCode);
  notify(tx, deps, {
    kind: 'rectification_reopened',
    agencyCode: t.leadAgencyCode,
    subject: SUBJECT(t.id),
    message: `整改任务 ${t.code} 经回头看重新打开：${b.reason}`,
    actorAgencyCode: p.agencyCode,
  });
  return next;
}

export function listForSupervision(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: { reason: string }): TaskRow {
  const t = loadTask(tx, p, id);
  policy.check(p, tx, t, 'put under listed supervision');
  checkIfMatch(expected, t.version, 'rectification task', id);
  if (t.status !== 'open' && t.status !== 'close_off_requested') throw conflict('task-closed', `Task ${t.code} is ${t.status}.`);
  if (!t.overdue && t.missedWeeks.length === 0)
    throw conflict('task-not-late', `Task ${t.code} is neither overdue nor behind on its weekly reports: listed supervision is for late tasks.`);
  if (t.listedSupervisionBy) throw conflict('already-listed', `Task ${t.code} is already under listed supervision by ${t.listedSupervisionBy}.`);
  const next = save(tx, deps, t, { listedSupervisionBy: p.agencyCode ?? t.supervisingAgencyCode, listedSupervisionAt: deps.clock.now().toISOString() });
  review(tx, deps, t, 'listed_supervision', p, { text: b.reason });
  emitTask(tx, deps, next, 'rectification_task.listed_supervision', { byAgencyCode: next.listedSupervisionBy, reason: b.reason }, p.agencyCode);
  notify(tx, deps, {
    kind: 'rectification_listed',
    agencyCode: t.leadAgencyCode,
    subject: SUBJECT(t.id),
    message: `整改任务 ${t.code} 被挂牌督办：${b.reason}`,
    actorAgencyCode: p.agencyCode,
  });
  return next;
}

/** Weekly reports are owed again from the current week. */
function resumeWeeks(tx: Tx, deps: Deps, id: string) {
  scheduleWeek(tx, id, weekOf(chinaDate(deps.clock.now())));
}

// ───────────────────────── timers ─────────────────────────

/** The due date passed: overdue unless signed off; both the lead and the supervising agency are told. */
export function onDue(tx: Tx, deps: Deps, id: string) {
  const t = getTask(tx, id);
  if (!t || LOCKED.includes(t.status) || t.overdue) return;
  if (endOfChinaDay(t.dueOn) > deps.clock.now()) return; // moved later since: a stale timer
  const next = save(tx, deps, t, { overdue: true, overdueAt: deps.clock.now().toISOString() });
  emitTask(tx, deps, next, 'rectification_task.overdue', { dueOn: t.dueOn }, null);
  for (const agencyCode of new Set([t.leadAgencyCode, t.supervisingAgencyCode]))
    notify(tx, deps, {
      kind: 'rectification_overdue',
      agencyCode,
      subject: SUBJECT(t.id),
      message: `整改任务 ${t.code}「${t.title}」已超过整改时限 ${t.dueOn}，尚未销号。`,
    });
}

/** A week ended: flag it when the open task has no report for it, and wait for the next week. */
export function onWeekEnd(tx: Tx, deps: Deps, id: string, monday: string) {
  const t = getTask(tx, id);
  if (!t || t.status === 'closed_off' || t.status === 'public_notice') return;
  if (t.status === 'open') {
    const reported = tx
      .select({ id: rectificationProgress.id })
      .from(rectificationProgress)
      .where(and(eq(rectificationProgress.taskId, id), eq(rectificationProgress.weekOf, monday)))
      .get();
    if (!reported && !t.missedWeeks.includes(monday)) {
      const next = save(tx, deps, t, { missedWeeks: [...t.missedWeeks, monday] });
      emitTask(tx, deps, next, 'rectification_task.progress_missed', { weekOf: monday }, null);
      notify(tx, deps, {
        kind: 'rectification_progress_missed',
        agencyCode: t.leadAgencyCode,
        subject: SUBJECT(id),
        message: `整改任务 ${t.code} 未报送 ${monday} 当周进展。`,
      });
    }
  }
  scheduleWeek(tx, id, addDays(monday, 7));
}

/** The public notice ran out: closed off (销号). */
export function onNoticeEnd(tx: Tx, deps: Deps, id: string) {
  const t = getTask(tx, id);
  if (!t || t.status !== 'public_notice' || !t.noticeEndsOn || endOfChinaDay(t.noticeEndsOn) > deps.clock.now()) return;
  const next = save(tx, deps, t, { status: 'closed_off', closedOffAt: deps.clock.now().toISOString() });
  review(tx, deps, t, 'closed_off', null);
  cancelTimer(tx, weekTimerId(id), deps.clock.now());
  emitTask(tx, deps, next, 'rectification_task.closed_off', {}, null);
  for (const agencyCode of taskAgencies(t))
    notify(tx, deps, { kind: 'rectification_closed_off', agencyCode, subject: SUBJECT(id), message: `整改任务 ${t.code}「${t.title}」公示期满，已销号。` });
}
