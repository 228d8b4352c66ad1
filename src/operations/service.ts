import { afterKey, visiblePage } from '../db/keyset.js';
/** Joint and cross enforcement operations (联合执法 / 交叉执法): propose, confirm, record tasks, close. */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import type { Side } from '../domain/index.js';
import { newId } from '../ids.js';
import { conflict, fieldError, forbidden, unprocessable } from '../http/problem.js';
import { checkIfMatch, type Expected } from '../http/versioning.js';
import { notify } from '../notifications/index.js';
import { agencySubtree, getAgency } from '../reference/hierarchy.js';
import { getTeam } from '../reference/teams.js';
import { getArea } from '../reference/areas.js';
import { spatialService } from '../jurisdiction/spatial-index.js';
import { classifiedSources, getSource, type PoolSourceRow } from '../cases/sources.js';
import { registerInspectionCase } from '../cases/service.js';
import { grantCaseReads, measureTotals, revokeCaseReads } from '../cases/index.js';
import { scheduleTimer } from '../queue/timers.js';
import { checkRecordOutcome, itemsUsableBy, officersById } from '../inspections/service.js';
import { chinaDate, endOfChinaDay } from '../calendar.js';
import { assignToTeams, cancelSubjectAssignments, completeSubjectAssignments } from '../assignments/service.js';
import { jointOperations, operationTasks, type OperationSummary } from './tables.js';
import { emitOperation, emitTask } from './events.js';
import {
  assertMayClose,
  assertMayConfirm,
  assertMayPropose,
  assertMayRecord,
  loadOperationFor,
  loadTaskFor,
  maySee,
  partiesOf,
  type OperationRow,
  type TaskRow,
} from './visibility.js';
import type { CloseBody, CreateOperationBody, TaskRecordBody } from './schemas.js';

// ------------------------------------------------------------------------------------ propose

export function proposeOperation(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateOperationBody>): OperationRow {
  const lead = getAgency(tx, b.leadAgencyCode);
  if (!lead) throw fieldError('body/leadAgencyCode', `agency ${b.leadAgencyCode} does not exist`);
  assertMayPropose(tx, p, lead.code);
  if (b.window.from >= b.window.to) throw fieldError('body/window/to', `must be after window.from (${b.window.from})`);
  const partners = b.partnerAgencyCodes.map((code, k) => {
    const a = getAgency(tx, code);
    if (!a) throw fieldError(`body/partnerAgencyCodes/${k}`, `agency ${code} does not exist`);
    if (code === lead.code) throw fieldError(`body/partnerAgencyCodes/${k}`, `is the lead agency ${code}`);
    return a;
  });
  if (!partners.some((a) => a.side !== lead.side))
    throw unprocessable('partner-of-other-side', `A ${b.kind} operation needs a partner agency of the other side than the lead's (${lead.side}).`, {
      rule: 'partner-of-other-side',
    });
  const parties = [lead.code, ...partners.map((a) => a.code)];
  const scope = new Set(parties.flatMap((c) => agencySubtree(tx, c)));
  const sides = new Set<Side>();
  b.teams.forEach((id, k) => {
    const t = getTeam(tx, id);
    if (!t) throw fieldError(`body/teams/${k}`, `team ${id} does not exist`);
    if (!scope.has(t.agencyCode)) throw fieldError(`body/teams/${k}`, `team ${id} belongs to ${t.agencyCode}, not to the lead or a partner agency (or below)`);
    sides.add(getAgency(tx, t.agencyCode)!.side);
  });
  if (b.kind === 'joint' && sides.size < 2)
    throw unprocessable('joint-teams-of-both-sides', 'A joint operation needs teams of both sides: each target is visited by one team of each side.', {
      rule: 'joint-teams-of-both-sides',
    });
  b.focus.areaIds.forEach((id, k) => {
    if (!getArea(tx, id)) throw fieldError(`body/focus/areaIds/${k}`, `area ${id} does not exist`);
  });
  b.focus.sourceIds.forEach((id, k) => {
    const s = getSource(tx, id);
    if (!s) throw fieldError(`body/focus/sourceIds/${k}`, `source ${id} does not exist`);
    if (!scope.has(s.agencyCode)) throw fieldError(`body/focus/sourceIds/${k}`, `source ${id} is supervised by ${s.agencyCode}, not by a party agency`);
  });
  const at = deps.clock.now().toISOString();
  const row = tx
    .insert(jointOperations)
    .values({
      id: newId(),
      name: b.name,
      kind: b.kind,
      side: lead.side,
      leadAgencyCode: lead.code,
      partnerAgencyCodes: partners.map((a) => a.code),
      windowFrom: b.window.from,
      windowTo: b.window.to,
      focus: { ...b.focus },
      teamIds: [...b.teams],
      note: b.note ?? null,
      status: 'proposed',
      summary: null,
      createdBy: p.keyId,
      createdAt: at,
      updatedAt: at,
      version: 1,
    })
    .returning()
    .get();
  emitOperation(tx, deps, row, 'joint_operation.created', { window: { from: row.windowFrom, to: row.windowTo } }, p.agencyCode);
  return row;
}

// ------------------------------------------------------------------------------------ confirm

/** The classified sources of the parties (and below) that match the focus, ordered by id. */
export function resolveTargets(tx: Tx, deps: Deps, op: OperationRow): PoolSourceRow[] {
  const codes = [...new Set(partiesOf(op).flatMap((c) => agencySubtree(tx, c)))];
  const f = op.focus;
  return classifiedSources(tx, codes).filter((s) => {
    if (f.sourceIds.length && !f.sourceIds.includes(s.id)) return false;
    if (f.supervisionClasses.length && !f.supervisionClasses.includes(s.supervisionClass)) return false;
    if (
      f.areaIds.length &&
      !spatialService(deps)
        .resolve(s.lat, s.lng)
        .containing.some((a) => f.areaIds.includes(a.id))
    )
      return false;
    return true;
  });
}

/** Teams per target: joint → one team of each side (round robin); cross → one team of the other side, or none (not a target). */
function teamsFor(op: OperationRow, teamSides: Map<string, Side>, targets: PoolSourceRow[]) {
  const bySide: Record<Side, string[]> = { region: [], corps: [] };
  for (const id of op.teamIds) bySide[teamSides.get(id)!].push(id);
  const next: Record<Side, number> = { region: 0, corps: 0 };
  const take = (side: Side) => bySide[side][next[side]++ % bySide[side].length];
  const out: { source: PoolSourceRow; teamIds: string[] }[] = [];
  for (const s of targets) {
    if (op.kind === 'joint') out.push({ source: s, teamIds: [take('region'), take('corps')] });
    else {
      const other: Side = s.side === 'region' ? 'corps' : 'region';
      if (bySide[other].length) out.push({ source: s, teamIds: [take(other)] });
    }
  }
  return out;
}

export function confirmOperation(tx: Tx, deps: Deps, p: Principal, id: string, expected?: Expected): { op: OperationRow; tasks: TaskRow[] } {
  const cur = loadOperationFor(tx, p, id);
  const by = assertMayConfirm(tx, p, cur);
  checkIfMatch(expected, cur.version, 'joint operation', id);
  if (cur.status !== 'proposed')
    throw conflict('operation-not-proposed', `Operation ${id} is ${cur.status}: only a proposed operation is confirmed.`, { operationStatus: cur.status });
  const now = deps.clock.now();
  if (chinaDate(now) > cur.windowTo) throw conflict('operation-window-ended', `The window of operation ${id} ended on ${cur.windowTo}.`);
  const at = now.toISOString();
  const teamSides = new Map(cur.teamIds.map((t) => [t, getAgency(tx, getTeam(tx, t)!.agencyCode)!.side]));
  const plan = teamsFor(cur, teamSides, resolveTargets(tx, deps, cur));
  const dueAt = endOfChinaDay(cur.windowTo).toISOString();
  const tasks = plan.map(({ source, teamIds }, position) =>
    tx
      .insert(operationTasks)
      .values({
        id: newId(),
        operationId: id,
        position,
        sourceId: source.id,
        sourceSide: source.side,
        sourceAgencyCode: source.agencyCode,
        teamIds,
        status: 'open',
        dueAt,
        createdAt: at,
        updatedAt: at,
        version: 1,
      })
      .returning()
      .get(),
  );
  const op = tx
    .update(jointOperations)
    .set({ status: 'confirmed', confirmedAt: at, confirmedBy: p.keyId, confirmedByAgencyCode: by, updatedAt: at, version: cur.version + 1 })
    .where(eq(jointOperations.id, id))
    .returning()
    .get();
  emitOperation(tx, deps, op, 'joint_operation.confirmed', { taskCount: tasks.length, confirmedByAgencyCode: by, dueAt }, by);
  // A cross operation's read grants to its visiting teams end with the window (a durable timer).
  if (op.kind === 'cross') scheduleTimer(tx, { id: windowTimerId(op.id), name: WINDOW_END_JOB, dueAt: new Date(dueAt), payload: { operationId: op.id } });
  return { op, tasks };
}

export const WINDOW_END_JOB = 'operations.window_end';
export const windowTimerId = (operationId: string) => `op-window-${operationId}`;
const grantOwner = (operationId: string) => `joint-operations/${operationId}`;

/** Timer body at the end of a cross operation's window: its visiting teams lose the read grants to its cases. */
export function endOperationWindow(tx: Tx, deps: Deps, operationId: string): number {
  const op = tx.select().from(jointOperations).where(eq(jointOperations.id, operationId)).get();
  if (!op) return 0;
  const revoked = revokeCaseReads(tx, grantOwner(op.id));
  emitOperation(tx, deps, op, 'joint_operation.window_ended', { revokedCaseGrants: revoked });
  return revoked;
}

/** Assignment of a confirmed operation's tasks to their teams, on each side's queue (jobs.ts). */
export const ASSIGN_JOB = 'operations.assign';
export const assignJob = (side: string) => `${ASSIGN_JOB}.${side}`;

/**
 * Job body: each open task whose first (leading) team is of `side` gets one assignment per team —
 * the first leads, a joint task's other-side team co-handles — due at the window's end.
 */
export function assignTasks(tx: Tx, deps: Deps, operationId: string, side: Side): number {
  const op = tx.select().from(jointOperations).where(eq(jointOperations.id, operationId)).get();
  if (!op || op.status !== 'confirmed') return 0;
  const category = op.focus.categories[0] ?? 'other';
  let n = 0;
  for (const task of operationTasksOf(tx, [op.id])) {
    if (task.status !== 'open') continue;
    const teams = task.teamIds.map((id) => {
      const t = getTeam(tx, id)!;
      return { teamId: id, agencyCode: t.agencyCode, side: getAgency(tx, t.agencyCode)!.side };
    });
    if (teams[0].side !== side) continue;
    n += assignToTeams(tx, deps, { kind: 'operation_task', id: task.id, category }, teams, new Date(task.dueAt)).length;
  }
  return n;
}

// ------------------------------------------------------------------------------------- record

export function recordTask(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof TaskRecordBody>): TaskRow {
  const now = deps.clock.now();
  const { task, op } = loadTaskFor(tx, p, id);
  assertMayRecord(tx, p, op, task);
  checkIfMatch(expected, task.version, 'operation task', id);
  if (op.status === 'closed' || task.status === 'cancelled')
    throw conflict('operation-closed', `Operation ${op.id} was closed at ${op.closedAt}: its open tasks were cancelled.`, { operationStatus: op.status });
  if (task.status !== 'open') throw conflict('already-recorded', `Task ${id} was already recorded at ${task.recordedAt}.`, { taskStatus: task.status });

  const today = chinaDate(now);
  const date = b.inspectionDate ?? today;
  if (date > today) throw fieldError('body/inspectionDate', 'is in the future');
  if (date < op.windowFrom || date > op.windowTo) throw fieldError('body/inspectionDate', `is outside the operation's window ${op.windowFrom}–${op.windowTo}`);

  // Officers present: roster entries of the task's teams; a joint task needs an officer of each side.
  const officers = officersById(tx, b.officersPresent);
  const sidesPresent = new Set<string>();
  b.officersPresent.forEach((o, k) => {
    const r = officers.get(o);
    if (!r) throw fieldError(`body/officersPresent/${k}`, `officer ${o} is not on the roster`);
    if (!task.teamIds.includes(r.teamId)) throw forbidden(`Officer ${o} is not in a team of this task (${task.teamIds.join(', ')}).`);
    sidesPresent.add(r.side);
  });
  // A mixed pair (a joint task with teams of both sides) is recorded with officers of both sides.
  if (op.kind === 'joint' && taskSides(tx, task).size > 1 && sidesPresent.size < 2)
    throw unprocessable('joint-officers-of-both-sides', 'A joint operation task is recorded with officers of both sides present.', {
      rule: 'joint-officers-of-both-sides',
    });

  // Checklist items: those usable by the ground's agency or a visiting team's agency.
  const agencies = new Set([task.sourceAgencyCode, ...[...officers.values()].map((o) => o.agencyCode)]);
  const usable = new Set([...agencies].flatMap((a) => itemsUsableBy(tx, a).map((i) => i.code)));
  const seen = new Set<string>();
  b.results.forEach((r, k) => {
    if (!usable.has(r.itemCode)) throw fieldError(`body/results/${k}/itemCode`, `${r.itemCode} is not a checklist item usable by ${[...agencies].join(', ')}`);
    if (seen.has(r.itemCode)) throw fieldError(`body/results/${k}/itemCode`, `${r.itemCode} appears twice`);
    seen.add(r.itemCode);
  });
  checkRecordOutcome(b, date);
  // Alert-linked tasks check the source's emergency measures: a case names the one not applied.
  if (b.failedMeasure !== undefined && (b.outcome !== 'case' || !task.alertLevel))
    throw fieldError('body/failedMeasure', 'is only for outcome case on a task opened by a heavy-pollution alert');
  if (task.alertLevel && b.outcome === 'case') {
    if (!b.failedMeasure)
      throw fieldError('body/failedMeasure', `is required for outcome case on an alert task (one of ${(task.requiredMeasures ?? []).join(', ')})`);
    if (!(task.requiredMeasures ?? []).includes(b.failedMeasure))
      throw fieldError(
        'body/failedMeasure',
        `${b.failedMeasure} is not a measure of the source at level ${task.alertLevel} (${(task.requiredMeasures ?? []).join(', ')})`,
      );
  }

  let caseId: string | null = null;
  if (b.outcome === 'case') {
    const src = getSource(tx, task.sourceId)!;
    // Lead: the ground's side (the source's supervising agency); the other side's party co-handles.
    const coHandling = partiesOf(op)
      .filter((c) => c !== src.agencyCode && getAgency(tx, c)?.side !== src.side)
      .slice(0, 1);
    const c = registerInspectionCase(tx, deps, p, {
      title: b.case!.title,
      category: b.case!.category,
      leadAgencyCode: src.agencyCode,
      coHandlingAgencyCodes: coHandling,
      location: { lat: src.lat, lng: src.lng },
      sourceId: src.id,
      origin: { kind: 'inspection' },
      summary: task.alertLevel ? `${b.case!.summary}（重污染天气${task.alertLevel}级预警期间未落实应急减排措施：${b.failedMeasure}）` : b.case!.summary,
    });
    caseId = c.id;
    // Cross: the visiting teams (those of the other side than the ground) read the case for the window only.
    const until = endOfChinaDay(op.windowTo);
    if (op.kind === 'cross' && now < until) {
      const visiting = op.teamIds.filter((t) => getAgency(tx, getTeam(tx, t)!.agencyCode)!.side !== src.side);
      grantCaseReads(tx, { caseId: c.id, teamIds: visiting, grantedBy: grantOwner(op.id), until: until.toISOString(), at: now.toISOString() });
    }
  }
  const at = now.toISOString();
  const row = tx
    .update(operationTasks)
    .set({
      status: 'recorded',
      inspectionDate: date,
      results: b.results.map((r) => ({ itemCode: r.itemCode, result: r.result, note: r.note ?? null })),
      officersPresent: b.officersPresent,
      evidence: b.evidence ?? [],
      outcome: b.outcome,
      rectification: b.rectification ?? null,
      caseId,
      failedMeasure: b.failedMeasure ?? null,
      recordedAt: at,
      recordedBy: p.keyId,
      updatedAt: at,
      version: task.version + 1,
    })
    .where(eq(operationTasks.id, id))
    .returning()
    .get();
  // The work is done: the task's assignments on the teams' lists close.
  completeSubjectAssignments(tx, deps, 'operation_task', id, 'operation task recorded', p.agencyCode);
  emitTask(tx, deps, op, row, p.agencyCode);
  return row;
}

// -------------------------------------------------------------------------------------- close

export function operationTasksOf(tx: Tx, operationIds: string[]): TaskRow[] {
  if (!operationIds.length) return [];
  return tx
    .select()
    .from(operationTasks)
    .where(inArray(operationTasks.operationId, operationIds))
    .orderBy(asc(operationTasks.operationId), asc(operationTasks.position))
    .all();
}

function taskSides(tx: Tx, task: TaskRow): Set<string> {
  return new Set(task.teamIds.map((t) => getAgency(tx, getTeam(tx, t)!.agencyCode)!.side));
}

export function closeOperation(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof CloseBody>): OperationRow {
  const cur = loadOperationFor(tx, p, id);
  assertMayClose(tx, p, cur);
  checkIfMatch(expected, cur.version, 'joint operation', id);
  if (cur.status === 'closed') throw conflict('operation-closed', `Operation ${id} was already closed at ${cur.closedAt}.`, { operationStatus: cur.status });
  return closeCore(tx, deps, cur, b.note, p.agencyCode);
}

function closeCore(tx: Tx, deps: Deps, cur: OperationRow, closeNote: string | undefined, actorAgencyCode: string | null | undefined): OperationRow {
  const id = cur.id;
  const at = deps.clock.now().toISOString();
  tx.update(operationTasks)
    .set({ status: 'cancelled', updatedAt: at })
    .where(and(eq(operationTasks.operationId, id), eq(operationTasks.status, 'open')))
    .run();
  const tasks = operationTasksOf(tx, [id]);
  for (const t of tasks.filter((x) => x.status === 'cancelled'))
    cancelSubjectAssignments(tx, deps, 'operation_task', t.id, 'joint operation closed', actorAgencyCode);
  const recorded = tasks.filter((t) => t.status === 'recorded');
  const caseIds = recorded.flatMap((t) => (t.caseId ? [t.caseId] : []));
  const totals = measureTotals(tx, caseIds);
  const summary: OperationSummary = {
    targets: tasks.length,
    visited: recorded.length,
    cancelled: tasks.filter((t) => t.status === 'cancelled').length,
    violations: recorded.filter((t) => t.outcome === 'rectify' || t.outcome === 'case').length,
    cases: caseIds.length,
    caseIds,
    measures: { total: totals.measures, byType: totals.byType },
    fines: { count: totals.fines, totalFen: totals.fineTotalFen },
    closedAt: at,
  };
  const op = tx
    .update(jointOperations)
    .set({
      status: 'closed',
      closedAt: at,
      summary,
      note: closeNote ? [cur.note, closeNote].filter(Boolean).join('\n') : cur.note,
      updatedAt: at,
      version: cur.version + 1,
    })
    .where(eq(jointOperations.id, id))
    .returning()
    .get();
  emitOperation(tx, deps, op, 'joint_operation.closed', { summary }, actorAgencyCode);
  // Both sides' parties are told, each in its own inbox.
  for (const code of partiesOf(op))
    notify(tx, deps, {
      kind: 'joint_operation_closed',
      agencyCode: code,
      subject: `joint-operations/${op.id}`,
      message: `联合执法行动「${op.name}」已结束：目标 ${summary.targets}，已检查 ${summary.visited}，发现问题 ${summary.violations}，立案 ${summary.cases}，执法措施 ${totals.measures}，罚款 ${totals.fines} 笔共 ${(totals.fineTotalFen / 100).toFixed(2)} 元。`,
      data: { operationId: op.id, summary },
      actorAgencyCode: actorAgencyCode ?? op.leadAgencyCode,
    });
  return op;
}

// ------------------------------------------------------------ linkage (heavy-pollution alerts)

/** One target of an alert-linked operation: the source, its teams (one, or a mixed pair at the seam) and the measures checked. */
export interface LinkedTarget {
  sourceId: string;
  teamIds: string[];
  requiredMeasures: string[];
}

export interface LinkedOperationInput {
  airAlertId: string;
  name: string;
  leadAgencyCode: string;
  partnerAgencyCodes: string[];
  window: { from: string; to: string };
  level: string;
  targets: LinkedTarget[];
  note: string;
  actorAgencyCode: string | null;
}

/**
 * For the air capability: an alert at a linkage level opens a joint operation at once — no other
 * side's confirmation, since the alert already binds every agency of the zone. Created confirmed,
 * so `joint_operation.confirmed` puts its tasks on the teams' work lists as for any operation.
 */
export function openLinkedOperation(tx: Tx, deps: Deps, b: LinkedOperationInput): { op: OperationRow; tasks: TaskRow[] } {
  const at = deps.clock.now().toISOString();
  const teamIds = [...new Set(b.targets.flatMap((t) => t.teamIds))];
  const lead = getAgency(tx, b.leadAgencyCode)!;
  const created = tx
    .insert(jointOperations)
    .values({
      id: newId(),
      name: b.name,
      kind: 'joint',
      side: lead.side,
      leadAgencyCode: lead.code,
      partnerAgencyCodes: b.partnerAgencyCodes.filter((c) => c !== lead.code),
      windowFrom: b.window.from,
      windowTo: b.window.to,
      focus: { categories: ['air'], areaIds: [], sourceIds: b.targets.map((t) => t.sourceId), supervisionClasses: [] },
      teamIds,
      note: b.note,
      status: 'confirmed',
      summary: null,
      airAlertId: b.airAlertId,
      confirmedAt: at,
      confirmedBy: null,
      confirmedByAgencyCode: null,
      createdBy: `air-alert:${b.airAlertId}`,
      createdAt: at,
      updatedAt: at,
      version: 1,
    })
    .returning()
    .get();
  const dueAt = endOfChinaDay(b.window.to).toISOString();
  const sources = new Map(b.targets.map((t) => [t.sourceId, getSource(tx, t.sourceId)!]));
  const tasks = b.targets.map((t, position) => {
    const src = sources.get(t.sourceId)!;
    return tx
      .insert(operationTasks)
      .values({
        id: newId(),
        operationId: created.id,
        position,
        sourceId: src.id,
        sourceSide: src.side,
        sourceAgencyCode: src.agencyCode,
        teamIds: t.teamIds,
        status: 'open',
        dueAt,
        alertLevel: b.level,
        requiredMeasures: t.requiredMeasures,
        createdAt: at,
        updatedAt: at,
        version: 1,
      })
      .returning()
      .get();
  });
  emitOperation(
    tx,
    deps,
    created,
    'joint_operation.created',
    { window: { from: created.windowFrom, to: created.windowTo }, airAlertId: b.airAlertId },
    b.actorAgencyCode,
  );
  emitOperation(
    tx,
    deps,
    created,
    'joint_operation.confirmed',
    { taskCount: tasks.length, confirmedByAgencyCode: null, dueAt, airAlertId: b.airAlertId },
    b.actorAgencyCode,
  );
  return { op: created, tasks };
}

/**
 * The alert changed level: each open task is re-checked against the new level — its level and the
 * source's measures at that level are replaced (`measuresOf` answers per source). Returns the
 * re-checked tasks; one `joint_operation.tasks_rechecked` event tells the operation's audience.
 */
export function recheckLinkedTasks(
  tx: Tx,
  deps: Deps,
  operationId: string,
  level: string,
  measuresOf: (sourceId: string) => string[],
  actorAgencyCode: string | null,
): TaskRow[] {
  const op = tx.select().from(jointOperations).where(eq(jointOperations.id, operationId)).get();
  if (!op || op.status === 'closed') return [];
  const at = deps.clock.now().toISOString();
  const out = operationTasksOf(tx, [operationId])
    .filter((t) => t.status === 'open')
    .map((t) =>
      tx
        .update(operationTasks)
        .set({ alertLevel: level, requiredMeasures: measuresOf(t.sourceId), updatedAt: at, version: t.version + 1 })
        .where(eq(operationTasks.id, t.id))
        .returning()
        .get(),
    );
  emitOperation(tx, deps, op, 'joint_operation.tasks_rechecked', { level, recheckedTaskIds: out.map((t) => t.id) }, actorAgencyCode);
  return out;
}

/** The alert was lifted: its operation closes as a supervisor's close would (open tasks cancelled, summary frozen, parties notified). */
export function closeLinkedOperation(tx: Tx, deps: Deps, operationId: string, note: string, actorAgencyCode: string | null): OperationRow | null {
  const op = tx.select().from(jointOperations).where(eq(jointOperations.id, operationId)).get();
  if (!op || op.status === 'closed') return null;
  return closeCore(tx, deps, op, note, actorAgencyCode);
}

// --------------------------------------------------------------------------------------- list

/** Newest first; only operations the caller may see (visibility depends on each party's subtree: checked per row). */
export function listOperations(tx: Tx, p: Principal, q: { status?: string }, limit: number, after?: { c: string; i: string }): OperationRow[] {
  const status = q.status ? eq(jointOperations.status, q.status as OperationRow['status']) : undefined;
  return visiblePage(
    (cursor, n) =>
      tx
        .select()
        .from(jointOperations)
        .where(and(status, afterKey(jointOperations.createdAt, jointOperations.id, cursor && { value: cursor.c, id: cursor.i }, 'desc')))
        .orderBy(desc(jointOperations.createdAt), desc(jointOperations.id))
        .limit(n)
        .all(),
    (r) => maySee(tx, p, r),
    (r) => ({ c: r.createdAt, i: r.id }),
    limit,
    after,
  );
}
