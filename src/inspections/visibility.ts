/**
 * Who may see and do what in random inspections. One policy per action. A caller who may not see
 * a thing gets 404; one who sees it but may not act gets 403 naming why.
 */
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { forbidden, notFound } from '../http/problem.js';
import { agencySubtree } from '../reference/hierarchy.js';
import { startOfChinaDay } from '../calendar.js';
import { inspectionPlans, inspections, inspectors } from './tables.js';

export type PlanRow = typeof inspectionPlans.$inferSelect;
export type InspectionRow = typeof inspections.$inferSelect;
export type InspectorRow = typeof inspectors.$inferSelect;

/** Admins, and supervisors of the agency or an agency above it. */
export function manages(tx: Tx, p: Principal, agencyCode: string): boolean {
  if (p.role === 'admin') return true;
  return p.role === 'supervisor' && !!p.agencyCode && agencySubtree(tx, p.agencyCode).includes(agencyCode);
}

// ---- checklist

export function assertMayCreateItem(tx: Tx, p: Principal, agencyCode: string) {
  if (!manages(tx, p, agencyCode)) throw forbidden(`Only admins and supervisors of ${agencyCode} (or above) add its checklist items.`);
}

// ---- roster: visible only to the officer's agency's supervisors (and those above) and admins

export function loadInspectorFor(tx: Tx, p: Principal, id: string): InspectorRow {
  const r = tx.select().from(inspectors).where(eq(inspectors.id, id)).get();
  if (!r || !manages(tx, p, r.agencyCode)) throw notFound('inspector', id);
  return r;
}

export function assertMayAddInspector(tx: Tx, p: Principal, agencyCode: string) {
  if (!manages(tx, p, agencyCode)) throw forbidden(`Only admins and supervisors of ${agencyCode} (or above) add officers to its roster.`);
}

/** The roster entries linked to the caller's key (an inspector sees his own tasks through them). */
export function officerIdsOf(tx: Tx, p: Principal): string[] {
  if (p.role !== 'inspector') return [];
  return tx
    .select({ id: inspectors.id })
    .from(inspectors)
    .where(and(eq(inspectors.keyId, p.keyId)))
    .all()
    .map((r) => r.id);
}

// ---- plans

/** full: admins and the plan agency's own supervisors (see the draw); party: supervisors of a party agency; none. */
export function planAccess(p: Principal, plan: PlanRow): 'full' | 'party' | 'none' {
  if (p.role === 'admin') return 'full';
  if (p.role !== 'supervisor' || !p.agencyCode) return 'none';
  if (p.agencyCode === plan.agencyCode) return 'full';
  if (plan.parties.some((x) => x.agencyCode === p.agencyCode)) return 'party';
  return 'none';
}

export function loadPlanFor(tx: Tx, p: Principal, id: string): { plan: PlanRow; access: 'full' | 'party' } {
  const plan = tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, id)).get();
  const access = plan ? planAccess(p, plan) : 'none';
  if (!plan || access === 'none') throw notFound('inspection plan', id);
  return { plan, access };
}

export function assertMayCreatePlan(p: Principal, agencyCode: string) {
  if (p.role === 'admin') return;
  if (p.role !== 'supervisor' || p.agencyCode !== agencyCode) throw forbidden(`Only supervisors of ${agencyCode} create its inspection plans.`);
}

/** Commitments and reveals: a party agency's own supervisor (or an admin acting for it). */
export function assertActsForParty(p: Principal, plan: PlanRow, agencyCode: string) {
  if (!plan.parties.some((x) => x.agencyCode === agencyCode))
    throw forbidden(`Agency ${agencyCode} is not a party of plan ${plan.id} (parties: ${plan.parties.map((x) => x.agencyCode).join(', ')}).`);
  if (p.role !== 'admin' && p.agencyCode !== agencyCode) throw forbidden(`Only a supervisor of ${agencyCode} commits and reveals its secret.`);
}

// ---- inspections

export type InspectionAccess = 'supervisor' | 'officer' | 'none';

/**
 * supervisor: admins and the plan agency's supervisors; officer: an inspector whose roster entry
 * was drawn for it, once the period has started; none for everyone else (404).
 */
export function inspectionAccess(p: Principal, plan: PlanRow, i: InspectionRow, myOfficerIds: string[], now: Date): InspectionAccess {
  if (planAccess(p, plan) === 'full') return 'supervisor';
  if (p.role === 'inspector' && now.getTime() >= startOfChinaDay(plan.periodFrom).getTime() && i.officers.some((o) => myOfficerIds.includes(o)))
    return 'officer';
  return 'none';
}

export function loadInspectionFor(
  tx: Tx,
  p: Principal,
  id: string,
  now: Date,
): { i: InspectionRow; plan: PlanRow; access: Exclude<InspectionAccess, 'none'>; mine: string[] } {
  const i = tx.select().from(inspections).where(eq(inspections.id, id)).get();
  if (!i) throw notFound('inspection', id);
  const plan = tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, i.planId)).get()!;
  const mine = officerIdsOf(tx, p);
  const access = inspectionAccess(p, plan, i, mine, now);
  if (access === 'none') throw notFound('inspection', id);
  return { i, plan, access, mine };
}

/** Recording: a drawn officer of it, or the plan agency's supervisors; every officer present must have been drawn. */
export function assertMayRecord(i: InspectionRow, officersPresent: string[]) {
  const notDrawn = officersPresent.filter((o) => !i.officers.includes(o));
  if (notDrawn.length)
    throw forbidden(`Officer(s) ${notDrawn.join(', ')} were not drawn for this inspection; only the drawn officers (${i.officers.join(', ')}) inspect it.`);
}

export function assertMayApprove(access: InspectionAccess) {
  if (access !== 'supervisor') throw forbidden('Only a supervisor of the plan agency approves a result for publication.');
}
