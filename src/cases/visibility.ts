/**
 * Who sees and who may change a case.
 *
 * An agency-bound key (supervisor, inspector) of agency A sees a case when
 *  - the lead agency is A, above A or below A (the lead agency's side hierarchy: the lead, its
 *    ancestors and its subtree), or
 *  - a co-handling agency of the case is A or below A (supervisors see their subtree), or
 *  - the case was cross-filed to (case_access) A or an agency below A, or
 *  - (GET of one case only, not lists or sync) an inspector's team holds a read grant
 *    (case_read_grants: a cross operation's visiting teams, for its window).
 * Admin and intake see every case. A partner key with the `cases` scope reads (never changes) the
 * cases whose events were addressed to its audience (side, agency subtree, all) — the same keys its
 * event feed uses, so it sees a case's events if and only if it may GET the case; other partners
 * get 404 on every case route.
 * Everyone else gets 404, never 403, so a case's existence does not leak.
 *
 * Changing a case (PATCH, transitions, measures, extensions) needs the lead agency to be A or
 * below A; notes and evidence may also come from co-handling agencies (and their supervisors).
 * Visible-but-not-allowed is a 403.
 */
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { hasScope, type Principal } from '../auth/principal.js';
import { addressedTo } from '../outbox/index.js';
import { principalPartnerKeys } from '../events/visibility.js';
import { agencyAncestors, agencySubtree } from '../reference/hierarchy.js';
import { denied, notFound } from '../http/problem.js';
import { caseAccess, caseCoHandling, caseFormerAgencies, caseReadGrants, cases } from './tables.js';

export type Scope =
  | { kind: 'all'; canWrite: boolean }
  | { kind: 'none' }
  /** `teamId`: an inspector's team, for read grants (caseReadGrants). */
  | { kind: 'agency'; agencyCode: string; down: string[]; up: string[]; leadView: string[]; teamId: string | null }
  /** A partner with the `cases` scope: `keys` are its `cases@…` audience keys; `sees` asks one case. */
  | { kind: 'partner'; keys: string[]; sees: (caseId: string) => boolean };

export type CaseRow = typeof cases.$inferSelect;

export function scopeOf(tx: Tx, p: Principal): Scope {
  if (p.role === 'admin') return { kind: 'all', canWrite: true };
  if (p.role === 'intake') return { kind: 'all', canWrite: false };
  if ((p.role === 'supervisor' || p.role === 'inspector') && p.agencyCode) {
    const down = agencySubtree(tx, p.agencyCode);
    const up = agencyAncestors(tx, p.agencyCode).map((a) => a.code);
    return { kind: 'agency', agencyCode: p.agencyCode, down, up, leadView: [...down, ...up], teamId: p.role === 'inspector' ? p.teamId : null };
  }
  if (p.role === 'partner' && hasScope(p, 'cases')) {
    const keys = principalPartnerKeys(tx, p, 'cases');
    if (!keys.length) return { kind: 'none' };
    const sees = (caseId: string) => !!tx.get(sql`select 1 as x where ${addressedTo('cases/', sql`${caseId}`, keys)}`);
    return { kind: 'partner', keys, sees };
  }
  return { kind: 'none' };
}

/** Partners (and unbound keys) see no case route at all. */
export function assertCaseRoutes(scope: Scope): asserts scope is Exclude<Scope, { kind: 'none' }> {
  if (scope.kind === 'none') throw notFound('resource');
}

/** SQL condition on `cases`: the case is visible in this scope (lists and sync; read grants are for GET of one case only). */
export function visibleSql(scope: Scope): SQL {
  if (scope.kind === 'all') return sql`1 = 1`;
  if (scope.kind === 'none') return sql`1 = 0`;
  if (scope.kind === 'partner') return addressedTo('cases/', cases.id, scope.keys);
  return or(
    inArray(cases.leadAgencyCode, scope.leadView),
    sql`exists (select 1 from ${caseCoHandling} where ${and(eq(caseCoHandling.caseId, cases.id), inArray(caseCoHandling.agencyCode, scope.down))})`,
    sql`exists (select 1 from ${caseAccess} where ${and(eq(caseAccess.caseId, cases.id), inArray(caseAccess.agencyCode, scope.down))})`,
  )!;
}

/** SQL condition: the case left this scope's view at a change after `afterSeq` (sync tombstones). */
export function formerlyVisibleSql(scope: Scope, afterSeq: number): SQL {
  if (scope.kind !== 'agency') return sql`1 = 0`;
  const f = caseFormerAgencies;
  return sql`exists (select 1 from ${f} where ${and(
    eq(f.caseId, cases.id),
    sql`${f.leftSeq} > ${afterSeq}`,
    or(and(eq(f.relation, 'lead'), inArray(f.agencyCode, scope.leadView)), and(sql`${f.relation} <> 'lead'`, inArray(f.agencyCode, scope.down))),
  )})`;
}

export interface Relations {
  coHandling: string[];
  access: string[];
  /** Teams with a read grant (a cross operation's visiting teams, for its window). */
  grantedTeams?: string[];
}

/** A case as stored, without a visibility check: for jobs and other capabilities' own checks. */
export function getCase(tx: Tx, id: string): CaseRow | undefined {
  return tx.select().from(cases).where(eq(cases.id, id)).get();
}

/** Agencies co-handling a case (联合办案). */
export function coHandlingAgencies(tx: Tx, caseId: string): string[] {
  return tx
    .select({ a: caseCoHandling.agencyCode })
    .from(caseCoHandling)
    .where(eq(caseCoHandling.caseId, caseId))
    .all()
    .map((r) => r.a);
}

export function relationsOf(tx: Tx, caseId: string): Relations {
  return {
    coHandling: coHandlingAgencies(tx, caseId),
    access: tx
      .select({ a: caseAccess.agencyCode })
      .from(caseAccess)
      .where(eq(caseAccess.caseId, caseId))
      .all()
      .map((r) => r.a),
    grantedTeams: tx
      .select({ t: caseReadGrants.teamId })
      .from(caseReadGrants)
      .where(eq(caseReadGrants.caseId, caseId))
      .all()
      .map((r) => r.t),
  };
}

export function canRead(scope: Scope, c: CaseRow, rel: Relations): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'none') return false;
  if (scope.kind === 'partner') return scope.sees(c.id);
  return (
    scope.leadView.includes(c.leadAgencyCode) ||
    rel.coHandling.some((a) => scope.down.includes(a)) ||
    rel.access.some((a) => scope.down.includes(a)) ||
    (!!scope.teamId && !!rel.grantedTeams?.includes(scope.teamId))
  );
}

export type Access = 'read' | 'contribute' | 'manage';

/**
 * Loads a case for the given kind of access: 404 when invisible, 403 when visible but the key may
 * not do this.
 */
export function loadCase(tx: Tx, scope: Scope, id: string, need: Access = 'read'): CaseRow {
  const c = getCase(tx, id);
  if (!c) throw notFound('case', id);
  const rel = relationsOf(tx, id);
  if (!canRead(scope, c, rel)) throw notFound('case', id);
  if (need === 'read') return c;
  if (scope.kind === 'all') {
    if (!scope.canWrite) throw denied('case:read-only-center', 'Intake keys may read cases but not change them.');
    return c;
  }
  if (scope.kind === 'partner') throw denied('case:read-only-partner', 'Partner keys read cases; they do not change them.');
  if (scope.kind !== 'agency') throw notFound('case', id);
  const manages = scope.down.includes(c.leadAgencyCode);
  if (need === 'manage' && !manages) throw denied('case:lead-agency', `Only the lead agency ${c.leadAgencyCode} (or an agency above it) may change this case.`);
  if (need === 'contribute' && !manages && !rel.coHandling.some((a) => scope.down.includes(a)))
    throw denied('case:lead-or-co-handling', 'Only the lead and co-handling agencies may add notes and evidence to this case.');
  return c;
}
