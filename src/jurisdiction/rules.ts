import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Category } from '../domain/index.js';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import { getArea } from '../reference/areas.js';
import { getAgency } from '../reference/hierarchy.js';
import { getTeam } from '../reference/teams.js';
import { badRequest, conflict, notFound } from '../http/problem.js';
import { routingRules } from './tables.js';
import { ruleScope } from './routing.js';
import { afterKey } from '../db/keyset.js';

export type RuleRow = typeof routingRules.$inferSelect;

export interface NewRule {
  areaId?: string;
  agencyCode?: string;
  category: Category;
  teamId: string;
}

export function publicRule(r: RuleRow) {
  return { id: r.id, areaId: r.areaId, agencyCode: r.agencyCode, category: r.category, teamId: r.teamId, createdAt: r.createdAt };
}

/** Adds an explicit rule; exactly one of areaId/agencyCode; unknown references → 404; one rule per scope and category. */
export function createRule(tx: Tx, clock: Clock, r: NewRule, createdBy: string | null): RuleRow {
  if ((r.areaId === undefined) === (r.agencyCode === undefined))
    throw badRequest('Give exactly one of areaId or agencyCode.', [{ field: 'body/areaId', reason: 'exactly one of areaId or agencyCode is required' }]);
  if (r.areaId !== undefined && !getArea(tx, r.areaId)) throw notFound('area', r.areaId);
  if (r.agencyCode !== undefined && !getAgency(tx, r.agencyCode)) throw notFound('agency', r.agencyCode);
  if (!getTeam(tx, r.teamId)) throw notFound('team', r.teamId);
  const scope = ruleScope(r);
  const existing = tx
    .select()
    .from(routingRules)
    .where(and(eq(routingRules.scope, scope), eq(routingRules.category, r.category)))
    .get();
  if (existing)
    throw conflict('routing-rule-exists', `A rule for ${scope} and ${r.category} exists (${existing.id}); delete it first.`, { ruleId: existing.id });
  const row: RuleRow = {
    id: newId(),
    scope,
    areaId: r.areaId ?? null,
    agencyCode: r.agencyCode ?? null,
    category: r.category,
    teamId: r.teamId,
    createdAt: clock.now().toISOString(),
    createdBy,
  };
  tx.insert(routingRules).values(row).run();
  return row;
}

/** The rules scoped to an area (they are deleted with it). */
export function rulesOfArea(tx: Tx, areaId: string) {
  return tx
    .select()
    .from(routingRules)
    .where(eq(routingRules.areaId, areaId))
    .orderBy(routingRules.id)
    .all()
    .map((r) => ({ kind: 'routing-rule' as const, id: r.id, category: r.category, teamId: r.teamId }));
}

export function getRule(tx: Tx, id: string): RuleRow | undefined {
  return tx.select().from(routingRules).where(eq(routingRules.id, id)).get();
}

export function deleteRule(tx: Tx, id: string): boolean {
  return tx.delete(routingRules).where(eq(routingRules.id, id)).run().changes > 0;
}

export function listRules(
  tx: Tx,
  f: { areaId?: string; agencyCode?: string; category?: Category; teamId?: string },
  limit: number,
  after?: { c: string; i: string },
): RuleRow[] {
  const conds: (SQL | undefined)[] = [];
  if (f.areaId) conds.push(eq(routingRules.areaId, f.areaId));
  if (f.agencyCode) conds.push(eq(routingRules.agencyCode, f.agencyCode));
  if (f.category) conds.push(eq(routingRules.category, f.category));
  if (f.teamId) conds.push(eq(routingRules.teamId, f.teamId));
  if (after) conds.push(afterKey(routingRules.createdAt, routingRules.id, { value: after.c, id: after.i }, 'desc'));
  return tx
    .select()
    .from(routingRules)
    .where(and(...conds))
    .orderBy(desc(routingRules.createdAt), desc(routingRules.id))
    .limit(limit)
    .all();
}
