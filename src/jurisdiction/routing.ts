import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Category } from '../domain/index.js';
import type { Deps } from '../deps.js';
import { getTeam, teamsOfAgency } from '../reference/teams.js';
import { agencyAncestors, agencyByAdminCode, getAgency, type Agency } from '../reference/hierarchy.js';
import type { RoutableSubject } from '../domain/routing.js';
import { routingRules } from './tables.js';
import { spatialService, type Resolution } from './spatial-index.js';
import { otherSide, type Side } from '../domain/index.js';

/** Why a team was chosen. */
export type Via = 'rule' | 'category' | 'ancestor' | 'triage';

export interface TeamChoice {
  teamId: string;
  agencyCode: string;
  side: Side;
  via: Exclude<Via, 'triage'>;
}

/** Where one assignment goes: a team, or the 12369 center's triage (all null). */
export interface Target {
  teamId: string | null;
  agencyCode: string | null;
  side: Side | null;
  via: string;
  /** The area this target was found through (owner area, or the other side's area). */
  areaId: string | null;
}

export interface RoutingPlan {
  lead: Target;
  coHandling: Target | null;
  resolution: Resolution | null;
  joint: boolean;
  areaId: string | null;
  gridId: string | null;
}

export const TRIAGE: Target = { teamId: null, agencyCode: null, side: null, via: 'triage', areaId: null };
export const isTriage = (t: { teamId: string | null }) => t.teamId === null;

export const ruleScope = (r: { areaId?: string | null; agencyCode?: string | null }) => (r.areaId ? `area:${r.areaId}` : `agency:${r.agencyCode}`);

function ruleTeam(tx: Tx, scope: string, category: string): TeamChoice | null {
  const rule = tx
    .select({ teamId: routingRules.teamId })
    .from(routingRules)
    .where(and(eq(routingRules.scope, scope), eq(routingRules.category, category as Category)))
    .get();
  const team = rule && getTeam(tx, rule.teamId);
  const agency = team && getAgency(tx, team.agencyCode);
  return team && agency ? { teamId: team.id, agencyCode: team.agencyCode, side: agency.side, via: 'rule' } : null;
}

/** Teams of one agency handling the category, oldest first (deterministic). */
export function teamsFor(tx: Tx, agencyCode: string, category: string) {
  return teamsOfAgency(tx, agencyCode).filter((t) => Array.isArray(t.categories) && t.categories.includes(category));
}

/**
 * Picks the team for a category in an agency: an explicit rule on one of `areaIds` (most
 * specific first) wins; then, walking from the agency up its ancestors on the same side, at each
 * level an explicit agency rule, else the agency's first team whose categories include the
 * category. null = nobody on the chain handles it (the caller sends it to triage).
 */
export function pickTeam(tx: Tx, agencyCode: string, category: string, areaIds: string[] = []): TeamChoice | null {
  for (const id of areaIds) {
    const r = ruleTeam(tx, `area:${id}`, category);
    if (r) return r;
  }
  const agency = getAgency(tx, agencyCode);
  if (!agency) return null;
  const chain: Agency[] = [agency, ...agencyAncestors(tx, agencyCode).filter((a) => a.side === agency.side)];
  for (let i = 0; i < chain.length; i++) {
    const a = chain[i];
    const r = ruleTeam(tx, `agency:${a.code}`, category);
    if (r) return r;
    const t = teamsFor(tx, a.code, category)[0];
    if (t) return { teamId: t.id, agencyCode: a.code, side: a.side, via: i === 0 ? 'category' : 'ancestor' };
  }
  return null;
}

const toTarget = (c: TeamChoice | null, areaId: string | null): Target => (c ? { ...c, areaId } : TRIAGE);

/**
 * Decides where a subject goes (pure: reads only). Lead: the case's lead agency, else the owner of
 * the place, else the agency of the admin code; its team by pickTeam; else triage. A place within
 * the joint buffer of the other side's area adds a co-handling target on that side.
 */
export function planRouting(tx: Tx, deps: Deps, subject: RoutableSubject): RoutingPlan {
  let location = subject.location ?? null;
  let sourceAgency: string | null = null;
  if (!location && subject.sourceId) {
    const src = deps.services.sourceLocator?.(tx, subject.sourceId) ?? null;
    location = src?.location ?? null;
    sourceAgency = src?.agencyCode ?? null;
  }
  const spatial = spatialService(deps);
  const resolution = location ? spatial.resolve(location.lat, location.lng) : null;
  const containingIds = (side: Side) => (resolution?.containing ?? []).filter((a) => a.side === side).map((a) => a.id);

  let lead: Target = TRIAGE;
  let leadSide: Side | null = null;
  if (subject.leadAgencyCode) {
    const agency = getAgency(tx, subject.leadAgencyCode);
    if (agency) {
      leadSide = agency.side;
      const sameSideArea = resolution?.containing.find((a) => a.side === agency.side && a.kind !== 'protected')?.id ?? null;
      lead = toTarget(pickTeam(tx, agency.code, subject.category, containingIds(agency.side)), sameSideArea);
    }
  } else if (resolution?.agencyCode && resolution.side) {
    leadSide = resolution.side;
    lead = toTarget(pickTeam(tx, resolution.agencyCode, subject.category, containingIds(resolution.side)), resolution.areaId);
  } else if (!location) {
    const agency = sourceAgency ? getAgency(tx, sourceAgency) : subject.adminCode ? agencyByAdminCode(tx, subject.adminCode) : undefined;
    if (agency) {
      leadSide = agency.side;
      lead = toTarget(pickTeam(tx, agency.code, subject.category), null);
    }
  }

  let coHandling: Target | null = null;
  let joint = false;
  if (resolution && location && leadSide) {
    const other = otherSide(leadSide);
    const inside = new Set(resolution.containing.map((a) => a.id));
    const near = spatial.current().nearby(location.lat, location.lng, deps.config.jointBufferMeters, (a) => a.side === other, inside);
    joint = near.length > 0;
    if (joint) {
      const area = near[0];
      const ids = [...new Set([...containingIds(other), area.areaId])];
      const choice = pickTeam(tx, area.agencyCode, subject.category, ids);
      if (choice && choice.teamId !== lead.teamId) coHandling = toTarget(choice, area.areaId);
    }
  }
  return { lead, coHandling, resolution, joint, areaId: resolution?.areaId ?? null, gridId: resolution?.gridId ?? null };
}
