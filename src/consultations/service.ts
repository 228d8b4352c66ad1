/** Joint consultations (会商): convening, attendance, minutes, and decisions followed up to their deadline. */
import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { chinaDate, endOfChinaDay } from '../calendar.js';
import { afterKey, visiblePage } from '../db/keyset.js';
import { conflict, denied, fieldError, notFound } from '../http/problem.js';
import { checkIfMatch, type Expected } from '../http/versioning.js';
import { getAgency, isAbove } from '../reference/hierarchy.js';
import { scheduleTimer, cancelTimer } from '../queue/timers.js';
import { notify } from '../notifications/index.js';
import {
  consultationDecisions,
  consultations,
  decisionProgress,
  type ConsultationRow,
  type DecisionProgressRow,
  type DecisionRow,
  type DecisionStatus,
  type ConsultationKind,
  type ConsultationStatus,
} from './tables.js';
import type { AttendanceBody, CreateConsultationBody, DecisionProgressBody, MinutesBody } from './schemas.js';
import { canSeeConsultation } from './visibility.js';
import { emitConsultation, emitDecision } from './events.js';

export type { ConsultationRow, DecisionRow, DecisionProgressRow } from './tables.js';

export const DECISION_DUE_JOB = 'consultation.decision_due';
const dueTimerId = (id: string) => `cd-due-${id}`;
const SUBJECT = (id: string) => `consultations/${id}`;

// ───────────────────────── policy: one rule per action ─────────────────────────

/**
 * Who may do what, written once (routes and jobs use these):
 * - convene: admins; supervisors of the convening agency or an agency above it.
 * - answer an invitation: supervisors of the invited agency (admins for any).
 * - record the minutes: the convener's supervisors (or an agency above it), admins.
 * - report progress on a decision: the owner agency (supervisors and inspectors).
 * A caller who cannot see the consultation gets 404 before any of these.
 */
export const policy = {
  convene(p: Principal, db: Tx, convener: string) {
    if (p.role === 'admin') return;
    if (p.role === 'supervisor' && p.agencyCode && (p.agencyCode === convener || isAbove(db, p.agencyCode, convener))) return;
    throw denied('convener-only', 'Only admins, and supervisors of the convening agency or an agency above it, convene a consultation.');
  },
  answer(p: Principal, agencyCode: string) {
    if (p.role === 'admin') return;
    if (p.role === 'supervisor' && p.agencyCode === agencyCode) return;
    throw denied('invited-agency-only', `Only supervisors of ${agencyCode} answer its invitation.`);
  },
  minutes(p: Principal, db: Tx, c: ConsultationRow) {
    if (p.role === 'admin') return;
    if (p.role === 'supervisor' && p.agencyCode && (p.agencyCode === c.convenerAgencyCode || isAbove(db, p.agencyCode, c.convenerAgencyCode))) return;
    throw denied('convener-only', `Only the convening agency ${c.convenerAgencyCode} records the minutes.`);
  },
  progress(p: Principal, d: DecisionRow) {
    if ((p.role === 'supervisor' || p.role === 'inspector') && p.agencyCode === d.ownerAgencyCode) return;
    throw denied('decision-owner-only', `Only the owner agency ${d.ownerAgencyCode} reports progress on this decision.`);
  },
};

// ───────────────────────── reads ─────────────────────────

const getConsultation = (db: Tx, id: string) => db.select().from(consultations).where(eq(consultations.id, id)).get();

export function loadConsultation(db: Tx, p: Principal, id: string): ConsultationRow {
  const c = getConsultation(db, id);
  if (!c || !canSeeConsultation(db, p, c)) throw notFound('consultation', id);
  return c;
}

export function loadDecision(db: Tx, p: Principal, id: string): { d: DecisionRow; c: ConsultationRow } {
  const d = db.select().from(consultationDecisions).where(eq(consultationDecisions.id, id)).get();
  const c = d && getConsultation(db, d.consultationId);
  if (!d || !c || !canSeeConsultation(db, p, c)) throw notFound('consultation decision', id);
  return { d, c };
}

export const decisionsOf = (db: Tx, consultationId: string): DecisionRow[] =>
  db.select().from(consultationDecisions).where(eq(consultationDecisions.consultationId, consultationId)).orderBy(asc(consultationDecisions.seq)).all();

const decisionsByIds = (db: Tx, ids: string[]): DecisionRow[] =>
  ids.length
    ? db
        .select()
        .from(consultationDecisions)
        .where(inArray(consultationDecisions.id, ids))
        .orderBy(asc(consultationDecisions.dueOn), asc(consultationDecisions.id))
        .all()
    : [];

/**
 * The open decisions a regular consultation lists on its agenda (督办事项): those of earlier
 * consultations (scheduled before it) owned by one of its participants. Live until its minutes are
 * recorded; then frozen as they stood.
 */
export function openDecisionsFor(db: Tx, c: ConsultationRow): DecisionRow[] {
  if (c.kind !== 'regular') return [];
  if (c.carriedOver) return decisionsByIds(db, c.carriedOver);
  return db
    .select({ d: consultationDecisions })
    .from(consultationDecisions)
    .innerJoin(consultations, eq(consultations.id, consultationDecisions.consultationId))
    .where(
      and(
        eq(consultationDecisions.status, 'open'),
        inArray(consultationDecisions.ownerAgencyCode, c.agencyCodes),
        lt(consultations.scheduledAt, c.scheduledAt),
      ),
    )
    .orderBy(asc(consultationDecisions.dueOn), asc(consultationDecisions.id))
    .all()
    .map((r) => r.d);
}

/** The latest progress report of each decision, in one read. */
export function lastProgressOf(db: Tx, ids: string[]): Map<string, DecisionProgressRow> {
  const out = new Map<string, DecisionProgressRow>();
  if (!ids.length) return out;
  const rows = db
    .select()
    .from(decisionProgress)
    .where(inArray(decisionProgress.decisionId, ids))
    .orderBy(asc(decisionProgress.at), asc(decisionProgress.id))
    .all();
  for (const r of rows) out.set(r.decisionId, r);
  return out;
}

export interface ConsultationFilter {
  kind?: ConsultationKind;
  status?: ConsultationStatus;
  agencyCode?: string;
}

/** A page of consultations the caller sees, by date (latest first). Visibility per row: consultations are few. */
export function listConsultations(db: Tx, p: Principal, f: ConsultationFilter, limit: number, after?: { c: string; i: string }): ConsultationRow[] {
  const filters: (SQL | undefined)[] = [];
  if (f.kind) filters.push(eq(consultations.kind, f.kind));
  if (f.status) filters.push(eq(consultations.status, f.status));
  if (f.agencyCode) filters.push(sql`EXISTS (SELECT 1 FROM json_each(${consultations.agencyCodes}) WHERE value = ${f.agencyCode})`);
  return visiblePage(
    (cursor, n) =>
      db
        .select()
        .from(consultations)
        .where(and(...filters, afterKey(consultations.scheduledAt, consultations.id, cursor && { value: cursor.c, id: cursor.i }, 'desc')))
        .orderBy(desc(consultations.scheduledAt), desc(consultations.id))
        .limit(n)
        .all(),
    (c) => canSeeConsultation(db, p, c),
    (c) => ({ c: c.scheduledAt, i: c.id }),
    limit,
    after,
  );
}

export interface DecisionFilter {
  status?: DecisionStatus;
  ownerAgencyCode?: string;
  overdue?: boolean;
}

/** A page of decisions the caller sees (through their consultations), by due date. */
export function listDecisions(db: Tx, p: Principal, f: DecisionFilter, limit: number, after?: { c: string; i: string }): DecisionRow[] {
  const filters: (SQL | undefined)[] = [];
  if (f.status) filters.push(eq(consultationDecisions.status, f.status));
  if (f.ownerAgencyCode) filters.push(eq(consultationDecisions.ownerAgencyCode, f.ownerAgencyCode));
  if (f.overdue !== undefined) filters.push(eq(consultationDecisions.overdue, f.overdue));
  // One visibility check per consultation, however many of its decisions the page holds.
  const seen = new Map<string, boolean>();
  const visible = (r: { d: DecisionRow; agencyCodes: string[] }) => {
    let can = seen.get(r.d.consultationId);
    if (can === undefined) seen.set(r.d.consultationId, (can = canSeeConsultation(db, p, r)));
    return can;
  };
  return visiblePage(
    (cursor, n) =>
      db
        .select({ d: consultationDecisions, agencyCodes: consultations.agencyCodes })
        .from(consultationDecisions)
        .innerJoin(consultations, eq(consultations.id, consultationDecisions.consultationId))
        .where(and(...filters, afterKey(consultationDecisions.dueOn, consultationDecisions.id, cursor && { value: cursor.c, id: cursor.i }, 'asc')))
        .orderBy(asc(consultationDecisions.dueOn), asc(consultationDecisions.id))
        .limit(n)
        .all(),
    visible,
    (r) => ({ c: r.d.dueOn, i: r.d.id }),
    limit,
    after,
  ).map((r) => r.d);
}

export const progressOfDecision = (db: Tx, id: string): DecisionProgressRow[] =>
  db.select().from(decisionProgress).where(eq(decisionProgress.decisionId, id)).orderBy(asc(decisionProgress.at), asc(decisionProgress.id)).all();

// ───────────────────────── writes ─────────────────────────

function save(tx: Tx, deps: Deps, c: ConsultationRow, set: Partial<ConsultationRow>): ConsultationRow {
  return tx
    .update(consultations)
    .set({ ...set, updatedAt: deps.clock.now().toISOString(), version: c.version + 1 })
    .where(eq(consultations.id, c.id))
    .returning()
    .get();
}

export function convene(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateConsultationBody>): ConsultationRow {
  const convener = getAgency(tx, b.convenerAgencyCode);
  if (!convener) throw fieldError('body/convenerAgencyCode', `unknown agency ${b.convenerAgencyCode}`);
  policy.convene(p, tx, convener.code);
  const sides = new Set([convener.side]);
  b.agencyCodes.forEach((code, i) => {
    const a = getAgency(tx, code);
    if (!a) throw fieldError(`body/agencyCodes/${i}`, `unknown agency ${code}`);
    sides.add(a.side);
  });
  if (sides.size < 2) throw fieldError('body/agencyCodes', 'a joint consultation takes agencies of both sides (自治区 and 兵团); all invited are of one side');
  const now = deps.clock.now();
  if (new Date(b.scheduledAt) < now) throw fieldError('body/scheduledAt', 'is in the past');
  const at = now.toISOString();
  const agencyCodes = [convener.code, ...b.agencyCodes.filter((c) => c !== convener.code)];
  const row = tx
    .insert(consultations)
    .values({
      id: newId(),
      kind: b.kind,
      title: b.title,
      convenerAgencyCode: convener.code,
      convenerSide: convener.side,
      agencyCodes,
      scheduledAt: new Date(b.scheduledAt).toISOString(),
      place: b.place ?? null,
      agenda: b.agenda.map((a) => ({ title: a.title, links: a.links ?? [] })),
      attendance: agencyCodes.map((code) => ({
        agencyCode: code,
        status: code === convener.code ? 'confirmed' : 'invited',
        note: null,
        at: code === convener.code ? at : null,
      })),
      carriedOver: null,
      status: 'scheduled',
      minutes: null,
      createdBy: p.keyId,
      createdAt: at,
      updatedAt: at,
      version: 1,
    })
    .returning()
    .get();
  emitConsultation(tx, deps, row, 'consultation.scheduled', { title: row.title, scheduledAt: row.scheduledAt, agencyCodes }, p.agencyCode);
  for (const code of agencyCodes.slice(1))
    notify(tx, deps, {
      kind: 'consultation_invited',
      agencyCode: code,
      subject: SUBJECT(row.id),
      message: `${convener.name}召集会商「${row.title}」，时间 ${row.scheduledAt}，请确认参会。`,
      actorAgencyCode: convener.code,
    });
  return row;
}

export function answerInvitation(
  tx: Tx,
  deps: Deps,
  p: Principal,
  id: string,
  expected: Expected | undefined,
  b: Static<typeof AttendanceBody>,
): ConsultationRow {
  const c = loadConsultation(tx, p, id);
  const i = c.attendance.findIndex((a) => a.agencyCode === b.agencyCode);
  if (i < 0) throw fieldError('body/agencyCode', `${b.agencyCode} is not invited to this consultation`);
  policy.answer(p, b.agencyCode);
  checkIfMatch(expected, c.version, 'consultation', id);
  if (c.status !== 'scheduled') throw conflict('consultation-held', 'The consultation has taken place: attendance is recorded in its minutes.');
  const status = b.attending ? 'confirmed' : 'declined';
  const attendance = c.attendance.map((a, j) =>
    j === i ? { ...a, status, note: b.note ?? null, at: deps.clock.now().toISOString() } : a,
  ) as ConsultationRow['attendance'];
  const next = save(tx, deps, c, { attendance });
  emitConsultation(tx, deps, next, 'consultation.attendance_answered', { agencyCode: b.agencyCode, attendance: status }, p.agencyCode);
  return next;
}

export function recordMinutes(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof MinutesBody>): ConsultationRow {
  const c = loadConsultation(tx, p, id);
  policy.minutes(p, tx, c);
  checkIfMatch(expected, c.version, 'consultation', id);
  const now = deps.clock.now();
  if (c.status === 'held') throw conflict('minutes-recorded', 'The minutes of this consultation are already recorded.');
  if (new Date(c.scheduledAt) > now)
    throw conflict('consultation-not-held-yet', `The consultation is scheduled for ${c.scheduledAt}: minutes are recorded after it took place.`, {
      scheduledAt: c.scheduledAt,
    });
  const meetingDay = chinaDate(new Date(c.scheduledAt));
  const owners = b.decisions.map((d, i) => {
    if (!c.agencyCodes.includes(d.ownerAgencyCode))
      throw fieldError(`body/decisions/${i}/ownerAgencyCode`, `${d.ownerAgencyCode} does not take part in this consultation`);
    if (d.dueOn < meetingDay) throw fieldError(`body/decisions/${i}/dueOn`, `is before the consultation (${meetingDay}, China time)`);
    return getAgency(tx, d.ownerAgencyCode)!;
  });
  const carriedOver = openDecisionsFor(tx, c).map((d) => d.id);
  const at = now.toISOString();
  const next = save(tx, deps, c, {
    status: 'held',
    carriedOver: c.kind === 'regular' ? carriedOver : null,
    minutes: { attendees: b.attendees, text: b.text, recordedAt: at, recordedBy: p.keyId },
  });
  b.decisions.forEach((d, i) => {
    const row = tx
      .insert(consultationDecisions)
      .values({
        id: newId(),
        consultationId: c.id,
        seq: i + 1,
        text: d.text,
        ownerAgencyCode: owners[i].code,
        ownerSide: owners[i].side,
        dueOn: d.dueOn,
        status: 'open',
        overdue: false,
        createdAt: at,
        updatedAt: at,
        version: 1,
      })
      .returning()
      .get();
    scheduleTimer(tx, { id: dueTimerId(row.id), name: DECISION_DUE_JOB, dueAt: endOfChinaDay(row.dueOn), payload: { id: row.id } });
    notify(tx, deps, {
      kind: 'consultation_decision',
      agencyCode: row.ownerAgencyCode,
      subject: `consultation-decisions/${row.id}`,
      message: `会商「${c.title}」议定事项 ${row.seq}：${row.text}（${row.dueOn} 前完成）`,
      actorAgencyCode: c.convenerAgencyCode,
    });
  });
  emitConsultation(tx, deps, next, 'consultation.minutes_recorded', { decisions: b.decisions.length, carriedOver: carriedOver.length }, p.agencyCode);
  return next;
}

export function reportDecisionProgress(tx: Tx, deps: Deps, p: Principal, id: string, b: Static<typeof DecisionProgressBody>): DecisionProgressRow {
  const { d, c } = loadDecision(tx, p, id);
  policy.progress(p, d);
  if (d.status === 'done') throw conflict('decision-done', 'This decision is already reported carried out.');
  const at = deps.clock.now().toISOString();
  const row = tx
    .insert(decisionProgress)
    .values({ id: newId(), decisionId: d.id, text: b.text, done: b.done ?? false, byAgencyCode: p.agencyCode!, byKeyId: p.keyId, at })
    .returning()
    .get();
  const next = tx
    .update(consultationDecisions)
    .set({ updatedAt: at, version: d.version + 1, ...(b.done ? { status: 'done' as const, doneAt: at } : {}) })
    .where(eq(consultationDecisions.id, d.id))
    .returning()
    .get();
  if (b.done) cancelTimer(tx, dueTimerId(d.id), deps.clock.now());
  emitDecision(tx, deps, c, next, b.done ? 'consultation_decision.done' : 'consultation_decision.progress_reported', {}, p.agencyCode);
  return row;
}

// ───────────────────────── timers ─────────────────────────

/** The due date passed with the decision open: overdue; the owner and the convener are told. */
export function onDecisionDue(tx: Tx, deps: Deps, id: string) {
  const d = tx.select().from(consultationDecisions).where(eq(consultationDecisions.id, id)).get();
  if (!d || d.status !== 'open' || d.overdue) return;
  const c = getConsultation(tx, d.consultationId)!;
  const at = deps.clock.now().toISOString();
  const next = tx
    .update(consultationDecisions)
    .set({ overdue: true, overdueAt: at, updatedAt: at, version: d.version + 1 })
    .where(eq(consultationDecisions.id, id))
    .returning()
    .get();
  emitDecision(tx, deps, c, next, 'consultation_decision.overdue', {}, null);
  for (const agencyCode of new Set([d.ownerAgencyCode, c.convenerAgencyCode]))
    notify(tx, deps, {
      kind: 'consultation_decision_overdue',
      agencyCode,
      subject: `consultation-decisions/${d.id}`,
      message: `会商「${c.title}」议定事项 ${d.seq} 已超过完成时限 ${d.dueOn}：${d.text}`,
    });
}
