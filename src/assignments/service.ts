import { and, desc, eq, or, exists, inArray, isNotNull, isNull, asc, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { preparedOnce, type Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { appendEvent } from '../outbox/index.js';
import { scheduleTimer, cancelTimer } from '../queue/timers.js';
import { newId } from '../ids.js';
import { HOUR_MS } from '../clock.js';
import type { Category } from '../domain/index.js';
import { agencySubtree, getAgency } from '../reference/hierarchy.js';
import { badRequest, conflict, denied, fieldError, notFound, type Denial } from '../http/problem.js';
import { checkIfMatch, type Expected } from '../http/versioning.js';
import { planRouting, pickTeam, TRIAGE, type Target } from '../jurisdiction/routing.js';
import { spatialService } from '../jurisdiction/spatial-index.js';
import { assignments, assignmentHistory } from './tables.js';
import { notify } from '../notifications/index.js';
import {
  subjectHooks,
  subjectPath,
  type RoutableSubject,
  type RoutedAssignment,
  type RoutingOutcome,
  type SubjectKind,
  type TransferJob,
} from '../domain/routing.js';
import { afterKey } from '../db/keyset.js';

export type AssignmentRow = typeof assignments.$inferSelect;
export type HistoryRow = typeof assignmentHistory.$inferSelect;
export type Actor = Pick<Principal, 'keyId' | 'role' | 'agencyCode'> | null;

/** Claim-deadline job names: one per side so each side's deadlines run on its own queue. */
export const CLAIM_DEADLINE = 'assignment.claim-deadline';
export const claimDeadlineJob = (side: string | null) => `${CLAIM_DEADLINE}.${side ?? 'center'}`;
export const claimTimerId = (assignmentId: string) => `claim-${assignmentId}`;

const OPEN = ['pending', 'claimed'] as const;

function addHistory(tx: Tx, deps: Deps, a: AssignmentRow, action: HistoryRow['action'], by: Actor, reason: string | null = null) {
  tx.insert(assignmentHistory)
    .values({
      assignmentId: a.id,
      at: deps.clock.now().toISOString(),
      action,
      status: a.status,
      byKeyId: by?.keyId ?? null,
      byRole: by?.role ?? null,
      byAgencyCode: by?.agencyCode ?? null,
      reason,
    })
    .run();
}

export function eventData(a: AssignmentRow, extra: Record<string, unknown> = {}) {
  return {
    id: a.id,
    subject: subjectPath(a.subjectKind, a.subjectId),
    subjectKind: a.subjectKind,
    subjectId: a.subjectId,
    role: a.role,
    status: a.status,
    overdue: a.overdue,
    teamId: a.teamId,
    agencyCode: a.agencyCode,
    side: a.side,
    triage: a.teamId === null,
    via: a.via,
    dueAt: a.dueAt,
    ...extra,
  };
}

function emit(tx: Tx, deps: Deps, type: string, a: AssignmentRow, extra: Record<string, unknown> = {}, actorAgencyCode?: string | null) {
  const audience = [a.teamId && `team:${a.teamId}`, a.agencyCode && `agency:${a.agencyCode}`].filter((x): x is string => !!x);
  appendEvent(tx, deps.clock, {
    type,
    subject: `assignments/${a.id}`,
    data: eventData(a, extra),
    side: a.side,
    agencyCode: a.agencyCode,
    category: a.category,
    actorAgencyCode: actorAgencyCode ?? a.agencyCode ?? 'center',
    audience,
  });
}

/** Inserts one assignment with its history, its event and its claim-deadline timer. */
export function createAssignment(
  tx: Tx,
  deps: Deps,
  s: { kind: SubjectKind; id: string; category: string; claimHours?: number; dueAt?: Date },
  role: 'lead' | 'co_handling',
  target: Target,
  previousId: string | null = null,
): AssignmentRow {
  const now = deps.clock.now();
  const hours = s.claimHours && s.claimHours > 0 ? s.claimHours : deps.config.assignmentClaimHours;
  const dueAt = s.dueAt ?? new Date(now.getTime() + hours * HOUR_MS);
  const row: AssignmentRow = {
    id: newId(),
    subjectKind: s.kind,
    subjectId: s.id,
    role,
    status: 'pending',
    overdue: false,
    teamId: target.teamId,
    agencyCode: target.agencyCode,
    side: target.side,
    category: s.category as Category,
    via: target.via,
    areaId: target.areaId,
    dueAt: dueAt.toISOString(),
    claimedAt: null,
    claimedBy: null,
    completedAt: null,
    completedBy: null,
    completionNote: null,
    declinedAt: null,
    declinedBy: null,
    declineReason: null,
    suggestedAgencyCode: null,
    previousId,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  tx.insert(assignments).values(row).run();
  addHistory(tx, deps, row, 'created', null, target.via);
  emit(tx, deps, 'assignment.created', row);
  scheduleTimer(tx, { id: claimTimerId(row.id), name: claimDeadlineJob(row.side), dueAt: new Date(row.dueAt), payload: { assignmentId: row.id } });
  return row;
}

/**
 * For subjects whose teams are already chosen (a drawn random inspection: the drawn officers'
 * teams): one assignment per distinct team — the first team leads, the others co-handle — due at
 * `dueAt`, with `via: drawn`. Does nothing when the subject already has assignments (a repeated
 * job). Each goes on its side's work list like any other.
 */
export function assignToTeams(
  tx: Tx,
  deps: Deps,
  subject: { kind: SubjectKind; id: string; category: string },
  teams: { teamId: string; agencyCode: string; side: 'region' | 'corps' }[],
  dueAt: Date,
): AssignmentRow[] {
  if (subjectAssignments(tx, subject.kind, subject.id).length) return [];
  const seen = new Set<string>();
  const out: AssignmentRow[] = [];
  for (const t of teams) {
    if (seen.has(t.teamId)) continue;
    seen.add(t.teamId);
    out.push(
      createAssignment(tx, deps, { ...subject, dueAt }, out.length === 0 ? 'lead' : 'co_handling', {
        teamId: t.teamId,
        agencyCode: t.agencyCode,
        side: t.side,
        via: 'drawn',
        areaId: null,
      }),
    );
  }
  return out;
}

/**
 * Completes a subject's open (pending or claimed) assignments on the system's behalf, e.g. when
 * the inspection they were for has been recorded. Returns the assignments completed.
 */
export function completeSubjectAssignments(tx: Tx, deps: Deps, kind: SubjectKind, id: string, note: string, actorAgencyCode?: string | null): AssignmentRow[] {
  const now = deps.clock.now();
  const out: AssignmentRow[] = [];
  for (const a of subjectAssignments(tx, kind, id).filter((x) => (OPEN as readonly string[]).includes(x.status))) {
    const row = tx
      .update(assignments)
      .set({
        status: 'completed',
        completedAt: now.toISOString(),
        completedBy: null,
        completionNote: note,
        updatedAt: now.toISOString(),
        version: a.version + 1,
      })
      .where(eq(assignments.id, a.id))
      .returning()
      .get();
    addHistory(tx, deps, row, 'completed', null, note);
    cancelTimer(tx, claimTimerId(a.id), now);
    emit(tx, deps, 'assignment.completed', row, { completedAt: row.completedAt, by: 'system' }, actorAgencyCode);
    out.push(row);
  }
  return out;
}

export function getAssignment(tx: Tx, id: string): AssignmentRow | undefined {
  return tx.select().from(assignments).where(eq(assignments.id, id)).get();
}

export function historyOf(tx: Tx, id: string): HistoryRow[] {
  return tx.select().from(assignmentHistory).where(eq(assignmentHistory.assignmentId, id)).orderBy(asc(assignmentHistory.position)).all();
}

/** Assignments of several subjects of one kind, oldest first. */
// Every event of a complaint or case reads its subject's assignments (its audience): built and
// prepared once for one subject (see preparedOnce); callers pass one or two ids.
const assignmentsOfSubject = preparedOnce((tx) =>
  tx
    .select()
    .from(assignments)
    .where(and(eq(assignments.subjectKind, sql.placeholder('kind')), eq(assignments.subjectId, sql.placeholder('id'))))
    .orderBy(asc(assignments.createdAt), asc(assignments.id))
    .prepare(),
);

export function assignmentsOfSubjects(tx: Tx, kind: SubjectKind, ids: string[]): AssignmentRow[] {
  if (!ids.length) return [];
  const q = assignmentsOfSubject(tx);
  if (ids.length === 1) return q.all({ kind, id: ids[0] });
  return [...new Set(ids)]
    .flatMap((id) => q.all({ kind, id }))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * SQL condition for other capabilities' queries: the subject whose id is `subjectId` (a column
 * of the caller's table) was ever assigned to the team, or to one of the agencies.
 */
export function wasAssigned(tx: Tx, kind: SubjectKind, subjectId: SQLWrapper, to: { teamId: string } | { agencyCodes: string[] }): SQL {
  const target = 'teamId' in to ? eq(assignments.teamId, to.teamId) : inArray(assignments.agencyCode, to.agencyCodes);
  return exists(
    tx
      .select({ x: sql`1` })
      .from(assignments)
      .where(and(eq(assignments.subjectKind, kind), eq(assignments.subjectId, subjectId), target)),
  );
}

export function subjectAssignments(tx: Tx, kind: SubjectKind, id: string): AssignmentRow[] {
  return tx
    .select()
    .from(assignments)
    .where(and(eq(assignments.subjectKind, kind), eq(assignments.subjectId, id)))
    .orderBy(asc(assignments.createdAt), asc(assignments.id))
    .all();
}

const openLeadOf = (rows: AssignmentRow[]) => rows.find((a) => a.role === 'lead' && (OPEN as readonly string[]).includes(a.status));

const routed = (a: AssignmentRow): RoutedAssignment => ({ id: a.id, teamId: a.teamId!, agencyCode: a.agencyCode!, side: a.side, role: a.role });

function outcomeOf(lead: AssignmentRow, created: AssignmentRow[], place: { areaId: string | null; gridId: string | null; joint: boolean }): RoutingOutcome {
  const triage = lead.teamId === null;
  return {
    side: lead.side,
    agencyCode: lead.agencyCode,
    teamId: lead.teamId,
    areaId: place.areaId,
    gridId: place.gridId,
    joint: place.joint,
    triage,
    assignments: created.filter((a) => a.teamId !== null).map(routed),
    triageAssignmentId: triage ? lead.id : null,
  };
}

/**
 * Routes a subject: plans the lead (and, on a joint place, co-handling) assignment and creates
 * them. Returns null when the subject already has an open lead assignment (routing is once per
 * subject; re-routing goes through decline).
 */
export function routeSubject(tx: Tx, deps: Deps, subject: RoutableSubject): RoutingOutcome | null {
  if (openLeadOf(subjectAssignments(tx, subject.kind, subject.id))) return null;
  const plan = planRouting(tx, deps, subject);
  const lead = createAssignment(tx, deps, subject, 'lead', plan.lead);
  const created = [lead];
  if (plan.coHandling) created.push(createAssignment(tx, deps, subject, 'co_handling', plan.coHandling));
  return outcomeOf(lead, created, plan);
}

/**
 * After a lead assignment was declined: to the suggested agency when it is another agency (on the
 * other side or elsewhere), else to triage. When the subject's lead has now been declined twice
 * (or more), it goes to triage and the supervisors of every agency that declined it are told.
 * Returns null when there is nothing to do (not a declined lead, or already re-routed).
 */
export function rerouteAfterDecline(tx: Tx, deps: Deps, assignmentId: string): RoutingOutcome | null {
  const declined = getAssignment(tx, assignmentId);
  if (!declined || declined.status !== 'declined' || declined.role !== 'lead') return null;
  const all = subjectAssignments(tx, declined.subjectKind, declined.subjectId);
  if (openLeadOf(all) || all.some((a) => a.previousId === declined.id)) return null;
  const hooks = subjectHooks(deps, declined.subjectKind);
  if (hooks.routable && !hooks.routable(tx, declined.subjectId)) return null;
  const subject = hooks.load(tx, declined.subjectId) ?? { kind: declined.subjectKind, id: declined.subjectId, category: declined.category, location: null };

  const agencyDeclines = all.filter((a) => a.role === 'lead' && a.status === 'declined' && a.agencyCode !== null);
  let target: Target;
  if (declined.teamId === null && declined.suggestedAgencyCode) {
    // The center dispatching its triage item: its choice stands.
    const choice = pickTeam(tx, declined.suggestedAgencyCode, subject.category);
    target = choice ? { ...choice, via: 'dispatched', areaId: null } : TRIAGE;
  } else if (agencyDeclines.length >= 2) {
    target = { ...TRIAGE, via: 'declined_twice' };
  } else if (declined.suggestedAgencyCode && declined.suggestedAgencyCode !== declined.agencyCode) {
    const choice = pickTeam(tx, declined.suggestedAgencyCode, subject.category);
    target = choice ? { ...choice, via: 'suggested', areaId: null } : TRIAGE;
  } else {
    target = TRIAGE;
  }
  const lead = createAssignment(tx, deps, subject, 'lead', target, declined.id);
  if (target.via === 'declined_twice') {
    const codes = [...new Set(agencyDeclines.map((a) => a.agencyCode!))];
    for (const code of codes) {
      notify(tx, deps, {
        kind: 'declined_twice',
        agencyCode: code,
        subject: subjectPath(subject.kind, subject.id),
        message: `Declined by ${codes.join(', ')}; sent to the 12369 center's triage.`,
        category: subject.category,
        data: { subjectKind: subject.kind, subjectId: subject.id, assignmentId: lead.id, declinedBy: codes },
      });
    }
  }
  const place = subject.location ? spatialService(deps).resolve(subject.location.lat, subject.location.lng) : null;
  const joint = all.some((a) => a.role === 'co_handling' && (OPEN as readonly string[]).includes(a.status));
  const outcome = outcomeOf(lead, [lead], { areaId: place?.areaId ?? null, gridId: place?.gridId ?? null, joint });
  hooks.onRouted(tx, deps, subject.id, outcome);
  return outcome;
}

const isOpen = (a: AssignmentRow) => (OPEN as readonly string[]).includes(a.status);

/** Closes an open assignment on the system's behalf (the work moved elsewhere): status superseded. */
export function supersedeAssignment(tx: Tx, deps: Deps, a: AssignmentRow, reason: string, extra: Record<string, unknown> = {}): AssignmentRow {
  const now = deps.clock.now();
  const row = tx
    .update(assignments)
    .set({ status: 'superseded', updatedAt: now.toISOString(), version: a.version + 1 })
    .where(eq(assignments.id, a.id))
    .returning()
    .get();
  addHistory(tx, deps, row, 'superseded', null, reason);
  cancelTimer(tx, claimTimerId(a.id), now);
  emit(tx, deps, 'assignment.superseded', row, { reason, ...extra });
  return row;
}

/**
 * The subject ended (a complaint closed, not accepted, transferred or merged; a case closed or
 * withdrawn): each open (pending or claimed) assignment becomes `cancelled` with the reason in its
 * history, its claim timer is cancelled (so it never goes overdue) and `assignment.cancelled` is
 * emitted. Acting on it afterwards is a 409. Returns the assignments cancelled (none on a repeat).
 */
export function cancelSubjectAssignments(tx: Tx, deps: Deps, kind: SubjectKind, id: string, reason: string, actorAgencyCode?: string | null): AssignmentRow[] {
  const now = deps.clock.now();
  const out: AssignmentRow[] = [];
  for (const a of subjectAssignments(tx, kind, id).filter(isOpen)) {
    const row = tx
      .update(assignments)
      .set({ status: 'cancelled', updatedAt: now.toISOString(), version: a.version + 1 })
      .where(eq(assignments.id, a.id))
      .returning()
      .get();
    addHistory(tx, deps, row, 'cancelled', null, reason);
    cancelTimer(tx, claimTimerId(a.id), now);
    emit(tx, deps, 'assignment.cancelled', row, { reason }, actorAgencyCode);
    out.push(row);
  }
  return out;
}

/**
 * After a subject was transferred to another lead agency (job `route.transfer`): its open lead
 * assignment(s) are superseded (reason "transferred to <agency>"), and it is routed within the new
 * lead agency (its team by category, an ancestor's team, else triage) with `via: transferred` and
 * `previousId` pointing at the superseded lead. An open co-handling assignment of the new lead team
 * is superseded too (that team now leads); a co-handling team of the other side on a joint place
 * is added when it has no open assignment yet. The subject's `onRouted` hook runs in the same
 * transaction.
 *
 * Returns null when there is nothing to do: the subject is gone or no longer routable, it was
 * transferred again since (that transfer's job re-routes it), or its only open lead is already a
 * `transferred` assignment to the team the new agency routes to (a duplicated job).
 */
export function rerouteAfterTransfer(tx: Tx, deps: Deps, job: TransferJob): RoutingOutcome | null {
  if (!job || (job.kind !== 'complaint' && job.kind !== 'case') || typeof job.id !== 'string' || typeof job.toAgencyCode !== 'string')
    throw new Error('bad route.transfer payload');
  const hooks = subjectHooks(deps, job.kind);
  if (hooks.routable && !hooks.routable(tx, job.id)) return null;
  const subject = hooks.load(tx, job.id);
  if (!subject || (subject.leadAgencyCode ?? null) !== job.toAgencyCode) return null;

  const plan = planRouting(tx, deps, subject);
  const all = subjectAssignments(tx, subject.kind, subject.id);
  const openLeads = all.filter((a) => a.role === 'lead' && isOpen(a));
  const done =
    openLeads.length === 1 &&
    openLeads[0].via === 'transferred' &&
    openLeads[0].teamId === plan.lead.teamId &&
    openLeads[0].agencyCode === plan.lead.agencyCode;
  if (done) return null;

  const reason = `transferred to ${job.toAgencyCode}`;
  for (const a of openLeads) supersedeAssignment(tx, deps, a, reason, { toAgencyCode: job.toAgencyCode });
  const newLeadTeam = plan.lead.teamId;
  for (const a of all.filter((x) => x.role === 'co_handling' && isOpen(x) && newLeadTeam !== null && x.teamId === newLeadTeam))
    supersedeAssignment(tx, deps, a, `${reason}: this team now leads`, { toAgencyCode: job.toAgencyCode });

  const lead = createAssignment(tx, deps, subject, 'lead', { ...plan.lead, via: 'transferred' }, openLeads[0]?.id ?? null);
  const created = [lead];
  const co = plan.coHandling;
  if (co && co.teamId !== null && !all.some((a) => isOpen(a) && a.role === 'co_handling' && a.teamId === co.teamId))
    created.push(createAssignment(tx, deps, subject, 'co_handling', co));
  const outcome = outcomeOf(lead, created, plan);
  hooks.onRouted(tx, deps, subject.id, outcome);
  return outcome;
}

/**
 * After a subject was corrected (a complaint's category, place or address changed): plans its
 * routing again and, when the resolved owner (lead agency or lead team) differs from its open
 * lead, supersedes every open assignment of it (reason given) and routes it afresh (`previousId`
 * pointing at the superseded lead), calling the subject's `onRouted` in the same transaction.
 * Returns null when the owner is unchanged (nothing is touched) or the subject is not routable.
 */
export function rerouteAfterCorrection(tx: Tx, deps: Deps, kind: SubjectKind, id: string, reason: string): RoutingOutcome | null {
  const hooks = subjectHooks(deps, kind);
  if (hooks.routable && !hooks.routable(tx, id)) return null;
  const subject = hooks.load(tx, id);
  if (!subject) return null;
  const plan = planRouting(tx, deps, subject);
  const all = subjectAssignments(tx, kind, id);
  const lead = openLeadOf(all);
  if (lead && lead.agencyCode === plan.lead.agencyCode && lead.teamId === plan.lead.teamId) return null;
  for (const a of all.filter(isOpen)) supersedeAssignment(tx, deps, a, reason);
  const created = [createAssignment(tx, deps, subject, 'lead', plan.lead, lead?.id ?? null)];
  if (plan.coHandling) created.push(createAssignment(tx, deps, subject, 'co_handling', plan.coHandling));
  const outcome = outcomeOf(created[0], created, plan);
  hooks.onRouted(tx, deps, id, outcome);
  return outcome;
}

/** Deadline: still pending at dueAt → overdue (stays pending), event, the agency's supervisors told. */
export function markOverdue(tx: Tx, deps: Deps, assignmentId: string): boolean {
  const a = getAssignment(tx, assignmentId);
  if (!a || a.status !== 'pending' || a.overdue) return false;
  if (new Date(a.dueAt).getTime() > deps.clock.now().getTime()) return false;
  const row = tx
    .update(assignments)
    .set({ overdue: true, updatedAt: deps.clock.now().toISOString(), version: a.version + 1 })
    .where(eq(assignments.id, a.id))
    .returning()
    .get();
  addHistory(tx, deps, row, 'overdue', null, `not claimed by ${a.dueAt}`);
  emit(tx, deps, 'assignment.overdue', row);
  notify(tx, deps, {
    kind: 'assignment_overdue',
    agencyCode: a.agencyCode,
    subject: `assignments/${a.id}`,
    message: `Assignment for ${subjectPath(a.subjectKind, a.subjectId)} was not claimed by ${a.dueAt}.`,
    category: a.category,
    data: { assignmentId: a.id, teamId: a.teamId, subjectKind: a.subjectKind, subjectId: a.subjectId, dueAt: a.dueAt },
  });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Visibility and actions (HTTP)

/** Filter for what a principal may list; 'none' = nothing. */
export function visibility(tx: Tx, p: Principal): SQL | undefined | 'none' {
  switch (p.role) {
    case 'admin':
    case 'intake':
      return undefined;
    case 'inspector':
      return p.teamId ? or(eq(assignments.teamId, p.teamId), p.agencyCode ? eq(assignments.agencyCode, p.agencyCode) : undefined) : 'none';
    case 'supervisor':
      return p.agencyCode ? inArray(assignments.agencyCode, agencySubtree(tx, p.agencyCode)) : 'none';
    default:
      return 'none';
  }
}

export function canSee(tx: Tx, p: Principal, a: AssignmentRow): boolean {
  switch (p.role) {
    case 'admin':
    case 'intake':
      return true;
    case 'inspector':
      // Its team's work, and (read-only) the work lists of its own agency: assignment events are
      // addressed to the agency, so an inspector sees an event iff it may GET the assignment.
      return (a.teamId !== null && a.teamId === p.teamId) || (a.agencyCode !== null && a.agencyCode === p.agencyCode);
    case 'supervisor':
      return a.agencyCode !== null && !!p.agencyCode && agencySubtree(tx, p.agencyCode).includes(a.agencyCode);
    default:
      return false;
  }
}

/**
 * The one rule for claiming, declining and completing an assignment (routes, jobs and the CLI
 * all ask this): the assignment's team — its inspectors, and the supervisors of its agency or
 * an agency above it — while the assignment is open; a triage item (no team) is the 12369
 * center's; an admin may always. Whether it is still open is the state machine's answer (409:
 * declined, superseded, completed and cancelled assignments take no action). A caller who cannot
 * see the assignment gets 404 before this is asked. Returns null when allowed.
 */
export function mayAct(tx: Tx, p: Principal, a: AssignmentRow): Denial | null {
  if (p.role === 'admin') return null;
  if (a.teamId === null)
    return p.role === 'intake' ? null : { rule: 'assignment:triage-center', detail: 'Only the 12369 center (intake) acts on triage assignments.' };
  if (p.role === 'intake') return { rule: 'assignment:team', detail: `This assignment is team ${a.teamId}'s; the center acts only on triage assignments.` };
  if (canSee(tx, p, a)) return null;
  return {
    rule: 'assignment:team',
    detail: `Only team ${a.teamId} (or the supervisors of ${a.agencyCode ?? 'its agency'} and above) acts on this assignment.`,
  };
}
export const mayClaim = mayAct;
export const mayDecline = mayAct;
export const mayComplete = mayAct;

/**
 * Whether the principal's team (inspectors), or agency subtree (supervisors), holds an open lead
 * assignment of the subject. For other capabilities' policies (who may reply to a complaint);
 * `claimed` narrows it to a lead that was claimed.
 */
export function holdsOpenLead(tx: Tx, p: Principal, kind: SubjectKind, subjectId: string, opts: { claimed?: boolean } = {}): boolean {
  const statuses = opts.claimed ? (['claimed'] as const) : OPEN;
  const leads = subjectAssignments(tx, kind, subjectId).filter((a) => a.role === 'lead' && (statuses as readonly string[]).includes(a.status));
  if (p.role === 'inspector') return !!p.teamId && leads.some((a) => a.teamId === p.teamId);
  if (p.role === 'supervisor') {
    if (!p.agencyCode) return false;
    const sub = agencySubtree(tx, p.agencyCode);
    return leads.some((a) => a.agencyCode !== null && sub.includes(a.agencyCode));
  }
  return false;
}

export interface ListFilter {
  teamId?: string;
  status?: AssignmentRow['status'];
  overdue?: boolean;
  triage?: boolean;
  role?: AssignmentRow['role'];
  subjectKind?: SubjectKind;
  subjectId?: string;
  agencyCode?: string;
  side?: 'region' | 'corps';
}

export function listAssignments(tx: Tx, p: Principal, f: ListFilter, limit: number, after?: { c: string; i: string }): AssignmentRow[] {
  const vis = visibility(tx, p);
  if (vis === 'none') return [];
  const conds: (SQL | undefined)[] = [vis];
  if (f.teamId) conds.push(eq(assignments.teamId, f.teamId));
  if (f.status) conds.push(eq(assignments.status, f.status));
  if (f.overdue !== undefined) conds.push(eq(assignments.overdue, f.overdue));
  if (f.triage === true) conds.push(isNull(assignments.teamId));
  if (f.triage === false) conds.push(isNotNull(assignments.teamId));
  if (f.role) conds.push(eq(assignments.role, f.role));
  if (f.subjectKind) conds.push(eq(assignments.subjectKind, f.subjectKind));
  if (f.subjectId) conds.push(eq(assignments.subjectId, f.subjectId));
  if (f.agencyCode) conds.push(eq(assignments.agencyCode, f.agencyCode));
  if (f.side) conds.push(eq(assignments.side, f.side));
  if (after) conds.push(afterKey(assignments.createdAt, assignments.id, { value: after.c, id: after.i }, 'desc'));
  return tx
    .select()
    .from(assignments)
    .where(and(...conds))
    .orderBy(desc(assignments.createdAt), desc(assignments.id))
    .limit(limit)
    .all();
}

function loadForAction(tx: Tx, p: Principal, id: string, expected?: Expected): AssignmentRow {
  const a = getAssignment(tx, id);
  if (!a || !canSee(tx, p, a)) throw notFound('assignment', id);
  const no = mayAct(tx, p, a);
  if (no) throw denied(no.rule, no.detail);
  checkIfMatch(expected, a.version, 'assignment', id);
  return a;
}

const stateConflict = (a: AssignmentRow, wanted: string) =>
  conflict('assignment-state', `The assignment is ${a.status}; ${wanted}.`, { currentStatus: a.status });

const actorOf = (p: Principal): Actor => ({ keyId: p.keyId, role: p.role, agencyCode: p.agencyCode });

export function claimAssignment(tx: Tx, deps: Deps, p: Principal, id: string, expected?: Expected): AssignmentRow {
  const a = loadForAction(tx, p, id, expected);
  if (a.status === 'claimed' && a.claimedBy === p.keyId) return a; // a retried claim
  if (a.status !== 'pending') throw stateConflict(a, 'only a pending assignment can be claimed');
  const now = deps.clock.now();
  const row = tx
    .update(assignments)
    .set({ status: 'claimed', claimedAt: now.toISOString(), claimedBy: p.keyId, updatedAt: now.toISOString(), version: a.version + 1 })
    .where(eq(assignments.id, a.id))
    .returning()
    .get();
  addHistory(tx, deps, row, 'claimed', actorOf(p));
  cancelTimer(tx, claimTimerId(a.id), now);
  emit(tx, deps, 'assignment.claimed', row, { claimedAt: row.claimedAt }, p.agencyCode);
  return row;
}

export function declineAssignment(
  tx: Tx,
  deps: Deps,
  p: Principal,
  id: string,
  body: { reason: string; suggestedAgencyCode?: string },
  expected?: Expected,
): AssignmentRow {
  const reason = body.reason.trim();
  if (!reason) throw fieldError('body/reason', 'must not be blank');
  const a = loadForAction(tx, p, id, expected);
  if (a.status !== 'pending' && a.status !== 'claimed') throw stateConflict(a, 'only a pending or claimed assignment can be declined');
  const suggested = body.suggestedAgencyCode;
  if (suggested !== undefined && !getAgency(tx, suggested)) throw notFound('agency', suggested);
  if (a.teamId === null && !suggested)
    throw badRequest('A triage assignment is declined by naming the agency it goes to.', [
      { field: 'body/suggestedAgencyCode', reason: 'is required to dispatch a triage assignment' },
    ]);
  const now = deps.clock.now();
  const row = tx
    .update(assignments)
    .set({
      status: 'declined',
      declinedAt: now.toISOString(),
      declinedBy: p.keyId,
      declineReason: reason,
      suggestedAgencyCode: suggested ?? null,
      updatedAt: now.toISOString(),
      version: a.version + 1,
    })
    .where(eq(assignments.id, a.id))
    .returning()
    .get();
  addHistory(tx, deps, row, 'declined', actorOf(p), reason);
  cancelTimer(tx, claimTimerId(a.id), now);
  emit(tx, deps, 'assignment.declined', row, { reason, suggestedAgencyCode: row.suggestedAgencyCode }, p.agencyCode);
  return row;
}

export function completeAssignment(tx: Tx, deps: Deps, p: Principal, id: string, body: { note?: string }, expected?: Expected): AssignmentRow {
  const a = loadForAction(tx, p, id, expected);
  if (a.status !== 'claimed') throw stateConflict(a, a.status === 'pending' ? 'claim it before completing it' : 'only a claimed assignment can be completed');
  const now = deps.clock.now();
  const row = tx
    .update(assignments)
    .set({
      status: 'completed',
      completedAt: now.toISOString(),
      completedBy: p.keyId,
      completionNote: body.note ?? null,
      updatedAt: now.toISOString(),
      version: a.version + 1,
    })
    .where(eq(assignments.id, a.id))
    .returning()
    .get();
  addHistory(tx, deps, row, 'completed', actorOf(p), body.note ?? null);
  emit(tx, deps, 'assignment.completed', row, { completedAt: row.completedAt }, p.agencyCode);
  return row;
}
