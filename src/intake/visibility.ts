import { and, eq, exists, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Tx } from '../db/client.js';
import { seesAll, type Principal } from '../auth/principal.js';
import { agencySubtree, isAbove } from '../reference/hierarchy.js';
import { addressedTo } from '../outbox/index.js';
import { partnerKeys } from '../events/visibility.js';
import { holdsOpenLead, wasAssigned } from '../assignments/service.js';
import type { Denial } from '../http/problem.js';
import { complaints } from './tables.js';

/**
 * Who sees which complaint:
 * - intake, admin: every complaint (and only they see reporter fields);
 * - supervisor: complaints whose lead agency is in their agency's subtree, or with an assignment
 *   (co-handling, or an earlier one before a re-route) to an agency of their subtree;
 * - inspector: complaints with an assignment (lead or co-handling, any status) to their team, and
 *   (read-only) complaints led by or assigned to their agency;
 * - partner: the complaints their key created and, with the `complaints` scope, those of its
 *   audience (side, agency subtree, all) — exactly the complaints its event feed shows;
 * - a duplicate is visible to whoever sees its master.
 * Anyone else gets 404, as if the complaint did not exist.
 */
type ComplaintTable = typeof complaints;

function ownCondition(tx: Tx, p: Principal, c: ComplaintTable, sub: string[]): SQL | undefined {
  if (p.role === 'partner') {
    // what it created, and — with the complaints scope — the complaints whose events were
    // addressed to its audience: the same keys its event feed uses (partnerKeys), so it sees an
    // event if and only if it may GET the complaint
    const keys = partnerKeys(tx, { audience: p.audience ?? null, scopes: p.scopes ?? null, side: p.side, agencyCode: p.agencyCode });
    return keys.length ? or(eq(c.createdByKeyId, p.keyId), addressedTo('complaints/', c.id, keys)) : eq(c.createdByKeyId, p.keyId);
  }
  if (p.role === 'supervisor') {
    if (!sub.length) return sql`0`;
    return or(inArray(c.agencyCode, sub), wasAssigned(tx, 'complaint', c.id, { agencyCodes: sub }));
  }
  if (p.role === 'inspector') {
    if (!p.teamId || !p.agencyCode) return sql`0`;
    // Its team's complaints, and (read-only) those led by or assigned to its own agency: complaint
    // events are addressed to the agency, so an inspector sees an event iff it may GET the complaint.
    return or(
      eq(c.agencyCode, p.agencyCode),
      wasAssigned(tx, 'complaint', c.id, { teamId: p.teamId }),
      wasAssigned(tx, 'complaint', c.id, { agencyCodes: [p.agencyCode] }),
    );
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

// ───────────────────────── who may act (one rule per action) ─────────────────────────

/** Actions on a complaint that belong to its handlers rather than to the 12369 center alone. */
export type HandlerAction = 'reply' | 'start' | 'extend';

/**
 * The one authorization rule per complaint action, asked by the HTTP actions, jobs and the CLI
 * alike. Visibility comes first (404 when `canSee` is false); this answers the visible case:
 * - intake and admin may take every action;
 * - `reply`: the lead team that claimed the open lead assignment (its inspectors), or a
 *   supervisor of that assignment's agency or an agency above it;
 * - `start`: the team of the open lead assignment (pending or claimed), or those supervisors;
 * - `extend`: those supervisors (the extension needs the agency head's approval);
 * - everything else (accept, reject, transfer, feedback, close, merge, unlink) is the center's,
 *   refused to other roles before the resource is read.
 * A team whose assignment was declined, superseded or cancelled keeps read access (it was
 * assigned) and loses every write: it no longer holds an open lead. A duplicate is acted on
 * through its master's lead. Returns null when allowed.
 */
export function mayActOnComplaint(tx: Tx, p: Principal, row: { id: string; duplicateOf: string | null }, action: HandlerAction): Denial | null {
  if (seesAll(p)) return null;
  const subject = row.duplicateOf ?? row.id;
  if (p.role === 'supervisor') {
    if (holdsOpenLead(tx, p, 'complaint', subject)) return null;
    return {
      rule: `${action}:lead-agency-supervisor`,
      detail: `Only supervisors of the agency holding this complaint's open lead assignment (or above it) may ${action} it.`,
    };
  }
  if (p.role === 'inspector' && action !== 'extend') {
    const claimed = action === 'reply';
    if (holdsOpenLead(tx, p, 'complaint', subject, { claimed })) return null;
    return {
      rule: `${action}:lead-team`,
      detail: claimed
        ? 'Only the team that claimed the open lead assignment replies to this complaint (a declined, superseded or cancelled assignment gives no right to act).'
        : 'Only the team of the open lead assignment may start work on this complaint.',
    };
  }
  return { rule: `${action}:role`, detail: `A ${p.role} key may not ${action} complaints.` };
}

/**
 * Who gives a review (复查) or re-review (复核) opinion: the reviewing agency (信访工作条例 arts.
 * 35–36) — its supervisors or those of an agency above it — and intake/admin recording it for
 * them. The handling agency's own people may not review their own answer.
 */
export function mayGiveReviewOpinion(tx: Tx, p: Principal, reviewAgencyCode: string | null): Denial | null {
  if (seesAll(p)) return null;
  const rule = 'review-opinion:reviewing-agency';
  if (p.role === 'supervisor' && p.agencyCode && reviewAgencyCode && (p.agencyCode === reviewAgencyCode || isAbove(tx, p.agencyCode, reviewAgencyCode)))
    return null;
  return {
    rule,
    detail: `Only supervisors of the reviewing agency${reviewAgencyCode ? ` (${reviewAgencyCode})` : ''} or above it give the review opinion; the handling agency does not review its own answer.`,
  };
}
