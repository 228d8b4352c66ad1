/**
 * Cross-filing (互相备案): who receives a case's filing, making it (snapshot, read access, inbox
 * item, event, deadlines), acknowledging, comments and information requests, overdue and
 * escalation. Every function runs in the caller's transaction.
 */
import { and, desc, eq, inArray, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { addressedTo, appendEvent } from '../outbox/index.js';
import { principalPartnerKeys } from '../events/visibility.js';
import { conflict, denied, forbidden, notFound, unprocessable, type Denial } from '../http/problem.js';
import { agencySubtree, getAgency, isAbove, topAgency } from '../reference/hierarchy.js';
import { cancelTimer, scheduleTimer } from '../queue/timers.js';
import { spatialService } from '../jurisdiction/spatial-index.js';
import { grantCaseAccess } from '../cases/access.js';
import { caseView, listMeasures } from '../cases/service.js';
import { publicMeasure } from '../cases/measures.js';
import { getSource } from '../cases/sources.js';
import { coHandlingAgencies, getCase, loadCase, scopeOf, type CaseRow } from '../cases/visibility.js';
import { addInboxItem, notify } from '../notifications/index.js';
import { setFilingItemStatus, setQuestionItemAnswered } from './inbox.js';
import { filingComments, filings, type FilingReason, type FilingStatus, type FilingTrigger } from './tables.js';
import { afterKey } from '../db/keyset.js';

const DAY_MS = 86_400_000;

export type FilingRow = typeof filings.$inferSelect;
export type CommentRow = typeof filingComments.$inferSelect;
type Side = 'region' | 'corps';

/** Timer jobs (queue `deadline`): the acknowledgement deadline and the escalation deadline. */
export const FILING_ACK_DUE = 'filing.ack_due';
export const FILING_ESCALATE = 'filing.escalate';
export const ackTimerId = (filingId: string) => `filing-ack-${filingId}`;
export const escalateTimerId = (filingId: string) => `filing-escalate-${filingId}`;

// ---------------------------------------------------------------------------------------------
// Receivers

export interface Receiver {
  agencyCode: string;
  side: Side;
  reasons: FilingReason[];
}

/** Drops agencies that are above another agency of the list (the most specific one receives). */
function mostSpecific(tx: Tx, codes: string[]): string[] {
  return codes.filter((c) => !codes.some((o) => o !== c && isAbove(tx, c, o)));
}

/**
 * Agencies of the other side (not `side`) that own an area containing the point or within
 * JOINT_BUFFER_METERS of it (the spatial index of src/jurisdiction). Nested agencies collapse to
 * the most specific one (a regiment rather than its division when both areas are near).
 */
export function otherSidePlaceAgencies(tx: Tx, deps: Deps, lat: number, lng: number, side: Side): string[] {
  const near = spatialService(deps)
    .current()
    .nearby(lat, lng, deps.config.jointBufferMeters, (a) => a.side !== side);
  return mostSpecific(tx, [...new Set(near.map((n) => n.agencyCode))]);
}

/**
 * The other side's agencies a case is filed with: the owner of a nearby area (place), the
 * source's agency when the source belongs to the other side (source), each co-handling agency
 * of the other side (co_handling). Read from the case tables as they are now.
 */
export function receiversOf(tx: Tx, deps: Deps, c: CaseRow): Receiver[] {
  const out = new Map<string, Receiver>();
  const add = (code: string, reason: FilingReason) => {
    const a = getAgency(tx, code);
    if (!a || a.side === c.side) return;
    const r = out.get(code) ?? { agencyCode: code, side: a.side, reasons: [] };
    if (!r.reasons.includes(reason)) r.reasons.push(reason);
    out.set(code, r);
  };
  for (const code of otherSidePlaceAgencies(tx, deps, c.lat, c.lng, c.side)) add(code, 'place');
  if (c.sourceId) {
    const s = getSource(tx, c.sourceId);
    if (s && s.side !== c.side) add(s.agencyCode, 'source');
  }
  for (const code of coHandlingAgencies(tx, c.id)) add(code, 'co_handling');
  return [...out.values()].sort((a, b) => (a.agencyCode < b.agencyCode ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------
// Snapshot and views

/** The case summary as it stands now: what the receiver reads even if the case changes later. No reporter data. */
export function caseSnapshot(tx: Tx, deps: Deps, c: CaseRow): Record<string, unknown> {
  const v = caseView(tx, c);
  const source = c.sourceId ? getSource(tx, c.sourceId) : undefined;
  return {
    id: v.id,
    number: v.number,
    title: v.title,
    category: v.category,
    side: v.side,
    leadAgencyCode: v.leadAgencyCode,
    coHandlingAgencyCodes: v.coHandlingAgencyCodes,
    location: v.location,
    address: v.address,
    areaId: v.areaId,
    gridId: v.gridId,
    joint: v.joint,
    partyName: v.partyName,
    // Complaint ids only: never anything of the complaints' reporters.
    origin: { kind: v.origin.kind, complaintIds: v.origin.complaintIds },
    summary: v.summary,
    status: v.status,
    statusReason: v.statusReason,
    decision: v.decision,
    registeredAt: v.registeredAt,
    decisionDueAt: v.decisionDueAt,
    overdue: v.overdue,
    decidedAt: v.decidedAt,
    closedAt: v.closedAt,
    updatedAt: v.updatedAt,
    version: v.version,
    source: source
      ? {
          id: source.id,
          name: source.name,
          creditCode: source.creditCode,
          side: source.side,
          agencyCode: source.agencyCode,
          industry: source.industry,
          permitNumber: source.permitNumber,
        }
      : null,
    measures: listMeasures(tx, c.id).map(publicMeasure),
    takenAt: deps.clock.now().toISOString(),
  };
}

export function commentsOf(tx: Tx, filingId: string): CommentRow[] {
  return tx.select().from(filingComments).where(eq(filingComments.filingId, filingId)).orderBy(filingComments.createdAt, filingComments.id).all();
}

/** Comments of several filings in one query, by filing id. */
export function commentsByFiling(tx: Tx, ids: string[]): Map<string, CommentRow[]> {
  const out = new Map<string, CommentRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  for (const c of tx.select().from(filingComments).where(inArray(filingComments.filingId, ids)).orderBy(filingComments.createdAt, filingComments.id).all())
    out.get(c.filingId)?.push(c);
  return out;
}

export const publicComment = (c: CommentRow) => ({
  id: c.id,
  kind: c.kind,
  text: c.text,
  agencyCode: c.agencyCode,
  by: c.byKeyId,
  answersId: c.answersId,
  answeredAt: c.answeredAt,
  createdAt: c.createdAt,
});

export function publicFiling(f: FilingRow, comments: CommentRow[]) {
  return {
    id: f.id,
    caseId: f.caseId,
    caseNumber: f.caseNumber,
    caseLink: `/v1/cases/${f.caseId}`,
    fromAgencyCode: f.fromAgencyCode,
    fromSide: f.fromSide,
    toAgencyCode: f.toAgencyCode,
    toSide: f.toSide,
    trigger: f.trigger,
    reasons: f.reasons,
    measureId: f.measureId,
    note: f.note,
    category: f.category,
    snapshot: f.snapshot,
    status: f.status,
    createdAt: f.createdAt,
    createdBy: f.createdBy,
    ackDueAt: f.ackDueAt,
    escalateAt: f.escalateAt,
    acknowledgedBy: f.acknowledgedBy,
    acknowledgedAt: f.acknowledgedAt,
    overdueAt: f.overdueAt,
    escalatedAt: f.escalatedAt,
    comments: comments.map(publicComment),
  };
}

/**
 * filing.* event: subject `filings/<id>`, audience both agencies and both agencies' sides (a
 * partner with the `filings` scope reads them as filings: filings@side:…, filings@agency:…).
 */
function emitFiling(tx: Tx, deps: Deps, f: FilingRow, type: string, data: Record<string, unknown> = {}, actorAgencyCode?: string | null) {
  const sides = [f.fromAgencyCode, f.toAgencyCode].map((a) => getAgency(tx, a)?.side).filter((s): s is Side => !!s);
  return appendEvent(tx, deps.clock, {
    type,
    subject: `filings/${f.id}`,
    data: {
      id: f.id,
      caseId: f.caseId,
      caseNumber: f.caseNumber,
      fromAgencyCode: f.fromAgencyCode,
      toAgencyCode: f.toAgencyCode,
      trigger: f.trigger,
      status: f.status,
      ackDueAt: f.ackDueAt,
      ...data,
    },
    side: null,
    agencyCode: f.fromAgencyCode,
    category: f.category,
    actorAgencyCode: actorAgencyCode ?? f.fromAgencyCode,
    audience: [`agency:${f.toAgencyCode}`, ...new Set(sides.map((s) => `side:${s}`))],
    readableAs: 'filings',
  });
}

// ---------------------------------------------------------------------------------------------
// Making a filing

export interface NewFiling {
  fromAgencyCode: string;
  fromSide: Side;
  toAgencyCode: string;
  toSide: Side;
  trigger: FilingTrigger;
  stateKey: string;
  reasons: FilingReason[];
  measureId?: string | null;
  note?: string | null;
  createdBy?: string | null;
}

/**
 * Files the case with one agency: the filing (snapshot), read access to the case, the receiver's
 * inbox item, `filing.created`, and the two deadlines. Returns null when this case state was
 * already filed with the agency for this trigger (the unique key), changing nothing.
 */
export function createFiling(tx: Tx, deps: Deps, c: CaseRow, n: NewFiling): FilingRow | null {
  const now = deps.clock.now();
  const at = now.toISOString();
  const id = newId();
  const row = tx
    .insert(filings)
    .values({
      id,
      caseId: c.id,
      caseNumber: c.number,
      fromAgencyCode: n.fromAgencyCode,
      fromSide: n.fromSide,
      toAgencyCode: n.toAgencyCode,
      toSide: n.toSide,
      trigger: n.trigger,
      stateKey: n.stateKey,
      measureId: n.measureId ?? null,
      reasons: n.reasons,
      note: n.note ?? null,
      category: c.category,
      snapshot: caseSnapshot(tx, deps, c),
      status: 'pending',
      createdAt: at,
      createdBy: n.createdBy ?? null,
      ackDueAt: new Date(now.getTime() + deps.config.filingAckDays * DAY_MS).toISOString(),
      escalateAt: new Date(now.getTime() + deps.config.filingEscalateDays * DAY_MS).toISOString(),
      acknowledgedAt: null,
      acknowledgedBy: null,
      overdueAt: null,
      escalatedAt: null,
      updatedAt: at,
    })
    .onConflictDoNothing()
    .returning()
    .get();
  if (!row) return null;
  // Read access for the receiver (case registry visibility), unless it already co-handles the
  // case: that relation is never withdrawn from it, and the case's timeline stays uncluttered.
  const coHandles = coHandlingAgencies(tx, c.id).includes(row.toAgencyCode);
  if (!coHandles) grantCaseAccess(tx, deps.clock, { caseId: c.id, agencyCode: row.toAgencyCode, reason: `filing:${row.id}` });
  addInboxItem(tx, deps.clock, {
    agencyCode: row.toAgencyCode,
    kind: 'filing',
    status: 'pending',
    subject: `filings/${row.id}`,
    filingId: row.id,
    refId: row.id,
    message: `Case ${c.number} filed by ${row.fromAgencyCode} (${row.trigger}); acknowledge by ${row.ackDueAt}.`,
    data: { caseId: c.id, caseNumber: c.number, fromAgencyCode: row.fromAgencyCode, trigger: row.trigger, ackDueAt: row.ackDueAt },
  });
  scheduleTimer(tx, { id: ackTimerId(row.id), name: FILING_ACK_DUE, dueAt: new Date(row.ackDueAt), payload: { filingId: row.id } });
  scheduleTimer(tx, { id: escalateTimerId(row.id), name: FILING_ESCALATE, dueAt: new Date(row.escalateAt), payload: { filingId: row.id } });
  emitFiling(
    tx,
    deps,
    row,
    'filing.created',
    { reasons: row.reasons, measureId: row.measureId, escalateAt: row.escalateAt, createdAt: row.createdAt },
    n.createdBy ? undefined : row.fromAgencyCode,
  );
  return row;
}

/** Payload of the `filing.evaluate` job (one per triggering case event). */
export interface EvaluateJob {
  caseId: string;
  trigger: FilingTrigger;
  /** The triggering event: the case state filed (unique key with case, agency and trigger). */
  eventId: string;
  measureId?: string | null;
}

/** The `filing.evaluate` job body: files the case with every receiving agency of the other side. */
export function evaluateFilings(tx: Tx, deps: Deps, job: EvaluateJob): FilingRow[] {
  if (!job || typeof job.caseId !== 'string' || typeof job.eventId !== 'string') throw new Error('bad filing.evaluate payload');
  const c = getCase(tx, job.caseId);
  if (!c) return [];
  const out: FilingRow[] = [];
  for (const r of receiversOf(tx, deps, c)) {
    const f = createFiling(tx, deps, c, {
      fromAgencyCode: c.leadAgencyCode,
      fromSide: c.side,
      toAgencyCode: r.agencyCode,
      toSide: r.side,
      trigger: job.trigger,
      stateKey: job.eventId,
      reasons: r.reasons,
      measureId: job.measureId ?? null,
    });
    if (f) out.push(f);
  }
  return out;
}

/**
 * A user asks for a filing (POST /v1/cases/{id}/filings). The caller must see the case; the
 * filing agency is the caller's agency (the lead agency for admins); the target must be of the
 * other side (422: same-side transfers are case transfers). One per case version and target.
 */
export function fileManually(tx: Tx, deps: Deps, p: Principal, caseId: string, b: { toAgencyCode: string; note?: string }): FilingRow {
  const scope = scopeOf(tx, p);
  if (scope.kind === 'none') throw notFound('case', caseId);
  const c = loadCase(tx, scope, caseId);
  const to = getAgency(tx, b.toAgencyCode);
  if (!to) throw notFound('agency', b.toAgencyCode);
  const from = getAgency(tx, p.agencyCode ?? c.leadAgencyCode);
  const fromSide = from?.side ?? c.side;
  if (to.side === fromSide)
    throw unprocessable(
      'same-side-filing',
      `${to.code} is on the same side (${to.side}) as ${from?.code ?? c.leadAgencyCode}: same-side transfers are case transfers (POST /v1/cases/{id}/transitions to "transferred"), not filings.`,
      { toAgencyCode: to.code, side: to.side },
    );
  const stateKey = `manual-v${c.version}`;
  const row = createFiling(tx, deps, c, {
    fromAgencyCode: from?.code ?? c.leadAgencyCode,
    fromSide,
    toAgencyCode: to.code,
    toSide: to.side,
    trigger: 'manual',
    stateKey,
    reasons: ['manual'],
    note: b.note ?? null,
    createdBy: p.keyId,
  });
  if (!row) {
    const existing = tx
      .select({ id: filings.id })
      .from(filings)
      .where(and(eq(filings.caseId, c.id), eq(filings.toAgencyCode, to.code), eq(filings.trigger, 'manual'), eq(filings.stateKey, stateKey)))
      .get();
    throw conflict('already-filed', `Case ${c.number} at version ${c.version} was already filed with ${to.code} (filing ${existing?.id}).`, {
      filingId: existing?.id ?? null,
    });
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Visibility

export function getFiling(tx: Tx, id: string): FilingRow | undefined {
  return tx.select().from(filings).where(eq(filings.id, id)).get();
}

/** Filings a partner key reads: with the `filings` scope, those whose events reached its audience. */
function partnerFilings(tx: Tx, p: Principal, id: SQLWrapper): SQL {
  return addressedTo('filings/', id, principalPartnerKeys(tx, p, 'filings'));
}

/**
 * Admins; supervisors whose agency subtree holds the filing or receiving agency; inspectors of
 * either agency; partners with the `filings` scope, those of their audience (the same keys as
 * their event feed, so they see a filing's events if and only if they may GET it).
 */
export function canSeeFiling(tx: Tx, p: Principal, f: FilingRow): boolean {
  if (p.role === 'admin') return true;
  if (p.role === 'partner') return !!tx.get(sql`select 1 as x where ${partnerFilings(tx, p, sql`${f.id}`)}`);
  if (!p.agencyCode) return false;
  if (p.role === 'inspector') return p.agencyCode === f.fromAgencyCode || p.agencyCode === f.toAgencyCode;
  if (p.role === 'supervisor') {
    const sub = agencySubtree(tx, p.agencyCode);
    return sub.includes(f.fromAgencyCode) || sub.includes(f.toAgencyCode);
  }
  return false;
}

export function loadFiling(tx: Tx, p: Principal, id: string): FilingRow {
  const f = getFiling(tx, id);
  if (!f || !canSeeFiling(tx, p, f)) throw notFound('filing', id);
  return f;
}

export interface FilingQuery {
  caseId?: string;
  fromAgencyCode?: string;
  toAgencyCode?: string;
  status?: FilingStatus;
  limit: number;
  after?: { c: string; i: string };
}

/** SQL condition on `filings`: what the caller may list (undefined = all; 'none' = nothing). Lists and stats share it. */
export function filingsVisibleWhere(tx: Tx, p: Principal): SQL | undefined | 'none' {
  if (p.role === 'partner') return partnerFilings(tx, p, filings.id);
  if (p.role === 'admin') return undefined;
  if (!p.agencyCode) return 'none';
  const sub = agencySubtree(tx, p.agencyCode);
  return or(inArray(filings.fromAgencyCode, sub), inArray(filings.toAgencyCode, sub));
}

/** Filings a supervisor (agency subtree as sender or receiver) or an admin (all) may list, newest first. */
export function listFilings(tx: Tx, p: Principal, q: FilingQuery): FilingRow[] {
  const vis = filingsVisibleWhere(tx, p);
  if (vis === 'none') return [];
  const conds: (SQL | undefined)[] = [vis];
  if (q.caseId) conds.push(eq(filings.caseId, q.caseId));
  if (q.fromAgencyCode) conds.push(eq(filings.fromAgencyCode, q.fromAgencyCode));
  if (q.toAgencyCode) conds.push(eq(filings.toAgencyCode, q.toAgencyCode));
  if (q.status) conds.push(eq(filings.status, q.status));
  if (q.after) conds.push(afterKey(filings.createdAt, filings.id, { value: q.after.c, id: q.after.i }, 'desc'));
  return tx
    .select()
    .from(filings)
    .where(and(...conds))
    .orderBy(desc(filings.createdAt), desc(filings.id))
    .limit(q.limit)
    .all();
}

// ---------------------------------------------------------------------------------------------
// Acknowledgement, comments, information requests

/**
 * Who may acknowledge a filing: keys of the receiving agency itself (互相备案 is acknowledged by
 * the agency it was filed with), nobody else — not the filing agency, not agencies above either
 * end, not an admin. Returns null when allowed; callers check visibility (404) first.
 */
export function mayAcknowledge(p: Principal, f: FilingRow): Denial | null {
  if (p.agencyCode && p.agencyCode === f.toAgencyCode) return null;
  return {
    rule: 'acknowledge:receiving-agency',
    detail:
      p.agencyCode === f.fromAgencyCode
        ? `Filing ${f.id} was made by your agency ${f.fromAgencyCode}; only the receiving agency ${f.toAgencyCode} acknowledges it.`
        : `Only the receiving agency ${f.toAgencyCode} acknowledges this filing.`,
  };
}

/** The receiving agency acknowledges (cannot see it → 404; sees it but not the receiver → 403; twice → 409). Late (overdue) is allowed. */
export function acknowledgeFiling(tx: Tx, deps: Deps, p: Principal, id: string): FilingRow {
  const f = loadFiling(tx, p, id);
  const no = mayAcknowledge(p, f);
  if (no) throw denied(no.rule, no.detail);
  if (f.status === 'acknowledged')
    throw conflict('already-acknowledged', `Filing ${id} was already acknowledged at ${f.acknowledgedAt}.`, {
      acknowledgedAt: f.acknowledgedAt,
      acknowledgedBy: f.acknowledgedBy,
    });
  const now = deps.clock.now();
  const at = now.toISOString();
  const row = tx
    .update(filings)
    .set({ status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: p.keyId, updatedAt: at })
    .where(eq(filings.id, id))
    .returning()
    .get();
  cancelTimer(tx, ackTimerId(id), now);
  cancelTimer(tx, escalateTimerId(id), now);
  setFilingItemStatus(tx, id, 'acknowledged');
  emitFiling(tx, deps, row, 'filing.acknowledged', { acknowledgedAt: at, acknowledgedBy: p.keyId, late: f.status === 'overdue' }, p.agencyCode);
  return row;
}

function insertComment(tx: Tx, deps: Deps, p: Principal, f: FilingRow, kind: CommentRow['kind'], text: string, answersId: string | null = null): CommentRow {
  const row = tx
    .insert(filingComments)
    .values({
      id: newId(),
      filingId: f.id,
      kind,
      text,
      agencyCode: p.agencyCode,
      byKeyId: p.keyId,
      answersId,
      answeredAt: null,
      createdAt: deps.clock.now().toISOString(),
    })
    .returning()
    .get();
  tx.update(filings).set({ updatedAt: row.createdAt }).where(eq(filings.id, f.id)).run();
  emitFiling(tx, deps, f, 'filing.commented', { commentId: row.id, kind, agencyCode: p.agencyCode, answersId }, p.agencyCode);
  return row;
}

/** Whether the principal acts for the filing agency's end (the filing agency, an agency above it, an admin). */
function actsForSender(tx: Tx, p: Principal, f: FilingRow): boolean {
  if (p.role === 'admin') return true;
  return !!p.agencyCode && (p.agencyCode === f.fromAgencyCode || isAbove(tx, p.agencyCode, f.fromAgencyCode));
}

/**
 * A comment by anyone who sees the filing. With `answers`, it answers an information request:
 * only the filing agency's end answers; the question is marked answered and the asking agency
 * is notified (an inbox item linked to the filing).
 */
export function addComment(tx: Tx, deps: Deps, p: Principal, id: string, b: { text: string; answers?: string }): CommentRow {
  const f = loadFiling(tx, p, id);
  if (!b.answers) return insertComment(tx, deps, p, f, 'comment', b.text);
  const q = tx
    .select()
    .from(filingComments)
    .where(and(eq(filingComments.id, b.answers), eq(filingComments.filingId, id), eq(filingComments.kind, 'question')))
    .get();
  if (!q) throw notFound('information request', b.answers);
  if (!actsForSender(tx, p, f)) throw forbidden(`Information requests on this filing are answered by the filing agency ${f.fromAgencyCode}.`);
  if (q.answeredAt) throw conflict('already-answered', `Information request ${q.id} was already answered at ${q.answeredAt}.`, { answeredAt: q.answeredAt });
  const answer = insertComment(tx, deps, p, f, 'answer', b.text, q.id);
  tx.update(filingComments).set({ answeredAt: answer.createdAt }).where(eq(filingComments.id, q.id)).run();
  setQuestionItemAnswered(tx, q.id);
  notify(tx, deps, {
    kind: 'filing_info_answered',
    agencyCode: q.agencyCode ?? f.toAgencyCode,
    subject: `filings/${f.id}`,
    message: `${f.fromAgencyCode} answered your information request on the filing of case ${f.caseNumber}.`,
    category: f.category,
    actorAgencyCode: p.agencyCode ?? f.fromAgencyCode,
    data: { filingId: f.id, caseId: f.caseId, caseNumber: f.caseNumber, questionId: q.id, answerId: answer.id },
  });
  return answer;
}

/**
 * The receiving agency asks the filing agency a question: a `question` comment, and an
 * `info_request` item in the filing agency's inbox. Others who see the filing → 403.
 */
export function requestInfo(tx: Tx, deps: Deps, p: Principal, id: string, question: string): CommentRow {
  const f = loadFiling(tx, p, id);
  if (p.agencyCode !== f.toAgencyCode) throw forbidden(`Only the receiving agency ${f.toAgencyCode} asks the filing agency for information.`);
  const q = insertComment(tx, deps, p, f, 'question', question);
  addInboxItem(tx, deps.clock, {
    agencyCode: f.fromAgencyCode,
    kind: 'info_request',
    status: 'open',
    subject: `filings/${f.id}`,
    filingId: f.id,
    refId: q.id,
    message: question,
    data: { filingId: f.id, caseId: f.caseId, caseNumber: f.caseNumber, questionId: q.id, askedBy: f.toAgencyCode },
  });
  return q;
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/** Case statuses after which a filing's acknowledgement deadlines no longer run. */
const ENDED: readonly string[] = ['closed', 'withdrawn', 'transferred'];

/**
 * The case was closed, withdrawn or transferred (service `onCaseEnded`, called by the cases
 * capability in the same transaction): the acknowledgement and escalation timers of its pending
 * filings are cancelled — they never go overdue or escalate afterwards. The filings stay pending
 * (the receiving agency may still acknowledge the record). Returns the filings touched.
 */
export function cancelCaseFilingDeadlines(tx: Tx, deps: Deps, caseId: string): string[] {
  const now = deps.clock.now();
  const ids = tx
    .select({ id: filings.id })
    .from(filings)
    .where(and(eq(filings.caseId, caseId), eq(filings.status, 'pending')))
    .all()
    .map((r) => r.id);
  for (const id of ids) {
    cancelTimer(tx, ackTimerId(id), now);
    cancelTimer(tx, escalateTimerId(id), now);
  }
  return ids;
}

const caseEnded = (tx: Tx, caseId: string) => ENDED.includes(getCase(tx, caseId)?.status ?? '');

/**
 * Acknowledgement deadline passed: overdue, `filing.overdue`, and notices to the receiving
 * agency's parent agency and to both agencies. Re-checks state (a stale timer does nothing).
 */
export function markFilingOverdue(tx: Tx, deps: Deps, id: string): boolean {
  const f = getFiling(tx, id);
  if (!f || f.status !== 'pending' || caseEnded(tx, f.caseId)) return false;
  const now = deps.clock.now();
  if (Date.parse(f.ackDueAt) > now.getTime()) return false;
  const at = now.toISOString();
  const row = tx.update(filings).set({ status: 'overdue', overdueAt: at, updatedAt: at }).where(eq(filings.id, id)).returning().get();
  setFilingItemStatus(tx, id, 'overdue');
  emitFiling(tx, deps, row, 'filing.overdue', { overdueAt: at });
  const parent = getAgency(tx, f.toAgencyCode)?.parentCode ?? null;
  const targets = [...new Set([...(parent ? [parent] : []), f.toAgencyCode, f.fromAgencyCode])];
  for (const agencyCode of targets)
    notify(tx, deps, {
      kind: 'filing_overdue',
      agencyCode,
      subject: `filings/${f.id}`,
      message: `The filing of case ${f.caseNumber} by ${f.fromAgencyCode} was not acknowledged by ${f.toAgencyCode} by ${f.ackDueAt}.`,
      category: f.category,
      data: {
        filingId: f.id,
        caseId: f.caseId,
        caseNumber: f.caseNumber,
        fromAgencyCode: f.fromAgencyCode,
        toAgencyCode: f.toAgencyCode,
        ackDueAt: f.ackDueAt,
      },
    });
  return true;
}

/** Second deadline: still not acknowledged → `filing.escalated` and notices to the top agencies of both sides. */
export function escalateFiling(tx: Tx, deps: Deps, id: string): boolean {
  const f0 = getFiling(tx, id);
  if (!f0 || f0.status === 'acknowledged' || f0.escalatedAt) return false;
  if (f0.status === 'pending' && caseEnded(tx, f0.caseId)) return false;
  const now = deps.clock.now();
  if (Date.parse(f0.escalateAt) > now.getTime()) return false;
  // Both deadlines may fire in one sweep, in any order: the overdue step comes first.
  if (f0.status === 'pending') markFilingOverdue(tx, deps, id);
  const at = now.toISOString();
  const row = tx.update(filings).set({ escalatedAt: at, updatedAt: at }).where(eq(filings.id, id)).returning().get();
  const tops = (['region', 'corps'] as const).map((s) => topAgency(tx, s)?.code).filter((c): c is string => !!c);
  emitFiling(tx, deps, row, 'filing.escalated', { escalatedAt: at, escalatedTo: tops }, null);
  for (const agencyCode of tops)
    notify(tx, deps, {
      kind: 'filing_escalated',
      agencyCode,
      subject: `filings/${row.id}`,
      message: `The filing of case ${row.caseNumber} by ${row.fromAgencyCode} is still not acknowledged by ${row.toAgencyCode} (due ${row.ackDueAt}).`,
      category: row.category,
      data: {
        filingId: row.id,
        caseId: row.caseId,
        caseNumber: row.caseNumber,
        fromAgencyCode: row.fromAgencyCode,
        toAgencyCode: row.toAgencyCode,
        ackDueAt: row.ackDueAt,
      },
    });
  return true;
}
