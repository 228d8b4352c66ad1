import { and, eq, inArray, sql } from 'drizzle-orm';
import { inTx, preparedOnce, sqliteOf, type Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { appendEvent } from '../outbox/index.js';
import { cancelTimer, scheduleTimer } from '../queue/timers.js';
import { newId } from '../ids.js';
import { DAY_MS } from '../clock.js';
import { chinaDate, chinaYear, dayCountDeadline, dayCountDeadlineFrom } from '../calendar.js';
import type { Category } from '../domain/index.js';
import { Problem, badRequest, conflict, denied, notFound, unprocessable, type Denial, type FieldError } from '../http/problem.js';
import { checkIfMatch, checkVersion, type Expected } from '../http/versioning.js';
import type { RoutableSubject, RoutingOutcome, SubjectHooks } from '../domain/routing.js';
import { assignmentsOfSubjects, cancelSubjectAssignments, getAssignment, rerouteAfterCorrection } from '../assignments/service.js';
import { getCase } from '../cases/visibility.js';
import { getSource } from '../cases/sources.js';
import { agencyByAdminCode } from '../reference/hierarchy.js';
import { complaintReviews, complaints, type Attachment, type Channel, type ComplaintStatus } from './tables.js';
import { newQueryCode, type Reporter } from './pii.js';
import { OPEN_STATUSES, findMaster } from './dedup.js';
import { notifyOverdue } from './notify.js';
import { canSee, mayActOnComplaint, type HandlerAction } from './visibility.js';

export type ComplaintRow = typeof complaints.$inferSelect;

export const DEADLINE_JOB = 'complaint.deadline';
export const AUTO_CLOSE_JOB = 'complaint.auto-close';
export const LEAD_CLAIMED_JOB = 'complaint.lead-claimed';
export const acceptTimerId = (id: string) => `c-accept-${id}`;
export const replyTimerId = (id: string) => `c-reply-${id}`;
export const closeTimerId = (id: string) => `c-close-${id}`;

export const pii = (deps: Deps) => {
  const c = deps.services.pii;
  if (!c) throw new Error('intake PII cipher not initialised');
  return c;
};

export interface NewComplaint {
  channel: Channel;
  category: Category;
  description: string;
  location?: { lat: number; lng: number };
  address?: string;
  adminCode?: string;
  occurredAt?: string;
  urgent?: boolean;
  sourceId?: string;
  externalRef?: string;
  attachments?: Attachment[];
  reporter?: { name?: string; phone?: string; email?: string; anonymous: boolean };
}

/** Where a field lives in the caller's request (Open311 uses its own parameter names). */
export type FieldNames = Partial<Record<'location' | 'adminCode' | 'attachments' | 'sourceId', string>>;

/** Instant + n × 24 h: only for the auto-close, a service default rather than a legal period. */
const addDays = (d: Date, days: number) => new Date(d.getTime() + days * DAY_MS);

/**
 * Legal periods in days (acceptance, reply, extension, review) end at 24:00 China time of the
 * last day, counted from the day after the event, moved off weekends and public holidays
 * (calendar.ts dayCountDeadline; shared/domain.md §4c). Complaint numbers count by the calendar
 * year in China (chinaYear).
 */
const legalDeadline = (from: Date, days: number) => dayCountDeadlineFrom(from, days).dueAt.toISOString();

/**
 * 信访工作条例 (2022) art. 35: a reporter who does not accept the written answer may, within 30
 * days of receiving it, ask the agency one level above the handling agency for review (复查); that
 * agency gives its review opinion within 30 days of the request. Art. 36: the same again, one
 * level higher, for re-review (复核) of the review opinion; after it the matter is final.
 */
export const REVIEW_REQUEST_DAYS = 30;
export const REVIEW_OPINION_DAYS = 30;
/** Until when a review of an answer given at `answeredAt` may be requested. */
export const reviewWindowEnd = (answeredAt: Date) => legalDeadline(answeredAt, REVIEW_REQUEST_DAYS);
/** Intake may reopen a closed complaint within 30 days of its closing. */
export const REOPEN_DAYS = 30;

/** GB/T 2260 codes of Xinjiang: 650000, its prefectures and counties (65PPCC), the corps cities (6590CC). */
const XINJIANG_GBT2260 = /^65(?:0000|(?:0[1-5]|2[1-9]|3[0-2]|4[0-3]|90)\d{2})$/;

const sourceExists = (tx: Tx, id: string) => !!getSource(tx, id);

/** Cross-field rules the JSON schema cannot say well. Field names follow the caller's format. */
export function checkNewComplaint(tx: Tx, input: NewComplaint, now: Date, names: FieldNames = {}) {
  const errors: FieldError[] = [];
  // a little clock skew is tolerated; a date days ahead is a mistake
  if (input.occurredAt && new Date(input.occurredAt).getTime() > now.getTime() + 3_600_000)
    errors.push({ field: 'body/occurredAt', reason: 'is in the future' });
  if (!input.location && !(input.address && input.adminCode))
    errors.push({ field: names.location ?? 'body/location', reason: 'a location, or an address with an adminCode, is required' });
  // An address is routed by its code: one the reference data knows, or at least a Xinjiang GB/T 2260
  // code (a county not loaded yet goes to triage, the complaint is not lost); anything else is refused.
  if (input.adminCode && !agencyByAdminCode(tx, input.adminCode) && !XINJIANG_GBT2260.test(input.adminCode))
    errors.push({
      field: names.adminCode ?? 'body/adminCode',
      reason: 'is neither the code of an agency in the reference data (GET /v1/agencies) nor a Xinjiang GB/T 2260 division code (65xxxx)',
    });
  (input.attachments ?? []).forEach((a, i) => {
    if (!a.url && !a.sha256) errors.push({ field: `${names.attachments ?? 'body/attachments'}/${i}`, reason: 'needs a url or a sha256' });
  });
  if (input.sourceId && !sourceExists(tx, input.sourceId)) errors.push({ field: names.sourceId ?? 'body/sourceId', reason: 'is not a known pollution source' });
  if (errors.length) throw badRequest(errors.map((e) => `${e.field} ${e.reason}`).join('; '), errors);
}

/** Audience of a complaint's events: its owner plus every agency/team it was routed to (and its master's). */
function eventScope(tx: Tx, row: ComplaintRow, fresh = false) {
  const ids = row.duplicateOf ? [row.id, row.duplicateOf] : [row.id];
  // A complaint just received has no assignments of its own yet (only its master may).
  const routes = assignmentsOfSubjects(tx, 'complaint', fresh ? ids.slice(1) : ids);
  const audience = new Set<string>();
  for (const r of routes) {
    if (r.agencyCode) audience.add(`agency:${r.agencyCode}`);
    if (r.teamId) audience.add(`team:${r.teamId}`);
  }
  const { side, agencyCode } = row;
  if (row.duplicateOf && !agencyCode) {
    const m = ownerOf(tx).get({ id: row.duplicateOf });
    if (m?.agencyCode) audience.add(`agency:${m.agencyCode}`);
    if (m?.side) audience.add(`side:${m.side}`);
  }
  // the creating key (a partner system reads what it created)
  audience.add(`key:${row.createdByKeyId}`);
  return { side, agencyCode, audience: [...audience] };
}

/** Appends a complaint.* event. Data carries ids, status and dates: never reporter fields. */
export function emit(tx: Tx, deps: Deps, row: ComplaintRow, type: string, data: Record<string, unknown> = {}, fresh = false) {
  const scope = eventScope(tx, row, fresh);
  return appendEvent(tx, deps.clock, {
    type,
    subject: `complaints/${row.id}`,
    data: { id: row.id, number: row.number, status: row.status, category: row.category, urgent: row.urgent, duplicateOf: row.duplicateOf, ...data },
    side: scope.side,
    agencyCode: scope.agencyCode,
    category: row.category,
    audience: scope.audience,
    readableAs: 'complaints',
  });
}

export function getComplaint(tx: Tx, id: string): ComplaintRow | undefined {
  return tx.select().from(complaints).where(eq(complaints.id, id)).get();
}

export function patch(tx: Tx, deps: Deps, row: ComplaintRow, set: Partial<ComplaintRow>): ComplaintRow {
  return tx
    .update(complaints)
    .set({ ...set, updatedAt: deps.clock.now().toISOString(), version: row.version + 1 })
    .where(eq(complaints.id, row.id))
    .returning()
    .get();
}

// Every create runs these two: built and prepared once (see preparedOnce).
const ph = sql.placeholder;
const insertComplaint = preparedOnce((tx) =>
  tx
    .insert(complaints)
    .values({
      id: ph('id'),
      number: ph('number'),
      channel: ph('channel'),
      category: ph('category'),
      description: ph('description'),
      lat: ph('lat'),
      lng: ph('lng'),
      address: ph('address'),
      adminCode: ph('adminCode'),
      occurredAt: ph('occurredAt'),
      urgent: ph('urgent'),
      sourceId: ph('sourceId'),
      externalRef: ph('externalRef'),
      attachments: ph('attachments'),
      reporterEnc: ph('reporterEnc'),
      reporterAnonymous: ph('reporterAnonymous'),
      queryCodeHash: ph('queryCodeHash'),
      status: 'received',
      receivedAt: ph('receivedAt'),
      acceptanceDueAt: ph('acceptanceDueAt'),
      duplicateOf: ph('duplicateOf'),
      createdByKeyId: ph('createdByKeyId'),
      createdAt: ph('receivedAt'),
      updatedAt: ph('receivedAt'),
    })
    .returning()
    .prepare(),
);
const complaintByExternalRef = preparedOnce((tx) =>
  tx
    .select({ id: complaints.id, number: complaints.number })
    .from(complaints)
    .where(and(eq(complaints.channel, ph('channel')), eq(complaints.externalRef, ph('externalRef'))))
    .prepare(),
);

const ownerOf = preparedOnce((tx) =>
  tx
    .select({ side: complaints.side, agencyCode: complaints.agencyCode })
    .from(complaints)
    .where(eq(complaints.id, ph('id')))
    .prepare(),
);

const NEXT_NUMBER = 'INSERT INTO complaint_counters (year, last) VALUES (?, 1) ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last';

/** Creates a complaint (one transaction: counter, row, dedup link, event, acceptance timer). */
export function createComplaint(tx: Tx, deps: Deps, p: Principal, input: NewComplaint, names?: FieldNames) {
  checkNewComplaint(tx, input, deps.clock.now(), names);
  if (input.externalRef) {
    const prior = complaintByExternalRef(tx).get({ channel: input.channel, externalRef: input.externalRef });
    if (prior)
      throw new Problem(
        409,
        'external-ref-exists',
        'Conflict',
        `A ${input.channel} complaint with externalRef ${input.externalRef} already exists: ${prior.number}.`,
        { existingId: prior.id, existingNumber: prior.number },
        { location: `/v1/complaints/${prior.id}` },
      );
  }
  const now = deps.clock.now();
  const year = chinaYear(now);
  // On every create: written out once (see sqliteOf).
  const counter = sqliteOf(tx).prepare(NEXT_NUMBER).get(year) as { last: number };
  const id = newId();
  const number = `12369-${year}-${String(counter.last).padStart(6, '0')}`;
  const queryCode = newQueryCode();
  const cipher = pii(deps);
  const rep = input.reporter;
  const fields: Reporter = { name: rep?.name ?? null, phone: rep?.phone ?? null, email: rep?.email ?? null };
  const hasPii = !!(fields.name || fields.phone || fields.email);
  const master = input.location
    ? findMaster(tx, {
        category: input.category,
        lat: input.location.lat,
        lng: input.location.lng,
        now,
        radiusM: deps.config.dedupRadiusMeters,
        windowHours: deps.config.dedupWindowHours,
      })
    : null;
  const iso = now.toISOString();
  const acceptanceDueAt = legalDeadline(now, deps.config.complaintAcceptDays);
  const row = insertComplaint(tx).get({
    id,
    number,
    channel: input.channel,
    category: input.category,
    description: input.description,
    lat: input.location?.lat ?? null,
    lng: input.location?.lng ?? null,
    address: input.address ?? null,
    adminCode: input.adminCode ?? null,
    occurredAt: input.occurredAt ? new Date(input.occurredAt).toISOString() : null,
    urgent: input.urgent ?? false,
    sourceId: input.sourceId ?? null,
    externalRef: input.externalRef ?? null,
    attachments: input.attachments ?? [],
    reporterEnc: hasPii ? cipher.encrypt(fields, id) : null,
    reporterAnonymous: rep ? rep.anonymous : true,
    queryCodeHash: cipher.codeHash(number, queryCode),
    receivedAt: iso,
    acceptanceDueAt,
    duplicateOf: master?.id ?? null,
    createdByKeyId: p.keyId,
  })!;
  emit(tx, deps, row, 'complaint.received', { channel: row.channel, receivedAt: iso, acceptanceDueAt, by: p.keyId }, true);
  if (master) emit(tx, deps, row, 'complaint.duplicate_linked', { master: master.id, distanceMeters: Math.round(master.distance), by: 'dedup' }, true);
  scheduleTimer(tx, { id: acceptTimerId(id), name: DEADLINE_JOB, dueAt: new Date(acceptanceDueAt), payload: { id, deadline: 'acceptance' } });
  return { row, queryCode };
}

export interface ActionCtx {
  deps: Deps;
  principal: Principal;
  id: string;
  /** From If-Match, when sent: the action applies only to that version. */
  expected?: Expected;
}

const wrongStatus = (row: ComplaintRow, action: string) =>
  conflict('invalid-transition', `Complaint ${row.number} is ${row.status}; it cannot be ${action}.`, { currentStatus: row.status });

/**
 * Runs one lifecycle action in one transaction: visibility (404), the action's policy (403 naming
 * the rule: `mayActOnComplaint`), If-Match (412), allowed statuses (409 naming the current one),
 * then the change.
 */
export function act(
  c: ActionCtx,
  verb: string,
  from: readonly ComplaintStatus[],
  apply: (tx: Tx, row: ComplaintRow, now: Date) => ComplaintRow,
  policy?: HandlerAction | ((tx: Tx, p: Principal, row: ComplaintRow) => Denial | null),
): ComplaintRow {
  return inTx(c.deps.db, (tx) => {
    const row = getComplaint(tx, c.id);
    if (!row || !canSee(tx, c.principal, row)) throw notFound('complaint', c.id);
    const no = !policy ? null : typeof policy === 'function' ? policy(tx, c.principal, row) : mayActOnComplaint(tx, c.principal, row, policy);
    if (no) throw denied(no.rule, no.detail);
    checkIfMatch(c.expected, row.version, 'complaint', c.id);
    if (!from.includes(row.status)) throw wrongStatus(row, verb);
    return apply(tx, row, c.deps.clock.now());
  });
}

export function accept(c: ActionCtx) {
  const { deps } = c;
  return act(c, 'accepted', ['received'], (tx, row, now) => {
    const replyDueAt = legalDeadline(now, deps.config.complaintReplyDays);
    const clearOverdue = row.overdueDeadline === 'acceptance';
    const next = patch(tx, deps, row, {
      status: 'accepted',
      acceptedAt: now.toISOString(),
      replyDueAt,
      ...(clearOverdue ? { overdue: false, overdueDeadline: null } : {}),
    });
    cancelTimer(tx, acceptTimerId(row.id), now);
    scheduleTimer(tx, { id: replyTimerId(row.id), name: DEADLINE_JOB, dueAt: new Date(replyDueAt), payload: { id: row.id, deadline: 'reply' } });
    emit(tx, deps, next, 'complaint.accepted', { acceptedAt: next.acceptedAt, replyDueAt, by: c.principal.keyId });
    return next;
  });
}

export function reject(c: ActionCtx, reason: string) {
  const { deps } = c;
  return act(c, 'rejected', ['received'], (tx, row, now) => {
    const next = patch(tx, deps, row, { status: 'not_accepted', statusReason: reason, overdue: false, overdueDeadline: null });
    cancelTimer(tx, acceptTimerId(row.id), now);
    emit(tx, deps, next, 'complaint.not_accepted', { reason, by: c.principal.keyId });
    cancelSubjectAssignments(tx, deps, 'complaint', row.id, 'complaint not accepted');
    return next;
  });
}

export function transfer(c: ActionCtx, department: string, reason: string) {
  const { deps } = c;
  return act(c, 'transferred', ['received'], (tx, row, now) => {
    const next = patch(tx, deps, row, { status: 'transferred', statusReason: reason, transferredTo: department, overdue: false, overdueDeadline: null });
    cancelTimer(tx, acceptTimerId(row.id), now);
    emit(tx, deps, next, 'complaint.transferred', { department, reason, by: c.principal.keyId });
    cancelSubjectAssignments(tx, deps, 'complaint', row.id, `complaint transferred to ${department}`);
    return next;
  });
}

export const HANDLING: readonly ComplaintStatus[] = ['accepted', 'routed', 'in_progress'];

/** One extension of the reply deadline, ≤ COMPLAINT_EXTENSION_MAX_DAYS. */
export function extend(c: ActionCtx, days: number, reason: string) {
  const { deps } = c;
  return act(
    c,
    'extended',
    HANDLING,
    (tx, row, now) => {
      if (row.extensionDays !== null)
        throw conflict('already-extended', `Complaint ${row.number} was already extended once (by ${row.extensionDays} days); the law allows one extension.`, {
          currentStatus: row.status,
        });
      const max = deps.config.complaintExtensionMaxDays;
      if (days > max) throw unprocessable('extension-too-long', `An extension may not exceed ${max} days (asked ${days}).`, { maxDays: max });
      // counted on from the last day of the current period (its 24:00 is the instant itself)
      const lastDay = chinaDate(new Date(Date.parse(row.replyDueAt!) - 1));
      const replyDueAt = dayCountDeadline(lastDay, days).dueAt.toISOString();
      const clearOverdue = row.overdueDeadline === 'reply' && replyDueAt > now.toISOString();
      const next = patch(tx, deps, row, {
        replyDueAt,
        extensionDays: days,
        extensionReason: reason,
        extendedAt: now.toISOString(),
        ...(clearOverdue ? { overdue: false, overdueDeadline: null, overdueAt: null } : {}),
      });
      scheduleTimer(tx, { id: replyTimerId(row.id), name: DEADLINE_JOB, dueAt: new Date(replyDueAt), payload: { id: row.id, deadline: 'reply' } });
      emit(tx, deps, next, 'complaint.extended', { days, reason, replyDueAt, by: c.principal.keyId });
      return next;
    },
    'extend',
  );
}

export function start(c: ActionCtx) {
  const { deps } = c;
  return act(c, 'started', ['routed'], (tx, row, now) => markStarted(tx, deps, row, now, c.principal.keyId), 'start');
}

function markStarted(tx: Tx, deps: Deps, row: ComplaintRow, now: Date, by: string) {
  const next = patch(tx, deps, row, { status: 'in_progress', startedAt: now.toISOString() });
  emit(tx, deps, next, 'complaint.in_progress', { startedAt: next.startedAt, by });
  return next;
}

/** Replies; every open duplicate of this complaint gets the same reply (its own event). */
export function replyTo(c: ActionCtx, text: string) {
  const { deps } = c;
  return act(
    c,
    'replied',
    HANDLING,
    (tx, row, now) => {
      const next = applyReply(tx, deps, row, now, text, c.principal.keyId);
      const dups = tx
        .select()
        .from(complaints)
        .where(and(eq(complaints.duplicateOf, row.id), inArray(complaints.status, OPEN_STATUSES)))
        .all();
      for (const d of dups) applyReply(tx, deps, d, now, text, c.principal.keyId, row.id);
      return next;
    },
    'reply',
  );
}

function applyReply(tx: Tx, deps: Deps, row: ComplaintRow, now: Date, text: string, by: string, viaMaster?: string, extra: Record<string, unknown> = {}) {
  const next = patch(tx, deps, row, {
    status: 'replied',
    replyText: text,
    repliedAt: now.toISOString(),
    repliedBy: by,
    overdue: false,
    overdueDeadline: null,
    reviewRequestableUntil: reviewWindowEnd(now),
  });
  cancelTimer(tx, acceptTimerId(row.id), now);
  cancelTimer(tx, replyTimerId(row.id), now);
  scheduleTimer(tx, { id: closeTimerId(row.id), name: AUTO_CLOSE_JOB, dueAt: addDays(now, deps.config.complaintAutoCloseDays), payload: { id: row.id } });
  emit(tx, deps, next, 'complaint.replied', { repliedAt: next.repliedAt, by, ...(viaMaster ? { viaMaster } : {}), ...extra });
  return next;
}

/** The reporter's answer when the case opened from their complaint closes: case number and outcome. */
export function caseReplyText(c: { number: string; decision: { summary: string; documentNumber?: string | null } | null }): string {
  const doc = c.decision?.documentNumber;
  const outcome = c.decision ? `${c.decision.summary}${doc ? `（${doc}）` : ''}` : '案件已办结';
  const outcomeEn = c.decision ? `${c.decision.summary}${doc ? ` (${doc})` : ''}` : 'the case was concluded';
  return `您反映的问题已立案查处，案件编号 ${c.number}，现已办结。处理结果：${outcome}。\nYour report was handled as enforcement case ${c.number}, which is now closed. Outcome: ${outcomeEn}.`;
}

/**
 * The complaint flow's side of a case closing (service `complaints:caseClosed`, called by the
 * cases capability inside the closing transaction): every linked complaint still being handled
 * (accepted / routed / in_progress) is replied through the normal reply path with the case number
 * and its decision, its open duplicates with it; complaints already replied or closed (or never
 * accepted) are left alone, so a second call changes nothing.
 */
export function replyFromCase(tx: Tx, deps: Deps, complaintIds: string[], caseId: string): ComplaintRow[] {
  const c = getCase(tx, caseId);
  if (!c || complaintIds.length === 0) return [];
  const text = caseReplyText(c);
  const by = `case:${caseId}`;
  const now = deps.clock.now();
  const replied: ComplaintRow[] = [];
  for (const id of complaintIds) {
    const row = getComplaint(tx, id);
    if (!row || !HANDLING.includes(row.status)) continue;
    replied.push(applyReply(tx, deps, row, now, text, by, undefined, { caseId, caseNumber: c.number }));
    const dups = tx
      .select()
      .from(complaints)
      .where(and(eq(complaints.duplicateOf, row.id), inArray(complaints.status, OPEN_STATUSES)))
      .all();
    for (const d of dups) replied.push(applyReply(tx, deps, d, now, text, by, row.id, { caseId, caseNumber: c.number }));
  }
  return replied;
}

/**
 * Closes. A closed complaint can still be taken to review (复查/复核) while its review window is
 * open (reviewRequestableUntil): closing does not take away the reporter's right (art. 35).
 */
export function close(
  tx: Tx,
  deps: Deps,
  row: ComplaintRow,
  now: Date,
  reason: 'feedback' | 'auto' | 'manual' | 'final',
  by: string,
  extra: Partial<ComplaintRow> = {},
) {
  const next = patch(tx, deps, row, {
    status: 'closed',
    closedAt: now.toISOString(),
    closedBy: by,
    closeReason: reason,
    ...(reason === 'final' ? { reviewRequestableUntil: null } : {}),
    ...extra,
  });
  cancelTimer(tx, closeTimerId(row.id), now);
  emit(tx, deps, next, 'complaint.closed', { closedAt: next.closedAt, reason, by, ...(reason === 'feedback' ? { satisfied: next.feedbackSatisfied } : {}) });
  // the complaint ended: its teams' open work items end with it (no claim, no overdue afterwards)
  cancelSubjectAssignments(tx, deps, 'complaint', row.id, `complaint closed (${reason})`);
  return next;
}

/**
 * The reporter's feedback on the reply. Satisfied: the complaint closes. Not satisfied: the
 * feedback is recorded and the complaint stays `replied`, so the reporter can ask for review
 * (复查, art. 35) until reviewRequestableUntil; if nobody does, it closes by itself then
 * (reason auto) rather than COMPLAINT_AUTO_CLOSE_DAYS after the reply.
 */
export function feedback(c: ActionCtx, satisfied: boolean, comment?: string) {
  const { deps } = c;
  return act(c, 'given feedback', ['replied'], (tx, row, now) => {
    const fields = { feedbackSatisfied: satisfied, feedbackComment: comment ?? null };
    if (satisfied) return close(tx, deps, row, now, 'feedback', c.principal.keyId, fields);
    const until = row.reviewRequestableUntil ?? reviewWindowEnd(now);
    const next = patch(tx, deps, row, { ...fields, reviewRequestableUntil: until });
    scheduleTimer(tx, { id: closeTimerId(row.id), name: AUTO_CLOSE_JOB, dueAt: new Date(until), payload: { id: row.id } });
    emit(tx, deps, next, 'complaint.feedback_recorded', { satisfied: false, reviewRequestableUntil: until, by: c.principal.keyId });
    return next;
  });
}

export function closeManually(c: ActionCtx) {
  return act(c, 'closed', ['replied'], (tx, row, now) => close(tx, c.deps, row, now, 'manual', c.principal.keyId));
}

/**
 * Intake reopens a closed complaint within REOPEN_DAYS of its closing, with a reason: it is
 * accepted again with a new reply deadline (its earlier reply, feedback and extension are cleared;
 * the history keeps them) and routed again (complaint.reopened → route.subject). A matter that went
 * to review (复查/复核) is not reopened: the reviewing agency's opinion answers it (409).
 */
export function reopen(c: ActionCtx, reason: string) {
  const { deps } = c;
  return act(c, 'reopened', ['closed'], (tx, row, now) => {
    if (row.closeReason === 'final')
      throw conflict('review-final', `Complaint ${row.number} was re-reviewed (复核); the matter is final.`, {
        currentStatus: row.status,
        rule: '信访工作条例 art. 36',
      });
    const reviewed = tx.select({ id: complaintReviews.id }).from(complaintReviews).where(eq(complaintReviews.complaintId, row.id)).get();
    if (reviewed)
      throw conflict('reopen-after-review', `Complaint ${row.number} went to review; the reviewing agency's opinion answers it, it is not reopened.`, {
        currentStatus: row.status,
        rule: 'reopen:not-after-review',
      });
    const until = legalDeadline(new Date(row.closedAt!), REOPEN_DAYS);
    if (now.toISOString() >= until)
      throw conflict('reopen-window-closed', `A closed complaint may be reopened within ${REOPEN_DAYS} days of its closing (until ${until}).`, {
        currentStatus: row.status,
        rule: 'reopen:within-30-days',
        reopenableUntil: until,
      });
    const replyDueAt = legalDeadline(now, deps.config.complaintReplyDays);
    const next = patch(tx, deps, row, {
      status: 'accepted',
      reopenedAt: now.toISOString(),
      reopenReason: reason,
      replyDueAt,
      replyText: null,
      repliedAt: null,
      repliedBy: null,
      feedbackSatisfied: null,
      feedbackComment: null,
      closedAt: null,
      closedBy: null,
      closeReason: null,
      reviewRequestableUntil: null,
      extensionDays: null,
      extensionReason: null,
      extendedAt: null,
      startedAt: null,
      overdue: false,
      overdueDeadline: null,
      overdueAt: null,
    });
    cancelTimer(tx, closeTimerId(row.id), now);
    scheduleTimer(tx, { id: replyTimerId(row.id), name: DEADLINE_JOB, dueAt: new Date(replyDueAt), payload: { id: row.id, deadline: 'reply' } });
    emit(tx, deps, next, 'complaint.reopened', { reason, replyDueAt, by: c.principal.keyId });
    return next;
  });
}

/** What PATCH /v1/complaints/{id} may correct. */
export interface Correction {
  category?: Category;
  location?: { lat: number; lng: number };
  address?: string | null;
  adminCode?: string | null;
  urgent?: boolean;
}

/**
 * Intake corrects an open complaint (If-Match required: 428/412). Changed fields only are written
 * and named in `complaint.updated` (names, never values). A routed complaint whose resolved owner
 * changed is routed again in the same transaction: its open assignments are superseded and new
 * ones made (an in_progress one goes back to routed: the new team must claim it).
 */
export function correct(c: ActionCtx, input: Correction) {
  const { deps } = c;
  return inTx(deps.db, (tx) => {
    const row = getComplaint(tx, c.id);
    if (!row || !canSee(tx, c.principal, row)) throw notFound('complaint', c.id);
    checkVersion(c.expected, row.version, 'complaint', c.id);
    if (!OPEN_STATUSES.includes(row.status))
      throw conflict(
        'complaint-not-open',
        `Complaint ${row.number} is ${row.status}; only an open complaint (received, accepted, routed, in_progress) is corrected.`,
        {
          currentStatus: row.status,
        },
      );
    const set: Partial<ComplaintRow> = {};
    if (input.category !== undefined && input.category !== row.category) set.category = input.category;
    if (input.location !== undefined && (input.location.lat !== row.lat || input.location.lng !== row.lng)) {
      set.lat = input.location.lat;
      set.lng = input.location.lng;
    }
    if (input.address !== undefined && input.address !== row.address) set.address = input.address;
    if (input.adminCode !== undefined && input.adminCode !== row.adminCode) set.adminCode = input.adminCode;
    if (input.urgent !== undefined && input.urgent !== row.urgent) set.urgent = input.urgent;
    const merged = { ...row, ...set };
    checkNewComplaint(
      tx,
      {
        channel: row.channel,
        category: merged.category,
        description: row.description,
        location: merged.lat !== null && merged.lng !== null ? { lat: merged.lat, lng: merged.lng } : undefined,
        address: merged.address ?? undefined,
        adminCode: merged.adminCode ?? undefined,
      },
      deps.clock.now(),
    );
    const fields = Object.keys(set).map((k) => (k === 'lat' || k === 'lng' ? 'location' : k));
    const changed = [...new Set(fields)];
    if (!changed.length) return row;
    let next = patch(tx, deps, row, set);
    let rerouted = false;
    const placeOrCategory = changed.some((f) => f !== 'urgent');
    if (placeOrCategory && next.routedAt && !next.duplicateOf && (next.status === 'routed' || next.status === 'in_progress')) {
      const outcome = rerouteAfterCorrection(tx, deps, 'complaint', next.id, `complaint corrected (${changed.join(', ')})`);
      if (outcome) {
        rerouted = true;
        next = getComplaint(tx, next.id)!;
        if (next.status === 'in_progress') next = patch(tx, deps, next, { status: 'routed', startedAt: null });
      }
    }
    emit(tx, deps, next, 'complaint.updated', { fields: changed, rerouted, by: c.principal.keyId });
    return next;
  });
}

/** Unlinks a duplicate; an accepted one is then routed like any other (complaint.unlinked). */
export function unlink(c: ActionCtx) {
  const { deps } = c;
  return act(c, 'unlinked', OPEN_STATUSES, (tx, row) => {
    if (!row.duplicateOf) throw conflict('not-a-duplicate', `Complaint ${row.number} is not linked as a duplicate.`, { currentStatus: row.status });
    const master = row.duplicateOf;
    const next = patch(tx, deps, row, { duplicateOf: null });
    emit(tx, deps, next, 'complaint.unlinked', { formerMaster: master, by: c.principal.keyId });
    return next;
  });
}

/** Marks this complaint a duplicate of `into` (or of its master); its own duplicates follow. */
export function merge(c: ActionCtx, into: string) {
  const { deps } = c;
  return act(c, 'merged', OPEN_STATUSES, (tx, row) => {
    let target = getComplaint(tx, into);
    if (target?.duplicateOf) target = getComplaint(tx, target.duplicateOf);
    if (!target) throw notFound('complaint', into);
    if (target.id === row.id) throw unprocessable('merge-into-self', 'A complaint cannot be merged into itself (or into one of its duplicates).');
    if (!OPEN_STATUSES.includes(target.status))
      throw conflict('invalid-transition', `Complaint ${target.number} is ${target.status}; nothing can be merged into it.`, { currentStatus: target.status });
    const next = patch(tx, deps, row, { duplicateOf: target.id });
    emit(tx, deps, next, 'complaint.merged', { master: target.id, by: c.principal.keyId });
    cancelSubjectAssignments(tx, deps, 'complaint', row.id, `complaint merged into ${target.number}`);
    for (const d of tx.select().from(complaints).where(eq(complaints.duplicateOf, row.id)).all()) {
      const moved = patch(tx, deps, d, { duplicateOf: target.id });
      emit(tx, deps, moved, 'complaint.merged', { master: target.id, by: c.principal.keyId });
      cancelSubjectAssignments(tx, deps, 'complaint', d.id, `complaint merged into ${target.number}`);
    }
    return next;
  });
}

// ───────────────────────── jobs (deadlines, routing hooks) ─────────────────────────

/** Deadline timer fired: re-check (a stale timer is a no-op), mark overdue, emit, notify. */
export function onDeadline(tx: Tx, deps: Deps, id: string, deadline: 'acceptance' | 'reply') {
  const row = getComplaint(tx, id);
  if (!row) return;
  const now = deps.clock.now();
  const dueAt = deadline === 'acceptance' ? row.acceptanceDueAt : row.replyDueAt;
  const pending = deadline === 'acceptance' ? row.status === 'received' : HANDLING.includes(row.status);
  if (!pending || !dueAt || dueAt > now.toISOString()) return;
  if (row.overdue && row.overdueDeadline === deadline) return;
  const next = patch(tx, deps, row, { overdue: true, overdueDeadline: deadline, overdueAt: now.toISOString() });
  emit(tx, deps, next, 'complaint.overdue', { deadline, dueAt });
  notifyOverdue(tx, deps, next, deadline, dueAt);
}

/**
 * Auto-close timer fired: a replied complaint closes COMPLAINT_AUTO_CLOSE_DAYS after the reply —
 * or, when the reporter said they are not satisfied, when the review window ends; a reviewed one
 * when the re-review window ends unused. A stale timer is a no-op.
 */
export function onAutoClose(tx: Tx, deps: Deps, id: string) {
  const row = getComplaint(tx, id);
  const now = deps.clock.now();
  if (!row) return;
  let due: Date;
  if (row.status === 'replied' && row.repliedAt)
    due =
      row.feedbackSatisfied === false && row.reviewRequestableUntil
        ? new Date(row.reviewRequestableUntil)
        : addDays(new Date(row.repliedAt), deps.config.complaintAutoCloseDays);
  else if (row.status === 'reviewed' && row.reviewRequestableUntil) due = new Date(row.reviewRequestableUntil);
  else return;
  if (due > now) return;
  close(tx, deps, row, now, 'auto', 'system');
}

/** The lead assignment of a routed complaint was claimed → in_progress. */
export function onLeadClaimed(tx: Tx, deps: Deps, assignmentId: string) {
  const a = getAssignment(tx, assignmentId);
  if (!a || a.subjectKind !== 'complaint' || a.role !== 'lead' || a.status !== 'claimed') return;
  const row = getComplaint(tx, a.subjectId);
  if (row?.status === 'routed') markStarted(tx, deps, row, deps.clock.now(), `assignment:${assignmentId}`);
}

export const complaintHooks: SubjectHooks = {
  load(tx, id): RoutableSubject | null {
    const row = getComplaint(tx, id);
    if (!row) return null;
    return {
      kind: 'complaint',
      id,
      category: row.category,
      location: row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng } : null,
      adminCode: row.adminCode,
      sourceId: row.sourceId,
      urgent: row.urgent,
    };
  },
  routable(tx, id) {
    const row = getComplaint(tx, id);
    return !!row && !row.duplicateOf && HANDLING.includes(row.status);
  },
  onRouted(tx, deps, id, outcome: RoutingOutcome) {
    const row = getComplaint(tx, id);
    if (!row) return;
    const now = deps.clock.now().toISOString();
    const rerouted = row.routedAt !== null;
    const next = patch(tx, deps, row, {
      side: outcome.side,
      agencyCode: outcome.agencyCode,
      teamId: outcome.teamId,
      areaId: outcome.areaId,
      gridId: outcome.gridId,
      joint: outcome.joint,
      triage: outcome.triage,
      routedAt: now,
      ...(row.status === 'accepted' ? { status: 'routed' as const } : {}),
    });
    emit(tx, deps, next, 'complaint.routed', {
      side: outcome.side,
      agencyCode: outcome.agencyCode,
      teamId: outcome.teamId,
      joint: outcome.joint,
      triage: outcome.triage,
      rerouted,
      assignments: outcome.assignments.map((a) => ({ id: a.id, teamId: a.teamId, agencyCode: a.agencyCode, side: a.side, role: a.role })),
      triageAssignmentId: outcome.triageAssignmentId ?? null,
    });
  },
};
