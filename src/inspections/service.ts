/** Random inspections (双随机、一公开): checklist, roster, plans with commit–reveal draws, records, publication. */
import { canonicalJson } from '../json.js';
import { and, asc, desc, eq, gt, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { getKey } from '../auth/keys.js';
import { conflict, fieldError, forbidden, notFound } from '../http/problem.js';
import { checkVersion, type Expected } from '../http/versioning.js';
import { cancelTimer, scheduleTimer } from '../queue/timers.js';
import { notify } from '../notifications/index.js';
import { otherSide } from '../domain/index.js';
import { agencyAncestors, agencySubtree, getAgency, isAbove, type Agency } from '../reference/hierarchy.js';
import { getTeam } from '../reference/teams.js';
import { getArea } from '../reference/areas.js';
import { spatialService } from '../jurisdiction/spatial-index.js';
import { classifiedSources, getSource, sourceNames as sourceNamesOf } from '../cases/sources.js';
import { registerInspectionCase } from '../cases/service.js';
import { assignToTeams, completeSubjectAssignments } from '../assignments/service.js';
import { chinaDate, endOfChinaDay, startOfChinaDay, workingDayDeadline } from '../calendar.js';
import { commitmentOf, inputHash, runDraw, seedOf, type DrawInput, type DrawRecord, type Pair } from './draw.js';
import { inspectionItems, inspectionPlans, inspections, inspectorConflicts, inspectors, type ItemResult, type PlanParty } from './tables.js';
import { emitInspection, emitPlan } from './events.js';
import {
  assertActsForParty,
  assertMayAddInspector,
  assertMayApprove,
  assertMayCreateItem,
  assertMayCreatePlan,
  assertMayRecord,
  loadInspectionFor,
  loadInspectorFor,
  manages,
  officerIdsOf,
  planAccess,
  type InspectionRow,
  type InspectorRow,
  type PlanRow,
} from './visibility.js';
import { labelOf, type Language } from '../domain/labels.js';
import type {
  CommitmentBody,
  ConflictBody,
  CreateInspectorBody,
  CreateItemBody,
  CreatePlanBody,
  PatchInspectorBody,
  RecordBody,
  RevealBody,
} from './schemas.js';

export const PERIOD_START_JOB = 'inspections.period_start';
export const PUBLICATION_DUE_JOB = 'inspections.publication_due';
/** Assignment of an opened inspection to its officers' teams, on the lead team's side queue. */
export const ASSIGN_JOB = 'inspections.assign';
export const assignJob = (side: string) => `${ASSIGN_JOB}.${side}`;
export const periodTimerId = (planId: string) => `inspection-period-${planId}`;
export const publicationTimerId = (id: string) => `inspection-publication-${id}`;

export type ItemRow = typeof inspectionItems.$inferSelect;
export type ConflictRow = typeof inspectorConflicts.$inferSelect;

function requireAgency(tx: Tx, code: string, field: string): Agency {
  const a = getAgency(tx, code);
  if (!a) throw fieldError(field, `agency ${code} does not exist`);
  return a;
}

// ---------------------------------------------------------------------------------- checklist

export function createItem(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateItemBody>): ItemRow {
  requireAgency(tx, b.agencyCode, 'body/agencyCode');
  assertMayCreateItem(tx, p, b.agencyCode);
  const dup = tx
    .select({ id: inspectionItems.id })
    .from(inspectionItems)
    .where(and(eq(inspectionItems.agencyCode, b.agencyCode), eq(inspectionItems.code, b.code)))
    .get();
  if (dup) throw conflict('duplicate-item-code', `Agency ${b.agencyCode} already has checklist item ${b.code}.`, { existingId: dup.id });
  return tx
    .insert(inspectionItems)
    .values({ id: newId(), ...b, createdAt: deps.clock.now().toISOString() })
    .returning()
    .get();
}

/** Items usable by an agency: its own and its ancestors'. */
export function itemsUsableBy(tx: Tx, agencyCode: string): ItemRow[] {
  const codes = [agencyCode, ...agencyAncestors(tx, agencyCode).map((a) => a.code)];
  return tx.select().from(inspectionItems).where(inArray(inspectionItems.agencyCode, codes)).orderBy(asc(inspectionItems.code), asc(inspectionItems.id)).all();
}

export function listItems(tx: Tx, p: Principal, agencyCode: string | undefined, limit: number, afterId?: string): ItemRow[] {
  const code = agencyCode ?? (p.role === 'admin' ? undefined : (p.agencyCode ?? undefined));
  const conds: SQL[] = [];
  if (code) {
    if (!getAgency(tx, code)) throw notFound('agency', code);
    const codes = [code, ...agencyAncestors(tx, code).map((a) => a.code), ...agencySubtree(tx, code)];
    conds.push(inArray(inspectionItems.agencyCode, [...new Set(codes)]));
  }
  if (afterId) conds.push(gt(inspectionItems.id, afterId));
  return tx
    .select()
    .from(inspectionItems)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(inspectionItems.id))
    .limit(limit)
    .all();
}

// ------------------------------------------------------------------------------------- roster

function checkTeam(tx: Tx, teamId: string, agencyCode: string, field: string) {
  const t = getTeam(tx, teamId);
  if (!t) throw fieldError(field, `team ${teamId} does not exist`);
  if (t.agencyCode !== agencyCode) throw fieldError(field, `team ${teamId} belongs to ${t.agencyCode}, not ${agencyCode}`);
}

/** A roster entry links only a live inspector key of the officer's own agency. */
function checkKey(tx: Tx, keyId: string | null | undefined, agencyCode: string) {
  if (!keyId) return;
  const k = getKey(tx, keyId);
  if (!k || k.revokedAt) throw fieldError('body/keyId', `no active API key ${keyId}`);
  if (k.role !== 'inspector' || k.agencyCode !== agencyCode) throw fieldError('body/keyId', `must be an inspector key of agency ${agencyCode}`);
}

function assertUniqueCertificate(tx: Tx, no: string, exceptId?: string) {
  const other = tx.select({ id: inspectors.id }).from(inspectors).where(eq(inspectors.certificateNo, no)).get();
  if (other && other.id !== exceptId)
    throw conflict('duplicate-certificate', `Certificate ${no} is already on the roster (${other.id}).`, { existingId: other.id });
}

export function createInspector(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateInspectorBody>): InspectorRow {
  const agency = requireAgency(tx, b.agencyCode, 'body/agencyCode');
  assertMayAddInspector(tx, p, agency.code);
  checkTeam(tx, b.teamId, agency.code, 'body/teamId');
  checkKey(tx, b.keyId, agency.code);
  assertUniqueCertificate(tx, b.certificateNo);
  const now = deps.clock.now().toISOString();
  return tx
    .insert(inspectors)
    .values({
      id: newId(),
      name: b.name,
      side: agency.side,
      agencyCode: agency.code,
      teamId: b.teamId,
      certificateNo: b.certificateNo,
      certificateValidUntil: b.certificateValidUntil,
      expert: b.expert ?? false,
      active: b.active ?? true,
      keyId: b.keyId ?? null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    })
    .returning()
    .get();
}

export function patchInspector(
  tx: Tx,
  deps: Deps,
  p: Principal,
  id: string,
  expected: Expected | undefined,
  b: Static<typeof PatchInspectorBody>,
): InspectorRow {
  const cur = loadInspectorFor(tx, p, id);
  checkVersion(expected, cur.version, 'inspector', id);
  if (b.teamId !== undefined) checkTeam(tx, b.teamId, cur.agencyCode, 'body/teamId');
  if (b.certificateNo !== undefined) assertUniqueCertificate(tx, b.certificateNo, id);
  checkKey(tx, b.keyId, cur.agencyCode);
  return tx
    .update(inspectors)
    .set({ ...b, updatedAt: deps.clock.now().toISOString(), version: cur.version + 1 })
    .where(eq(inspectors.id, id))
    .returning()
    .get();
}

export function listInspectors(tx: Tx, p: Principal, q: { agencyCode?: string; active?: boolean }, limit: number, afterId?: string): InspectorRow[] {
  const code = q.agencyCode ?? (p.role === 'admin' ? undefined : p.agencyCode);
  if (p.role !== 'admin' && (!code || !manages(tx, p, code))) return [];
  const conds: SQL[] = [];
  if (code) {
    if (!getAgency(tx, code)) throw notFound('agency', code);
    conds.push(inArray(inspectors.agencyCode, agencySubtree(tx, code)));
  }
  if (q.active !== undefined) conds.push(eq(inspectors.active, q.active));
  if (afterId) conds.push(gt(inspectors.id, afterId));
  return tx
    .select()
    .from(inspectors)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(inspectors.id))
    .limit(limit)
    .all();
}

export function getInspectorFor(tx: Tx, p: Principal, id: string): InspectorRow {
  return loadInspectorFor(tx, p, id);
}

export function conflictsOf(tx: Tx, ids: string[]): Map<string, ConflictRow[]> {
  const out = new Map<string, ConflictRow[]>();
  if (!ids.length) return out;
  for (const c of tx.select().from(inspectorConflicts).where(inArray(inspectorConflicts.inspectorId, ids)).orderBy(asc(inspectorConflicts.createdAt)).all()) {
    out.set(c.inspectorId, [...(out.get(c.inspectorId) ?? []), c]);
  }
  return out;
}

/** 回避: declared by the officer's supervisors or by the officer himself (his own key). */
export function declareConflict(tx: Tx, deps: Deps, p: Principal, id: string, b: Static<typeof ConflictBody>): ConflictRow {
  const self =
    p.role === 'inspector' &&
    tx
      .select({ id: inspectors.id })
      .from(inspectors)
      .where(and(eq(inspectors.id, id), eq(inspectors.keyId, p.keyId)))
      .get();
  if (!self) loadInspectorFor(tx, p, id);
  if (!getSource(tx, b.sourceId)) throw fieldError('body/sourceId', `source ${b.sourceId} does not exist`);
  const dup = tx
    .select()
    .from(inspectorConflicts)
    .where(and(eq(inspectorConflicts.inspectorId, id), eq(inspectorConflicts.sourceId, b.sourceId)))
    .get();
  if (dup) throw conflict('duplicate-conflict', `Officer ${id} has already declared a conflict with source ${b.sourceId}.`, { existingId: dup.id });
  return tx
    .insert(inspectorConflicts)
    .values({ id: newId(), inspectorId: id, sourceId: b.sourceId, reason: b.reason, declaredBy: p.keyId, createdAt: deps.clock.now().toISOString() })
    .returning()
    .get();
}

// -------------------------------------------------------------------------------------- plans

/** Level rank: autonomous region ~ corps, prefecture ~ division, county ~ regiment. */
const LEVEL_RANK: Record<string, number> = { autonomous_region: 0, corps: 0, prefecture: 1, division: 1, county: 2, regiment: 2 };

export function createPlan(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreatePlanBody>): PlanRow {
  const agency = requireAgency(tx, b.agencyCode, 'body/agencyCode');
  assertMayCreatePlan(p, agency.code);
  const scopeAgency = b.scope.agencyCode ?? agency.code;
  requireAgency(tx, scopeAgency, 'body/scope/agencyCode');
  if (!agencySubtree(tx, agency.code).includes(scopeAgency)) throw fieldError('body/scope/agencyCode', `is not ${agency.code} or an agency below it`);
  (b.scope.areaIds ?? []).forEach((a, i) => {
    if (!getArea(tx, a)) throw fieldError(`body/scope/areaIds/${i}`, `area ${a} does not exist`);
  });
  if (b.period.from > b.period.to) throw fieldError('body/period/to', `is before period.from ${b.period.from}`);
  if (b.period.to < chinaDate(deps.clock.now())) throw fieldError('body/period/to', 'is in the past');

  const usable = new Map(itemsUsableBy(tx, agency.code).map((i) => [i.code, i]));
  b.itemCodes.forEach((code, i) => {
    const item = usable.get(code);
    if (!item) throw fieldError(`body/itemCodes/${i}`, `no checklist item ${code} of ${agency.code} or an agency above it`);
    if (b.scope.categories && !item.categories.some((c) => b.scope.categories!.includes(c as never)))
      throw fieldError(`body/itemCodes/${i}`, `item ${code} covers none of the scope's categories (${b.scope.categories.join(', ')})`);
  });

  if (!b.parties.includes(agency.code)) throw fieldError('body/parties', `must include the plan agency ${agency.code}`);
  const partyAgencies = b.parties.map((code, i) => requireAgency(tx, code, `body/parties/${i}`));
  const others = partyAgencies.filter((a) => a.code !== agency.code);
  if (b.mode === 'same_side') {
    if (!others.some((a) => isAbove(tx, a.code, agency.code)))
      throw fieldError('body/parties', `a same_side plan needs a supervising agency of ${agency.code} (one above it) as a party`);
  } else {
    const peer = others.some((a) => a.side === otherSide(agency.side) && LEVEL_RANK[a.level] === LEVEL_RANK[agency.level]);
    if (!peer)
      throw fieldError(
        'body/parties',
        `a ${b.mode} plan needs an agency of the ${otherSide(agency.side)} side at the same level as ${agency.code} (${agency.level}) as a party`,
      );
  }

  const now = deps.clock.now().toISOString();
  const scope = {
    ...(b.scope.agencyCode ? { agencyCode: b.scope.agencyCode } : {}),
    ...(b.scope.areaIds ? { areaIds: [...b.scope.areaIds].sort() } : {}),
    ...(b.scope.categories ? { categories: [...b.scope.categories].sort() } : {}),
  };
  const parties: PlanParty[] = b.parties.map((code) => ({
    agencyCode: code,
    commitment: null,
    committedAt: null,
    committedBy: null,
    secret: null,
    revealedAt: null,
    revealedBy: null,
  }));
  const plan = tx
    .insert(inspectionPlans)
    .values({
      id: newId(),
      name: b.name,
      agencyCode: agency.code,
      side: agency.side,
      scope,
      scopeKey: canonicalJson({ agencyCode: agency.code, scopeAgency, areaIds: scope.areaIds ?? null, categories: scope.categories ?? null, mode: b.mode }),
      periodFrom: b.period.from,
      periodTo: b.period.to,
      ratios: b.ratios,
      inspectorsPerTarget: b.inspectorsPerTarget,
      mode: b.mode,
      itemCodes: b.itemCodes,
      parties,
      status: 'committing',
      createdBy: p.keyId,
      createdAt: now,
      updatedAt: now,
      version: 1,
    })
    .returning()
    .get();
  emitPlan(
    tx,
    deps,
    plan,
    'inspection_plan.created',
    { name: plan.name, mode: plan.mode, period: { from: plan.periodFrom, to: plan.periodTo }, parties: b.parties },
    p.agencyCode,
  );
  return plan;
}

export function listPlans(
  tx: Tx,
  p: Principal | null,
  q: { agencyCode?: string; status?: PlanRow['status'] },
  limit: number,
  after?: { c: string; i: string },
): PlanRow[] {
  const conds: (SQL | undefined)[] = [];
  if (p && p.role !== 'admin') {
    if (p.role !== 'supervisor' || !p.agencyCode) return [];
    // Own plans and those it is a party of.
    conds.push(
      or(
        eq(inspectionPlans.agencyCode, p.agencyCode),
        sql`exists (select 1 from json_each(${inspectionPlans.parties}) where json_extract(value, '$.agencyCode') = ${p.agencyCode})`,
      ),
    );
  }
  if (q.agencyCode) conds.push(eq(inspectionPlans.agencyCode, q.agencyCode));
  if (q.status) conds.push(eq(inspectionPlans.status, q.status));
  if (after)
    conds.push(or(sql`${inspectionPlans.createdAt} < ${after.c}`, and(eq(inspectionPlans.createdAt, after.c), sql`${inspectionPlans.id} < ${after.i}`)));
  return tx
    .select()
    .from(inspectionPlans)
    .where(and(...conds))
    .orderBy(desc(inspectionPlans.createdAt), desc(inspectionPlans.id))
    .limit(limit)
    .all();
}

function updatePlan(tx: Tx, deps: Deps, cur: PlanRow, set: Partial<PlanRow>): PlanRow {
  return tx
    .update(inspectionPlans)
    .set({ ...set, updatedAt: deps.clock.now().toISOString(), version: cur.version + 1 })
    .where(eq(inspectionPlans.id, cur.id))
    .returning()
    .get();
}

const planClosed = (plan: PlanRow) =>
  conflict('plan-drawn', `Plan ${plan.id} is ${plan.status}: it was drawn once and takes no more commitments or reveals.`, { planStatus: plan.status });

export function commit(tx: Tx, deps: Deps, p: Principal, id: string, b: Static<typeof CommitmentBody>): PlanRow {
  const { plan } = loadPlanForParty(tx, p, id, b.agencyCode);
  if (plan.status === 'drawn' || plan.status === 'failed') throw planClosed(plan);
  const party = plan.parties.find((x) => x.agencyCode === b.agencyCode)!;
  if (party.commitment) throw conflict('already-committed', `Agency ${b.agencyCode} already committed to plan ${plan.id} at ${party.committedAt}.`);
  if (plan.parties.some((x) => x.commitment === b.commitment))
    throw conflict('duplicate-commitment', 'Another party already committed to this value: each party commits to its own 32 random bytes.');
  const at = deps.clock.now().toISOString();
  const parties = plan.parties.map((x) => (x.agencyCode === b.agencyCode ? { ...x, commitment: b.commitment, committedAt: at, committedBy: p.keyId } : x));
  let row = updatePlan(tx, deps, plan, { parties });
  emitPlan(tx, deps, row, 'inspection_plan.committed', { agencyCode: b.agencyCode, commitment: b.commitment }, b.agencyCode);
  if (parties.every((x) => x.commitment)) row = freeze(tx, deps, row);
  return row;
}

/** A caller acting for a party: must see the plan (404), name a party (403) and be its supervisor (403). */
function loadPlanForParty(tx: Tx, p: Principal, id: string, agencyCode: string) {
  const plan = tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, id)).get();
  // A supervisor of an agency that is no party cannot see the plan here, but is told why it may not act.
  if (!plan || (planAccess(p, plan) === 'none' && p.role !== 'supervisor')) throw notFound('inspection plan', id);
  assertActsForParty(p, plan, agencyCode);
  return { plan };
}

/** All parties committed: freeze the pools (ids and attributes the draw reads) and record their hash. */
function freeze(tx: Tx, deps: Deps, plan: PlanRow): PlanRow {
  const input = buildInput(tx, deps, plan);
  const hash = inputHash(input.input);
  const row = updatePlan(tx, deps, plan, {
    status: 'revealing',
    frozenAt: deps.clock.now().toISOString(),
    input: input.input,
    inputHash: hash,
    previousPlanId: input.previousPlanId,
  });
  emitPlan(tx, deps, row, 'inspection_plan.frozen', { inputHash: hash, poolSizes: poolSizes(input.input) });
  return row;
}

export function poolSizes(input: DrawInput | null) {
  if (!input) return null;
  const n = (c: string) => input.pools.sources.filter((s) => s.class === c).length;
  return { key: n('key'), special: n('special'), general: n('general'), officers: input.pools.officers.length };
}

/** The officers' agencies: same_side the plan agency's subtree; cross the other side's parties' subtrees; joint both. */
function officerAgencies(tx: Tx, plan: PlanRow): string[] {
  const own = agencySubtree(tx, plan.agencyCode);
  const otherParties = plan.parties
    .map((x) => getAgency(tx, x.agencyCode)!)
    .filter((a) => a.side !== plan.side)
    .flatMap((a) => agencySubtree(tx, a.code));
  if (plan.mode === 'same_side') return own;
  if (plan.mode === 'cross') return [...new Set(otherParties)];
  return [...new Set([...own, ...otherParties])];
}

export function buildInput(tx: Tx, deps: Deps, plan: PlanRow): { input: DrawInput; previousPlanId: string | null } {
  const scopeAgency = plan.scope.agencyCode ?? plan.agencyCode;
  let sources = classifiedSources(tx, agencySubtree(tx, scopeAgency));
  if (plan.scope.areaIds?.length) {
    const wanted = new Set(plan.scope.areaIds);
    const spatial = spatialService(deps);
    sources = sources.filter((s) => {
      if (s.gridId && wanted.has(s.gridId)) return true;
      const r = spatial.resolve(s.lat, s.lng);
      return r.containing.some((a) => wanted.has(a.id));
    });
  }
  const officers = tx
    .select()
    .from(inspectors)
    .where(inArray(inspectors.agencyCode, officerAgencies(tx, plan)))
    .orderBy(asc(inspectors.id))
    .all();
  const officerIds = officers.map((o) => o.id);
  const sourceIds = new Set(sources.map((s) => s.id));
  const conflicts: Pair[] = officerIds.length
    ? tx
        .select({ inspectorId: inspectorConflicts.inspectorId, sourceId: inspectorConflicts.sourceId })
        .from(inspectorConflicts)
        .where(inArray(inspectorConflicts.inspectorId, officerIds))
        .orderBy(asc(inspectorConflicts.inspectorId), asc(inspectorConflicts.sourceId))
        .all()
        .filter((c) => sourceIds.has(c.sourceId))
    : [];
  const previous = tx
    .select()
    .from(inspectionPlans)
    .where(and(eq(inspectionPlans.scopeKey, plan.scopeKey), eq(inspectionPlans.status, 'drawn'), ne(inspectionPlans.id, plan.id)))
    .orderBy(desc(inspectionPlans.drawnAt), desc(inspectionPlans.id))
    .limit(1)
    .get();
  const previousPairs: Pair[] = (previous?.targets ?? [])
    .flatMap((t) => t.officers.map((o) => ({ inspectorId: o, sourceId: t.sourceId })))
    .sort((a, b) => (a.inspectorId + '\u0000' + a.sourceId < b.inspectorId + '\u0000' + b.sourceId ? -1 : 1));
  const input: DrawInput = {
    planId: plan.id,
    inspectionDate: plan.periodFrom,
    ratios: { key: plan.ratios.key, special: plan.ratios.special, general: plan.ratios.general },
    inspectorsPerTarget: plan.inspectorsPerTarget,
    mode: plan.mode,
    planSide: plan.side,
    parties: plan.parties.map((x) => x.agencyCode),
    pools: {
      sources: sources.map((s) => ({ id: s.id, class: s.supervisionClass, side: s.side })),
      officers: officers.map((o) => ({ id: o.id, side: o.side, active: o.active, certificateValidUntil: o.certificateValidUntil })),
      conflicts,
      previousPairs,
    },
  };
  return { input, previousPlanId: previous?.id ?? null };
}

export interface RevealOutcome {
  plan: PlanRow;
  /** Set when this reveal ran the draw and it could not be satisfied (the route answers 422). */
  failure: PlanRow['failure'];
}

export function reveal(tx: Tx, deps: Deps, p: Principal, id: string, b: Static<typeof RevealBody>): RevealOutcome {
  const { plan } = loadPlanForParty(tx, p, id, b.agencyCode);
  if (plan.status === 'drawn' || plan.status === 'failed') throw planClosed(plan);
  if (plan.status === 'committing')
    throw conflict(
      'not-all-committed',
      `Plan ${plan.id} still waits for commitments from ${plan.parties
        .filter((x) => !x.commitment)
        .map((x) => x.agencyCode)
        .join(', ')}; reveals start when every party has committed.`,
    );
  const party = plan.parties.find((x) => x.agencyCode === b.agencyCode)!;
  if (party.secret) throw conflict('already-revealed', `Agency ${b.agencyCode} already revealed its secret for plan ${plan.id} at ${party.revealedAt}.`);
  if (commitmentOf(b.secret) !== party.commitment)
    throw conflict('reveal-mismatch', `The SHA-256 of this secret is not ${b.agencyCode}'s commitment ${party.commitment}; nothing was changed.`, {
      agencyCode: b.agencyCode,
    });
  const at = deps.clock.now().toISOString();
  const parties = plan.parties.map((x) => (x.agencyCode === b.agencyCode ? { ...x, secret: b.secret, revealedAt: at, revealedBy: p.keyId } : x));
  let row = updatePlan(tx, deps, plan, { parties });
  emitPlan(tx, deps, row, 'inspection_plan.revealed', { agencyCode: b.agencyCode }, b.agencyCode);
  if (!parties.every((x) => x.secret)) return { plan: row, failure: null };
  row = draw(tx, deps, row);
  return { plan: row, failure: row.failure };
}

/** Runs the draw, once: the last reveal calls it in its transaction. */
function draw(tx: Tx, deps: Deps, plan: PlanRow): PlanRow {
  const seed = seedOf(plan.parties.map((x) => x.secret!));
  const out = runDraw(plan.input!, seed);
  const now = deps.clock.now();
  if (!out.ok) {
    const row = updatePlan(tx, deps, plan, { status: 'failed', seed, drawnAt: now.toISOString(), failure: out.failure });
    emitPlan(tx, deps, row, 'inspection_plan.failed', { seed, failure: out.failure });
    notify(tx, deps, {
      kind: 'inspection_draw_failed',
      agencyCode: plan.agencyCode,
      subject: `inspection-plans/${plan.id}`,
      message: `The draw of plan "${plan.name}" could not be satisfied: ${out.failure.constraint}.`,
      data: { planId: plan.id, constraint: out.failure.constraint },
    });
    return row;
  }
  const row = updatePlan(tx, deps, plan, { status: 'drawn', seed, drawnAt: now.toISOString(), targets: out.targets });
  out.targets.forEach((t, position) => {
    const src = plan.input!.pools.sources.find((s) => s.id === t.sourceId)!;
    tx.insert(inspections)
      .values({
        id: newId(),
        planId: plan.id,
        position,
        sourceId: t.sourceId,
        sourceClass: t.class,
        sourceSide: src.side,
        officers: t.officers,
        status: 'drawn',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        version: 1,
      })
      .run();
  });
  // The period's start opens the inspections and assigns them (the drawn list stays confidential until then).
  scheduleTimer(tx, { id: periodTimerId(plan.id), name: PERIOD_START_JOB, dueAt: startOfChinaDay(plan.periodFrom), payload: { planId: plan.id } });
  emitPlan(tx, deps, row, 'inspection_plan.drawn', { seed, targetCount: out.targets.length });
  return row;
}

/** Timer body at the period's start: opens the plan's inspections (one inspection.opened each; the assign job follows). */
export function openPeriod(tx: Tx, deps: Deps, planId: string): number {
  const plan = tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, planId)).get();
  if (!plan || plan.status !== 'drawn') return 0;
  if (deps.clock.now().getTime() < startOfChinaDay(plan.periodFrom).getTime()) return 0;
  const rows = tx
    .select()
    .from(inspections)
    .where(and(eq(inspections.planId, planId), eq(inspections.status, 'drawn')))
    .orderBy(asc(inspections.position))
    .all();
  const officerRows = officersById(tx, [...new Set(rows.flatMap((r) => r.officers))]);
  const at = deps.clock.now().toISOString();
  for (const r of rows) {
    const next = tx
      .update(inspections)
      .set({ status: 'open', updatedAt: at, version: r.version + 1 })
      .where(eq(inspections.id, r.id))
      .returning()
      .get();
    const teams = r.officers
      .map((o) => officerRows.get(o))
      .filter((o): o is InspectorRow => !!o)
      .map((o) => ({ teamId: o.teamId, agencyCode: o.agencyCode, side: o.side }));
    emitInspection(
      tx,
      deps,
      next,
      plan.agencyCode,
      'inspection.opened',
      { teams, side: teams[0]?.side ?? plan.side, dueAt: endOfChinaDay(plan.periodTo).toISOString() },
      teams.map((t) => `team:${t.teamId}`),
    );
  }
  return rows.length;
}

/** Job body: the opened inspection's assignments to its officers' teams, due at the period's end. */
export function assignInspection(
  tx: Tx,
  deps: Deps,
  payload: { inspectionId: string; teams: { teamId: string; agencyCode: string; side: 'region' | 'corps' }[]; dueAt: string },
) {
  const i = tx.select().from(inspections).where(eq(inspections.id, payload.inspectionId)).get();
  if (!i) return;
  const plan = tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, i.planId)).get()!;
  const items = itemsUsableBy(tx, plan.agencyCode).filter((it) => plan.itemCodes.includes(it.code));
  const category = plan.scope.categories?.[0] ?? items[0]?.categories[0] ?? 'other';
  assignToTeams(tx, deps, { kind: 'inspection', id: i.id, category }, payload.teams, new Date(payload.dueAt));
}

export function officersById(tx: Tx, ids: string[]): Map<string, InspectorRow> {
  if (!ids.length) return new Map();
  return new Map(
    tx
      .select()
      .from(inspectors)
      .where(inArray(inspectors.id, ids))
      .all()
      .map((o) => [o.id, o]),
  );
}

// -------------------------------------------------------------------------------- inspections

export function disclosureOf(tx: Tx, planIds: string[]): Map<string, { inspected: number; published: number; overdue: number }> {
  const out = new Map<string, { inspected: number; published: number; overdue: number }>();
  if (!planIds.length) return out;
  const rows = tx.all<{ plan_id: string; inspected: number; published: number; overdue: number }>(
    sql`select plan_id, sum(case when status in ('recorded','published') then 1 else 0 end) as inspected,
               sum(case when status = 'published' then 1 else 0 end) as published,
               sum(case when status = 'recorded' and overdue_at is not null then 1 else 0 end) as overdue
        from inspections where plan_id in (${sql.join(
          planIds.map((i) => sql`${i}`),
          sql`, `,
        )}) group by plan_id`,
  );
  for (const r of rows) out.set(r.plan_id, { inspected: Number(r.inspected), published: Number(r.published), overdue: Number(r.overdue) });
  return out;
}

export function planInspections(tx: Tx, planId: string): InspectionRow[] {
  return tx.select().from(inspections).where(eq(inspections.planId, planId)).orderBy(asc(inspections.position)).all();
}

/** The caller's inspections: plan supervisors all of their plans'; officers their own, from the period's start. */
export function listInspections(
  tx: Tx,
  deps: Deps,
  p: Principal,
  q: { planId?: string; status?: InspectionRow['status'] },
  limit: number,
  after?: { c: string; i: string },
): InspectionRow[] {
  const conds: (SQL | undefined)[] = [];
  if (p.role === 'supervisor' && p.agencyCode) {
    conds.push(sql`${inspections.planId} in (select id from inspection_plans where agency_code = ${p.agencyCode})`);
  } else if (p.role === 'inspector') {
    const mine = officerIdsOf(tx, p);
    if (!mine.length) return [];
    const today = deps.clock.now().toISOString();
    conds.push(
      sql`exists (select 1 from json_each(${inspections.officers}) where value in (${sql.join(
        mine.map((m) => sql`${m}`),
        sql`, `,
      )}))`,
    );
    conds.push(sql`${inspections.planId} in (select id from inspection_plans where period_from <= ${chinaDate(new Date(today))})`);
  } else if (p.role !== 'admin') return [];
  if (q.planId) conds.push(eq(inspections.planId, q.planId));
  if (q.status) conds.push(eq(inspections.status, q.status));
  if (after) conds.push(or(sql`${inspections.createdAt} > ${after.c}`, and(eq(inspections.createdAt, after.c), gt(inspections.id, after.i))));
  return tx
    .select()
    .from(inspections)
    .where(and(...conds))
    .orderBy(asc(inspections.createdAt), asc(inspections.id))
    .limit(limit)
    .all();
}

export function getInspection(tx: Tx, deps: Deps, p: Principal, id: string) {
  return loadInspectionFor(tx, p, id, deps.clock.now());
}

export function recordInspection(tx: Tx, deps: Deps, p: Principal, id: string, b: Static<typeof RecordBody>): InspectionRow {
  const now = deps.clock.now();
  const { i, plan } = loadInspectionFor(tx, p, id, now);
  assertMayRecord(i, b.officersPresent);
  if (p.role === 'inspector') {
    const mine = officerIdsOf(tx, p);
    if (!b.officersPresent.some((o) => mine.includes(o))) throw forbidden('The recording officer must be one of the officers present.');
  }
  if (i.status === 'drawn') throw conflict('inspection-not-open', `Inspection ${id} opens when its period starts (${plan.periodFrom}).`);
  if (i.status !== 'open') throw conflict('already-recorded', `Inspection ${id} was already recorded at ${i.recordedAt}.`, { inspectionStatus: i.status });
  const today = chinaDate(now);
  const date = b.inspectionDate ?? today;
  if (date > today) throw fieldError('body/inspectionDate', 'is in the future');
  if (date < plan.periodFrom || date > plan.periodTo)
    throw fieldError('body/inspectionDate', `is outside the plan's period ${plan.periodFrom}–${plan.periodTo}`);
  const seen = new Set<string>();
  b.results.forEach((r, k) => {
    if (!plan.itemCodes.includes(r.itemCode))
      throw fieldError(`body/results/${k}/itemCode`, `${r.itemCode} is not a checklist item of this plan (${plan.itemCodes.join(', ')})`);
    if (seen.has(r.itemCode)) throw fieldError(`body/results/${k}/itemCode`, `${r.itemCode} appears twice`);
    seen.add(r.itemCode);
  });
  const missing = plan.itemCodes.filter((c) => !seen.has(c));
  if (missing.length) throw fieldError('body/results', `has no result for item(s) ${missing.join(', ')}`);
  checkRecordOutcome(b, date);

  let caseId: string | null = null;
  if (b.outcome === 'case') {
    const src = getSource(tx, i.sourceId);
    if (!src) throw notFound('source', i.sourceId);
    const c = registerInspectionCase(tx, deps, p, {
      title: b.case!.title,
      category: b.case!.category,
      leadAgencyCode: src.agencyCode,
      location: { lat: src.lat, lng: src.lng },
      sourceId: src.id,
      origin: { kind: 'inspection' },
      summary: b.case!.summary,
    });
    caseId = c.id;
  }
  const due = workingDayDeadline(date, deps.config.inspectionPublicationWorkingDays).dueAt;
  const at = now.toISOString();
  const results: ItemResult[] = b.results.map((r) => ({ itemCode: r.itemCode, result: r.result, note: r.note ?? null }));
  const row = tx
    .update(inspections)
    .set({
      status: 'recorded',
      inspectionDate: date,
      results,
      officersPresent: b.officersPresent,
      evidence: b.evidence ?? [],
      outcome: b.outcome,
      rectification: b.rectification ?? null,
      caseId,
      recordedAt: at,
      recordedBy: p.keyId,
      publicationDueAt: due.toISOString(),
      updatedAt: at,
      version: i.version + 1,
    })
    .where(eq(inspections.id, id))
    .returning()
    .get();
  scheduleTimer(tx, { id: publicationTimerId(id), name: PUBLICATION_DUE_JOB, dueAt: due, payload: { inspectionId: id } });
  // The work is done: the inspection's assignments on the teams' lists close.
  completeSubjectAssignments(tx, deps, 'inspection', id, 'inspection recorded', p.agencyCode);
  emitInspection(tx, deps, row, plan.agencyCode, 'inspection.recorded', { outcome: row.outcome, caseId, publicationDueAt: row.publicationDueAt });
  return row;
}

export function approveInspection(tx: Tx, deps: Deps, p: Principal, id: string): InspectionRow {
  const now = deps.clock.now();
  const { i, plan, access } = loadInspectionFor(tx, p, id, now);
  assertMayApprove(access);
  if (i.status === 'published') throw conflict('already-published', `Inspection ${id} was published at ${i.publishedAt}.`);
  if (i.status !== 'recorded') throw conflict('not-recorded', `Inspection ${id} is ${i.status}: only a recorded inspection is approved for publication.`);
  const at = now.toISOString();
  const row = tx
    .update(inspections)
    .set({ status: 'published', publishedAt: at, publishedBy: p.keyId, updatedAt: at, version: i.version + 1 })
    .where(eq(inspections.id, id))
    .returning()
    .get();
  cancelTimer(tx, publicationTimerId(id), now);
  const [result] = publicResults(tx, [row], new Map([[plan.id, plan]]));
  appendPublished(tx, deps, row, plan, result);
  return row;
}

function appendPublished(tx: Tx, deps: Deps, row: InspectionRow, plan: PlanRow, result: ReturnType<typeof publicResults>[number]) {
  emitInspection(tx, deps, row, plan.agencyCode, 'inspection.published', { result, late: row.overdueAt !== null });
}

/** Timer body: the publication deadline passed with the result unpublished. */
export function markPublicationOverdue(tx: Tx, deps: Deps, id: string): boolean {
  const i = tx.select().from(inspections).where(eq(inspections.id, id)).get();
  if (!i || i.status !== 'recorded' || i.overdueAt || !i.publicationDueAt) return false;
  const now = deps.clock.now();
  if (Date.parse(i.publicationDueAt) > now.getTime()) return false;
  const row = tx
    .update(inspections)
    .set({ overdueAt: now.toISOString(), updatedAt: now.toISOString(), version: i.version + 1 })
    .where(eq(inspections.id, id))
    .returning()
    .get();
  const plan = tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, i.planId)).get()!;
  emitInspection(tx, deps, row, plan.agencyCode, 'inspection.publication_overdue', {
    dueAt: i.publicationDueAt,
    workingDays: deps.config.inspectionPublicationWorkingDays,
  });
  const parent = getAgency(tx, plan.agencyCode)?.parentCode;
  for (const agencyCode of [plan.agencyCode, ...(parent ? [parent] : [])])
    notify(tx, deps, {
      kind: 'inspection_publication_overdue',
      agencyCode,
      subject: `inspections/${id}`,
      message: `A result of plan "${plan.name}" was not published within ${deps.config.inspectionPublicationWorkingDays} working days (due ${i.publicationDueAt}).`,
      actorAgencyCode: plan.agencyCode,
      data: { inspectionId: id, planId: plan.id, dueAt: i.publicationDueAt },
    });
  return true;
}

// ------------------------------------------------------------------------------------- public

export const periodEnded = (plan: PlanRow, now: Date) => now.getTime() >= endOfChinaDay(plan.periodTo).getTime();

export function drawRecord(plan: PlanRow): DrawRecord | null {
  if ((plan.status !== 'drawn' && plan.status !== 'failed') || !plan.input || !plan.inputHash || !plan.seed) return null;
  return {
    input: plan.input,
    inputHash: plan.inputHash,
    commitments: plan.parties.map((x) => ({ agencyCode: x.agencyCode, commitment: x.commitment!, secret: x.secret! })),
    seed: plan.seed,
    result: plan.status === 'drawn' ? { status: 'drawn', targets: plan.targets ?? [] } : { status: 'failed', failure: plan.failure! },
  };
}

export function getPlanPublic(tx: Tx, id: string): PlanRow {
  const plan = tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, id)).get();
  if (!plan) throw notFound('inspection plan', id);
  return plan;
}

export function listPublishedResults(tx: Tx, planId: string | undefined, limit: number, after?: { c: string; i: string }) {
  const conds: (SQL | undefined)[] = [eq(inspections.status, 'published')];
  if (planId) conds.push(eq(inspections.planId, planId));
  if (after) conds.push(or(sql`${inspections.publishedAt} > ${after.c}`, and(eq(inspections.publishedAt, after.c), gt(inspections.id, after.i))));
  const rows = tx
    .select()
    .from(inspections)
    .where(and(...conds))
    .orderBy(asc(inspections.publishedAt), asc(inspections.id))
    .limit(limit)
    .all();
  const planIds = [...new Set(rows.map((r) => r.planId))];
  const plans = new Map(
    planIds.length
      ? tx
          .select()
          .from(inspectionPlans)
          .where(inArray(inspectionPlans.id, planIds))
          .all()
          .map((p) => [p.id, p])
      : [],
  );
  return { rows, plans };
}

/** The public shape of published results (source name and credit code, date, outcome, non-compliant items). */
/** Published results as the public reads them, labelled in `lang` (codes kept beside the labels). */
export function publicResults(tx: Tx, rows: InspectionRow[], plans: Map<string, PlanRow>, lang: Language = 'zh-CN') {
  const names = sourceNamesOf(
    tx,
    rows.map((r) => r.sourceId),
  );
  const itemNames = new Map<string, Map<string, string>>();
  return rows.map((r) => {
    const plan = plans.get(r.planId)!;
    if (!itemNames.has(plan.agencyCode)) itemNames.set(plan.agencyCode, new Map(itemsUsableBy(tx, plan.agencyCode).map((it) => [it.code, it.name])));
    const src = names.get(r.sourceId);
    return {
      inspectionId: r.id,
      planId: r.planId,
      planName: plan.name,
      agencyCode: plan.agencyCode,
      sourceId: r.sourceId,
      sourceName: src?.name ?? '',
      creditCode: src?.creditCode ?? '',
      class: r.sourceClass,
      classLabel: labelOf('supervision_class', r.sourceClass, lang),
      inspectionDate: r.inspectionDate!,
      outcome: r.outcome!,
      outcomeLabel: labelOf('inspection_outcome', r.outcome!, lang),
      nonCompliantItems: (r.results ?? [])
        .filter((x) => x.result === 'non_compliant')
        .map((x) => ({ itemCode: x.itemCode, name: itemNames.get(plan.agencyCode)!.get(x.itemCode) ?? null, note: x.note ?? null })),
      rectificationDueOn: r.rectification?.dueOn ?? null,
      publishedAt: r.publishedAt!,
    };
  });
}

/**
 * The outcome rules of an inspection record, shared by random inspections and joint-operation
 * tasks (one record type): a rectification only with `rectify`, a case only with `case`, and a
 * rectification due no earlier than the inspection.
 */
export function checkRecordOutcome(b: { outcome: string; rectification?: { dueOn: string } | null; case?: unknown }, date: string) {
  if (b.outcome === 'rectify' && !b.rectification) throw fieldError('body/rectification', 'is required when outcome is rectify');
  if (b.outcome !== 'rectify' && b.rectification) throw fieldError('body/rectification', 'is only for outcome rectify');
  if (b.outcome === 'case' && !b.case) throw fieldError('body/case', 'is required when outcome is case');
  if (b.outcome !== 'case' && b.case) throw fieldError('body/case', 'is only for outcome case');
  if (b.rectification && b.rectification.dueOn < date) throw fieldError('body/rectification/dueOn', 'is before the inspection date');
}
