/** Case registry service: registration, changes, transitions, deadlines, measures, notes, evidence. */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { appendEvent } from '../outbox/index.js';
import { conflict, denied, fieldError, forbidden, notFound } from '../http/problem.js';
import { getAgency, type Agency } from '../reference/hierarchy.js';
import { checkIfMatch, checkVersion, type Expected } from '../http/versioning.js';
import { cancelTimer, scheduleTimer } from '../queue/timers.js';
import { notify } from '../notifications/index.js';
import { cancelSubjectAssignments } from '../assignments/service.js';
import type { RoutableSubject, RoutingOutcome, SubjectHooks } from '../domain/routing.js';
import { caseCoHandling, caseComplaints, caseCounters, caseMeasures, cases, type CaseStatus } from './tables.js';
import { caseCopy, recordChange, recordLeft, clearLeft } from './changes.js';
import { appendTimeline, SYSTEM, type Actor } from './timeline.js';
import { loadCase, relationsOf, scopeOf, type CaseRow, type Scope } from './visibility.js';
import { allowedTransitions, FINAL, isPreDecision, NEEDS_REASON } from './state.js';
import { RULES, decisionExtensionDays, limitBreached } from './limits.js';
import {
  buildMeasure,
  checkHearingNotice,
  checkPenaltyStage,
  extendMeasure,
  EXTENDABLE,
  LIFTABLE,
  publicMeasure,
  type MeasureBody,
  type MeasureRow,
} from './measures.js';
import { otherSideAgency, resolvePlace } from './spatial.js';
import { getSource } from './sources.js';
import { chinaDate, chinaYear, dayCountDeadline, dayCountDeadlineFrom } from '../calendar.js';
import type { CreateCaseBody, EvidenceBody, ExtendCaseBody, ExtendMeasureBody, PatchCaseBody, TransitionBody } from './schemas.js';

/** Job fired by the decision-deadline timer (queue `deadline`). */
export const DECISION_DUE_JOB = 'cases.decision_due';
export const decisionTimerId = (caseId: string) => `case-decision-${caseId}`;
/** Optional hook of the complaint flow: answer the reporters of these complaints (case closed). */
export type CaseClosedHook = (tx: Tx, complaintIds: string[], caseId: string) => void;
declare module '../deps.js' {
  interface Services {
    /** Set by intake: a case opened from complaints closed, so their reporters are answered. */
    onCaseClosed?: CaseClosedHook;
    /**
     * Set by filings: the case was closed, withdrawn or transferred, so its pending filings'
     * acknowledgement deadlines are cancelled (in the same transaction).
     */
    onCaseEnded?: (tx: Tx, caseId: string, status: 'closed' | 'withdrawn' | 'transferred') => void;
  }
}

export const actorOf = (p: Principal): Actor => ({ keyId: p.keyId, agencyCode: p.agencyCode });

// ---------------------------------------------------------------------------------------------
// Views and events

export function caseViews(tx: Tx, rows: CaseRow[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const co = new Map<string, string[]>();
  for (const r of tx
    .select()
    .from(caseCoHandling)
    .where(inArray(caseCoHandling.caseId, ids))
    .orderBy(asc(caseCoHandling.addedAt), asc(caseCoHandling.agencyCode))
    .all())
    co.set(r.caseId, [...(co.get(r.caseId) ?? []), r.agencyCode]);
  const cps = new Map<string, string[]>();
  for (const r of tx.select().from(caseComplaints).where(inArray(caseComplaints.caseId, ids)).orderBy(asc(caseComplaints.complaintId)).all())
    cps.set(r.caseId, [...(cps.get(r.caseId) ?? []), r.complaintId]);
  return rows.map((c) => ({
    id: c.id,
    number: c.number,
    title: c.title,
    category: c.category as never,
    side: c.side,
    leadAgencyCode: c.leadAgencyCode,
    leadTeamId: c.leadTeamId,
    coHandlingAgencyCodes: co.get(c.id) ?? [],
    location: { lat: c.lat, lng: c.lng },
    address: c.address,
    areaId: c.areaId,
    gridId: c.gridId,
    joint: c.joint,
    sourceId: c.sourceId,
    partyName: c.partyName,
    origin: { kind: c.originKind, complaintIds: cps.get(c.id) ?? [] },
    summary: c.summary,
    status: c.status,
    statusReason: c.statusReason,
    suspendedFrom: c.suspendedFrom,
    decision: c.decision ?? null,
    transferredFrom: c.transferredFrom,
    registeredAt: c.registeredAt,
    decisionDueAt: c.decisionDueAt,
    extensions: c.extensions,
    overdue: isOverdue(c),
    overdueAt: c.overdueAt,
    decidedAt: c.decidedAt,
    closedAt: c.closedAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    version: c.version,
  }));
}

export const caseView = (tx: Tx, row: CaseRow) => caseViews(tx, [row])[0];
export type CaseView = ReturnType<typeof caseView>;

/** Currently overdue: the decision deadline passed and the case is still before its decision. */
export const isOverdue = (c: CaseRow) => c.overdueAt !== null && isPreDecision(c);

/**
 * Appends a case event. Audience: the lead agency (and its side, via the outbox), co-handling
 * and case_access agencies, plus `extra` agencies (e.g. the previous lead after a transfer).
 * Never reporter data.
 */
export function emitCase(
  tx: Tx,
  deps: Deps,
  c: CaseRow,
  type: string,
  data: Record<string, unknown> = {},
  opts: { actorAgencyCode?: string | null; extra?: string[] } = {},
) {
  const rel = relationsOf(tx, c.id);
  const audience = [
    ...[...new Set([...rel.coHandling, ...rel.access, ...(opts.extra ?? [])])].map((a) => `agency:${a}`),
    // Teams with a time-bounded read grant (a cross operation's visitors) see what they may GET.
    ...(rel.grantedTeams ?? []).map((t) => `team:${t}`),
  ];
  return appendEvent(tx, deps.clock, {
    type,
    subject: `cases/${c.id}`,
    data: {
      id: c.id,
      number: c.number,
      status: c.status,
      side: c.side,
      leadAgencyCode: c.leadAgencyCode,
      coHandlingAgencyCodes: rel.coHandling,
      category: c.category,
      joint: c.joint,
      sourceId: c.sourceId,
      ...data,
    },
    side: c.side,
    agencyCode: c.leadAgencyCode,
    category: c.category,
    actorAgencyCode: opts.actorAgencyCode ?? c.leadAgencyCode,
    audience,
    // partners with the `cases` scope read these as cases (cases@side:…, cases@agency:…)
    readableAs: 'cases',
  });
}

/** Writes a change to the case row (version + 1) and the sync change log; returns the row and its change seq. */
function updateCase(tx: Tx, deps: Deps, cur: CaseRow, set: Partial<CaseRow>): { row: CaseRow; seq: number } {
  const now = deps.clock.now().toISOString();
  const row = tx
    .update(cases)
    .set({ ...set, updatedAt: now, version: cur.version + 1 })
    .where(eq(cases.id, cur.id))
    .returning()
    .get();
  return { row, seq: recordChange(tx, row.id, now) };
}

// ---------------------------------------------------------------------------------------------
// Registration

/** Roles that may change cases at all (partners read at most; intake reads only). */
export function scopeForWrite(tx: Tx, p: Principal): Scope {
  const scope = scopeOf(tx, p);
  if (scope.kind === 'none') throw notFound('resource');
  if (scope.kind === 'partner') throw denied('case:read-only-partner', 'Partner keys read cases; they do not change them.');
  return scope;
}

function tableExists(tx: Tx, name: string): boolean {
  return !!tx.get<{ n: number }>(sql`select count(*) as n from sqlite_master where type = 'table' and name = ${name}`)?.n;
}

/** 404 naming the first complaint id that does not exist (when the intake capability is installed). */
function verifyComplaints(tx: Tx, ids: string[]) {
  if (ids.length === 0 || !tableExists(tx, 'complaints')) return;
  const found = new Set(
    tx
      .all<{ id: string }>(
        sql`select id from complaints where id in (${sql.join(
          ids.map((i) => sql`${i}`),
          sql`, `,
        )})`,
      )
      .map((r) => r.id),
  );
  const missing = ids.find((i) => !found.has(i));
  if (missing) throw notFound('complaint', missing);
}

function nextNumber(tx: Tx, agencyCode: string, year: number): string {
  const row = tx
    .insert(caseCounters)
    .values({ agencyCode, year, last: 1 })
    .onConflictDoUpdate({ target: [caseCounters.agencyCode, caseCounters.year], set: { last: sql`${caseCounters.last} + 1` } })
    .returning()
    .get();
  return `${agencyCode}-${year}-${String(row.last).padStart(5, '0')}`;
}

function requireAgency(tx: Tx, code: string): Agency {
  const a = getAgency(tx, code);
  if (!a) throw notFound('agency', code);
  return a;
}

/**
 * For the inspections capability: registers the case a random inspection found (origin
 * `inspection`), in the caller's transaction, led by the source's supervising agency. The
 * inspections capability has already decided the caller may record the inspection (a drawn
 * officer, possibly of the other side in a cross-side plan), so the registering agency's scope is
 * not checked here.
 */
export function registerInspectionCase(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateCaseBody>): CaseRow {
  return registerCase(tx, deps, p, { ...b, origin: { kind: 'inspection' } }, { authorized: true });
}

export function registerCase(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateCaseBody>, opts: { authorized?: boolean } = {}): CaseRow {
  const lead = requireAgency(tx, b.leadAgencyCode);
  if (!opts.authorized) {
    const scope = scopeForWrite(tx, p);
    if (p.role === 'intake') throw forbidden('Cases are registered by inspectors, supervisors or admins.');
    if (scope.kind === 'agency' && !scope.down.includes(lead.code))
      throw forbidden(`Agency ${p.agencyCode} may register cases only for itself or an agency below it, not ${lead.code}.`);
  }

  const requested = b.coHandlingAgencyCodes ?? [];
  const coAgencies = requested.map((code) => requireAgency(tx, code));
  if (requested.includes(lead.code)) throw fieldError('body/coHandlingAgencyCodes', `must not contain the lead agency ${lead.code}`);

  const source = b.sourceId ? getSource(tx, b.sourceId) : undefined;
  if (b.sourceId && !source) throw notFound('source', b.sourceId);

  const complaintIds = b.origin.complaintIds ?? [];
  if (b.origin.kind === 'complaint' && complaintIds.length === 0) throw fieldError('body/origin/complaintIds', 'is required when origin.kind is complaint');
  verifyComplaints(tx, complaintIds);

  // Place: grid, area, joint. A place owned by the other side counts as joint too.
  const place = resolvePlace(deps, b.location.lat, b.location.lng);
  const joint = !!place && (place.joint || (place.side !== null && place.side !== lead.side));

  // Automatic co-handling by the other side, unless one was named.
  const auto: { code: string; reason: string }[] = [];
  if (!coAgencies.some((a) => a.side !== lead.side)) {
    const byPlace = joint && place ? otherSideAgency(place, lead.side) : null;
    if (byPlace && getAgency(tx, byPlace)) auto.push({ code: byPlace, reason: 'joint_place' });
    if (source && source.side !== lead.side && !auto.some((x) => x.code === source.agencyCode)) auto.push({ code: source.agencyCode, reason: 'source_side' });
  }

  const now = deps.clock.now();
  const at = now.toISOString();
  const id = newId();
  const row = tx
    .insert(cases)
    .values({
      id,
      number: nextNumber(tx, lead.code, chinaYear(now)),
      title: b.title,
      category: b.category,
      side: lead.side,
      leadAgencyCode: lead.code,
      leadTeamId: null,
      lat: b.location.lat,
      lng: b.location.lng,
      address: b.address ?? null,
      areaId: place?.areaId ?? null,
      gridId: place?.gridId ?? null,
      joint,
      sourceId: source?.id ?? null,
      partyName: b.partyName ?? source?.name ?? null,
      originKind: b.origin.kind,
      summary: b.summary,
      status: 'registered',
      statusReason: null,
      suspendedFrom: null,
      decision: null,
      transferredFrom: null,
      registeredAt: at,
      // a legal period in days: 24:00 China time of the last day, off holidays (shared/domain.md §4c)
      decisionDueAt: dayCountDeadlineFrom(now, deps.config.caseLimits.decisionDays).dueAt.toISOString(),
      extensionCount: 0,
      extensions: [],
      overdueAt: null,
      decidedAt: null,
      closedAt: null,
      createdBy: p.keyId,
      createdAt: at,
      updatedAt: at,
      version: 1,
    })
    .returning()
    .get();
  const keys = caseCopy(row);
  for (const code of requested)
    tx.insert(caseCoHandling)
      .values({ caseId: id, agencyCode: code, reason: 'requested', addedAt: at, ...keys })
      .run();
  for (const a of auto)
    tx.insert(caseCoHandling)
      .values({ caseId: id, agencyCode: a.code, reason: a.reason, addedAt: at, ...keys })
      .run();
  for (const cid of complaintIds) tx.insert(caseComplaints).values({ caseId: id, complaintId: cid }).run();

  appendTimeline(tx, id, 'change', at, actorOf(p), {
    action: 'registered',
    number: row.number,
    leadAgencyCode: lead.code,
    coHandling: [...requested.map((code) => ({ agencyCode: code, reason: 'requested' })), ...auto.map((a) => ({ agencyCode: a.code, reason: a.reason }))],
    originKind: b.origin.kind,
    complaintIds,
    decisionDueAt: row.decisionDueAt,
  });
  recordChange(tx, id, at);
  scheduleTimer(tx, { id: decisionTimerId(id), name: DECISION_DUE_JOB, dueAt: new Date(row.decisionDueAt), payload: { caseId: id } });
  emitCase(
    tx,
    deps,
    row,
    'case.registered',
    {
      title: row.title,
      location: { lat: row.lat, lng: row.lng },
      areaId: row.areaId,
      gridId: row.gridId,
      originKind: row.originKind,
      complaintIds,
      registeredAt: row.registeredAt,
      decisionDueAt: row.decisionDueAt,
    },
    { actorAgencyCode: p.agencyCode ?? lead.code },
  );
  return row;
}

// ---------------------------------------------------------------------------------------------
// Edits

export function patchCase(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof PatchCaseBody>): CaseRow {
  const c = loadCase(tx, scopeForWrite(tx, p), id, 'manage');
  checkVersion(expected, c.version, 'case', id);
  if (FINAL.includes(c.status)) throw conflict('case-final', `Case ${c.number} is ${c.status}; it can no longer be changed.`);
  if (b.sourceId && !getSource(tx, b.sourceId)) throw notFound('source', b.sourceId);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const set: Partial<CaseRow> = {};
  for (const k of ['title', 'category', 'address', 'partyName', 'sourceId', 'summary'] as const) {
    const v = b[k];
    if (v !== undefined && v !== c[k]) {
      changes[k] = { from: c[k], to: v };
      (set as Record<string, unknown>)[k] = v;
    }
  }
  if (Object.keys(changes).length === 0) return c;
  const { row } = updateCase(tx, deps, c, set);
  appendTimeline(tx, id, 'change', row.updatedAt, actorOf(p), { action: 'updated', changes });
  emitCase(tx, deps, row, 'case.updated', { fields: Object.keys(changes), version: row.version }, { actorAgencyCode: p.agencyCode });
  return row;
}

// ---------------------------------------------------------------------------------------------
// Transitions

export function transitionCase(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof TransitionBody>): CaseRow {
  const c = loadCase(tx, scopeForWrite(tx, p), id, 'manage');
  checkIfMatch(expected, c.version, 'case', c.id);
  const allowed = allowedTransitions(c);
  if (!allowed.includes(b.to))
    throw conflict(
      'illegal-transition',
      `Case ${c.number} cannot go from ${c.status} to ${b.to}; allowed: ${allowed.length ? allowed.join(', ') : 'none (final state)'}.`,
      { from: c.status, to: b.to, allowed },
    );
  if (NEEDS_REASON.includes(b.to) && !b.reason) throw fieldError('body/reason', `is required to go to ${b.to}`);
  if (b.to === 'decided' && !b.decision) throw fieldError('body/decision', 'is required to go to decided');
  if (b.to !== 'decided' && b.decision) throw fieldError('body/decision', 'is only for the transition to decided');
  if (b.to !== 'transferred' && b.toAgencyCode) throw fieldError('body/toAgencyCode', 'is only for the transition to transferred');

  const now = deps.clock.now();
  const at = now.toISOString();
  const set: Partial<CaseRow> = { status: b.to, statusReason: b.reason ?? null };
  let newLead: Agency | null = null;
  if (b.to === 'suspended') set.suspendedFrom = c.status;
  if (c.status === 'suspended') set.suspendedFrom = null;
  if (b.to === 'decided') {
    set.decision = { summary: b.decision!.summary, documentNumber: b.decision!.documentNumber ?? null };
    set.decidedAt = at;
  }
  if (b.to === 'closed') set.closedAt = at;
  if (b.to === 'transferred') {
    if (!b.toAgencyCode) throw fieldError('body/toAgencyCode', 'is required to go to transferred');
    newLead = requireAgency(tx, b.toAgencyCode);
    if (newLead.code === c.leadAgencyCode) throw fieldError('body/toAgencyCode', `is already the lead agency`);
    Object.assign(set, { leadAgencyCode: newLead.code, side: newLead.side, transferredFrom: c.leadAgencyCode, leadTeamId: null });
  }
  const { row, seq } = updateCase(tx, deps, c, set);
  if (newLead) {
    // The new lead is no longer a co-handler; the old lead leaves (tombstone in its sync).
    tx.delete(caseCoHandling)
      .where(and(eq(caseCoHandling.caseId, id), eq(caseCoHandling.agencyCode, newLead.code)))
      .run();
    recordLeft(tx, id, c.leadAgencyCode, 'lead', seq);
    clearLeft(tx, id, newLead.code, 'lead');
  }
  if (b.to === 'decided' || b.to === 'withdrawn') cancelTimer(tx, decisionTimerId(id), now);
  appendTimeline(tx, id, 'change', at, actorOf(p), {
    action: 'transition',
    from: c.status,
    to: b.to,
    ...(b.reason ? { reason: b.reason } : {}),
    ...(newLead ? { fromAgencyCode: c.leadAgencyCode, toAgencyCode: newLead.code } : {}),
    ...(b.decision ? { decision: set.decision } : {}),
  });
  emitCase(
    tx,
    deps,
    row,
    'case.status_changed',
    { from: c.status, to: b.to, reason: b.reason ?? null, ...(newLead ? { fromAgencyCode: c.leadAgencyCode, toAgencyCode: newLead.code } : {}) },
    { actorAgencyCode: p.agencyCode, extra: newLead ? [c.leadAgencyCode] : [] },
  );
  if (b.to === 'closed' || b.to === 'withdrawn') cancelSubjectAssignments(tx, deps, 'case', id, `case ${b.to}`, p.agencyCode);
  if (b.to === 'closed' || b.to === 'withdrawn' || b.to === 'transferred') deps.services.onCaseEnded?.(tx, id, b.to);
  if (b.to === 'closed') {
    const complaintIds = tx
      .select()
      .from(caseComplaints)
      .where(eq(caseComplaints.caseId, id))
      .all()
      .map((r) => r.complaintId);
    if (complaintIds.length) deps.services.onCaseClosed?.(tx, complaintIds, id);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Decision deadline

export function extendCase(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof ExtendCaseBody>): CaseRow {
  const c = loadCase(tx, scopeForWrite(tx, p), id, 'manage');
  checkIfMatch(expected, c.version, 'case', c.id);
  if (!isPreDecision(c)) throw conflict('not-extendable', `Case ${c.number} is ${c.status}: the decision deadline only runs before the decision.`);
  const now = deps.clock.now();
  if (now.getTime() > Date.parse(c.decisionDueAt))
    throw limitBreached(RULES.extensionBeforeDeadline, c.decisionDueAt, `an extension must be approved before the deadline ${c.decisionDueAt} passes`);
  const collective = b.collective ?? false;
  const days = decisionExtensionDays(c.extensionCount, collective, deps.config.caseLimits);
  // counted on from the last day of the current period (its 24:00 is the instant itself)
  const decisionDueAt = dayCountDeadline(chinaDate(new Date(Date.parse(c.decisionDueAt) - 1)), days).dueAt.toISOString();
  const ext = { days, reason: b.reason, approvedBy: b.approvedBy, collective, at: now.toISOString() };
  const { row } = updateCase(tx, deps, c, { decisionDueAt, extensionCount: c.extensionCount + 1, extensions: [...c.extensions, ext] });
  scheduleTimer(tx, { id: decisionTimerId(id), name: DECISION_DUE_JOB, dueAt: new Date(decisionDueAt), payload: { caseId: id } });
  appendTimeline(tx, id, 'change', ext.at, actorOf(p), { action: 'deadline_extended', ...ext, from: c.decisionDueAt, to: decisionDueAt });
  emitCase(tx, deps, row, 'case.deadline_extended', { days, collective, decisionDueAt, previousDueAt: c.decisionDueAt }, { actorAgencyCode: p.agencyCode });
  return row;
}

/** Timer body: the decision deadline passed. Re-checks state (a stale timer does nothing). */
export function markDecisionOverdue(tx: Tx, deps: Deps, caseId: string): boolean {
  const c = tx.select().from(cases).where(eq(cases.id, caseId)).get();
  if (!c || c.overdueAt || !isPreDecision(c)) return false;
  const now = deps.clock.now();
  if (Date.parse(c.decisionDueAt) > now.getTime()) return false;
  const { row } = updateCase(tx, deps, c, { overdueAt: now.toISOString() });
  appendTimeline(tx, caseId, 'change', row.updatedAt, SYSTEM, { action: 'overdue', deadline: 'decision', dueAt: c.decisionDueAt });
  emitCase(tx, deps, row, 'case.overdue', { deadline: 'decision', dueAt: c.decisionDueAt, overdueAt: row.overdueAt });
  // Supervisors of the lead agency and of the agency above it.
  const lead = getAgency(tx, c.leadAgencyCode);
  const targets = [c.leadAgencyCode, ...(lead?.parentCode ? [lead.parentCode] : [])];
  for (const agencyCode of targets)
    notify(tx, deps, {
      kind: 'case_overdue',
      agencyCode,
      subject: `cases/${c.id}`,
      message: `Case ${c.number} (lead ${c.leadAgencyCode}) has no decision by its deadline ${c.decisionDueAt}.`,
      category: c.category,
      actorAgencyCode: c.leadAgencyCode,
      data: { caseId: c.id, number: c.number, leadAgencyCode: c.leadAgencyCode, dueAt: c.decisionDueAt, joint: c.joint },
    });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Measures

const MEASURE_CLOSED_STATES: readonly CaseStatus[] = ['closed', 'withdrawn', 'transferred'];

export function getMeasure(tx: Tx, caseId: string, mid: string): MeasureRow | undefined {
  return tx
    .select()
    .from(caseMeasures)
    .where(and(eq(caseMeasures.id, mid), eq(caseMeasures.caseId, caseId)))
    .get();
}

export function getMeasureOr404(tx: Tx, caseId: string, mid: string): MeasureRow {
  const m = getMeasure(tx, caseId, mid);
  if (!m) throw notFound('measure', mid);
  return m;
}

export function listMeasures(tx: Tx, caseId: string): MeasureRow[] {
  return tx.select().from(caseMeasures).where(eq(caseMeasures.caseId, caseId)).orderBy(asc(caseMeasures.createdAt), asc(caseMeasures.id)).all();
}

export function addMeasure(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: MeasureBody): MeasureRow {
  const c = loadCase(tx, scopeForWrite(tx, p), id, 'manage');
  checkIfMatch(expected, c.version, 'case', c.id);
  if (MEASURE_CLOSED_STATES.includes(c.status))
    throw conflict('case-not-active', `Case ${c.number} is ${c.status}: measures can no longer be added.`, { caseStatus: c.status });
  const now = deps.clock.now();
  const built = buildMeasure(tx, b, { leadAgencyCode: c.leadAgencyCode, today: chinaDate(now), limits: deps.config.caseLimits });
  // the procedure: penalties after investigation (arts. 44–45, 57), a hearing notice before a large fine (art. 63)
  checkPenaltyStage(b.type, c);
  checkHearingNotice(b, listMeasures(tx, id), deps.config.caseLimits);
  const at = now.toISOString();
  const m = tx
    .insert(caseMeasures)
    .values({
      id: newId(),
      caseId: id,
      type: b.type,
      status: 'active',
      amountFen: built.amountFen,
      legalBasis: built.legalBasis,
      details: built.details,
      extensionCount: 0,
      liftedAt: null,
      liftReason: null,
      createdBy: p.keyId,
      createdAt: at,
      updatedAt: at,
    })
    .returning()
    .get();
  const { row } = updateCase(tx, deps, c, {});
  const view = publicMeasure(m);
  appendTimeline(tx, id, 'change', at, actorOf(p), { action: 'measure_added', measure: view });
  emitCase(
    tx,
    deps,
    row,
    'case.measure_added',
    { measureId: m.id, measureType: m.type, amountFen: m.amountFen, measure: view },
    { actorAgencyCode: p.agencyCode },
  );
  return m;
}

export function extendCaseMeasure(tx: Tx, deps: Deps, p: Principal, id: string, mid: string, b: Static<typeof ExtendMeasureBody>): MeasureRow {
  const c = loadCase(tx, scopeForWrite(tx, p), id, 'manage');
  const m = getMeasureOr404(tx, id, mid);
  if (!EXTENDABLE.includes(m.type)) throw conflict('not-extendable', `A ${m.type} measure has no extension; only ${EXTENDABLE.join(' and ')} do.`);
  if (m.status !== 'active') throw conflict('measure-lifted', `Measure ${mid} was lifted; it cannot be extended.`);
  const { extensionDays } = extendMeasure(m, b.newEndsOn, deps.config.caseLimits);
  const at = deps.clock.now().toISOString();
  const extension = { newEndsOn: b.newEndsOn, days: extensionDays, reason: b.reason, approvedBy: b.approvedBy, at };
  const next = tx
    .update(caseMeasures)
    .set({ details: { ...m.details, endsOn: b.newEndsOn, extension }, extensionCount: m.extensionCount + 1, updatedAt: at })
    .where(eq(caseMeasures.id, mid))
    .returning()
    .get();
  const { row } = updateCase(tx, deps, c, {});
  appendTimeline(tx, id, 'change', at, actorOf(p), { action: 'measure_extended', measureId: mid, measureType: m.type, from: m.details.endsOn, ...extension });
  emitCase(
    tx,
    deps,
    row,
    'case.measure_extended',
    { measureId: mid, measureType: m.type, endsOn: b.newEndsOn, extensionDays },
    { actorAgencyCode: p.agencyCode },
  );
  return next;
}

export function liftCaseMeasure(tx: Tx, deps: Deps, p: Principal, id: string, mid: string, reason: string): MeasureRow {
  const c = loadCase(tx, scopeForWrite(tx, p), id, 'manage');
  const m = getMeasureOr404(tx, id, mid);
  if (!LIFTABLE.includes(m.type)) throw conflict('not-liftable', `A ${m.type} measure is not lifted; only ${LIFTABLE.join(', ')} are.`);
  if (m.status === 'lifted') throw conflict('measure-lifted', `Measure ${mid} was already lifted at ${m.liftedAt}.`);
  const at = deps.clock.now().toISOString();
  const next = tx
    .update(caseMeasures)
    .set({ status: 'lifted', liftedAt: at, liftReason: reason, updatedAt: at })
    .where(eq(caseMeasures.id, mid))
    .returning()
    .get();
  const { row } = updateCase(tx, deps, c, {});
  appendTimeline(tx, id, 'change', at, actorOf(p), { action: 'measure_lifted', measureId: mid, measureType: m.type, reason });
  emitCase(tx, deps, row, 'case.measure_lifted', { measureId: mid, measureType: m.type }, { actorAgencyCode: p.agencyCode });
  return next;
}

// ---------------------------------------------------------------------------------------------
// Notes and evidence (timeline only; they do not change the case's version)

export function addNote(tx: Tx, deps: Deps, p: Principal, id: string, text: string) {
  loadCase(tx, scopeForWrite(tx, p), id, 'contribute');
  return appendTimeline(tx, id, 'note', deps.clock.now().toISOString(), actorOf(p), { text });
}

export function addEvidence(tx: Tx, deps: Deps, p: Principal, id: string, b: Static<typeof EvidenceBody>) {
  loadCase(tx, scopeForWrite(tx, p), id, 'contribute');
  if (Date.parse(b.capturedAt) > deps.clock.now().getTime() + 5 * 60_000) throw fieldError('body/capturedAt', 'is in the future');
  return appendTimeline(tx, id, 'evidence', deps.clock.now().toISOString(), actorOf(p), { ...b });
}

// ---------------------------------------------------------------------------------------------
// Routing (the route.subject job, src/assignments)

export const caseRoutingHooks: SubjectHooks = {
  load(tx, id): RoutableSubject | null {
    const c = tx.select().from(cases).where(eq(cases.id, id)).get();
    if (!c) return null;
    return { kind: 'case', id, category: c.category, location: { lat: c.lat, lng: c.lng }, sourceId: c.sourceId, leadAgencyCode: c.leadAgencyCode };
  },
  routable(tx, id) {
    const c = tx.select({ status: cases.status }).from(cases).where(eq(cases.id, id)).get();
    return !!c && !FINAL.includes(c.status);
  },
  onRouted(tx, deps, id, outcome: RoutingOutcome) {
    const c = tx.select().from(cases).where(eq(cases.id, id)).get();
    if (!c) return;
    const at = deps.clock.now().toISOString();
    const lead = outcome.assignments.find((a) => a.role === 'lead');
    const existing = new Set(relationsOf(tx, id).coHandling);
    const added: string[] = [];
    for (const a of outcome.assignments) {
      if (a.role !== 'co_handling' || a.agencyCode === c.leadAgencyCode || existing.has(a.agencyCode)) continue;
      tx.insert(caseCoHandling)
        .values({ caseId: id, agencyCode: a.agencyCode, reason: 'joint_place', addedAt: at, ...caseCopy(c) })
        .onConflictDoNothing()
        .run();
      existing.add(a.agencyCode);
      added.push(a.agencyCode);
    }
    const { row } = updateCase(tx, deps, c, {
      leadTeamId: lead?.teamId ?? outcome.teamId ?? c.leadTeamId,
      areaId: c.areaId ?? outcome.areaId,
      gridId: c.gridId ?? outcome.gridId,
      joint: c.joint || outcome.joint,
    });
    const assignments = outcome.assignments.map((a) => ({ id: a.id, teamId: a.teamId, agencyCode: a.agencyCode, side: a.side, role: a.role }));
    appendTimeline(tx, id, 'change', at, SYSTEM, { action: 'routed', leadTeamId: row.leadTeamId, triage: outcome.triage, assignments, coHandlingAdded: added });
    emitCase(tx, deps, row, 'case.routed', { leadTeamId: row.leadTeamId, triage: outcome.triage, assignments });
  },
};

/** Cases linked to a complaint (the link the other way), for the complaint flow. */
export function casesForComplaint(tx: Tx, complaintId: string): string[] {
  return tx
    .select()
    .from(caseComplaints)
    .where(eq(caseComplaints.complaintId, complaintId))
    .all()
    .map((r) => r.caseId);
}
