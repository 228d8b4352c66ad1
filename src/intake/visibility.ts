import { and, eq, exists, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Tx } from '../db/client.js';
import { seesAll, type Principal } from '../auth/principal.js';
import { agencySubtree } from '../reference/hierarchy.js';
import { wasAssigned } from '../assignments/service.js';
import { complaints } from './tables.js';

/**
 * Who sees which complaint:
 * - intake, admin: every complaint (and only they see reporter fields);
 * - supervisor: complaints whose lead agency is in their agency's subtree, or with an assignment
 *   (co-handling, or an earlier one before a re-route) to an agency of their subtree;
 * - inspector: complaints with an assignment (lead or co-handling, any status) to their team;
 * - partner: the complaints their key created;
 * - a duplicate is visible to whoever sees its master.
 * Anyone else gets 404, as if the complaint did not exist.
 */
type ComplaintTable = typeof complaints;

function ownCondition(tx: Tx, p: Principal, c: ComplaintTable, sub: string[]): SQL | undefined {
  if (p.role === 'partner') return eq(c.createdByKeyId, p.keyId);
  if (p.role === 'supervisor') {
    if (!sub.length) return sql`0`;
    return or(inArray(c.agencyCode, sub), wasAssigned(tx, 'complaint', c.id, { agencyCodes: sub }));
  }
  if (p.role === 'inspector') {
    if (!p.teamId) return sql`0`;
    return wasAssigned(tx, 'complaint', c.id, { teamId: p.teamId });
  }
  return sql`0`;
}

/** SQL condition on `complaints` restricting a list to what `p` may see (undefined = all). */
export function visibleWhere(tx: Tx, p: Principal): SQL | undefined {
  if (seesAll(p)) return undefined;
  const sub = p.role === 'supervisor' && p.agencyCode ? agencySubtree(tx, p.agencyCode) : [];
  const own = ownCondition(tx, p, complaints, sub);
  if (p.role === 'partner') return own;
  const m = alias(complaints, 'm');
  const viaMaster = exists(
    tx
      .select({ x: sql`1` })
      .from(m)
      .where(and(eq(m.id, complaints.duplicateOf), ownCondition(tx, p, m as unknown as ComplaintTable, sub))),
  );
  return or(own, and(isNotNull(complaints.duplicateOf), viaMaster));
}

export function canSee(tx: Tx, p: Principal, row: { id: string }): boolean {
  if (seesAll(p)) return true;
  const where = visibleWhere(tx, p);
  return !!tx
    .select({ id: complaints.id })
    .from(complaints)
    .where(and(eq(complaints.id, row.id), where))
    .get();
}
