/** Case search (keyset pages) and sync (change log with tombstones). */
import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { fieldError, notFound } from '../http/problem.js';
import { agencySubtree, getAgency } from '../reference/hierarchy.js';
import { caseChanges, caseMeasures, cases, pollutionSources } from './schema.js';
import { canRead, formerlyVisibleSql, visibleSql, type CaseRow, type Scope } from './visibility.js';
import { caseAccess, caseCoHandling } from './schema.js';
import { caseViews } from './service.js';
import { isSyncCursor } from './changes.js';
import { likeContains } from './sources.js';
import { PRE_DECISION } from './state.js';
import type { CaseQuery } from './schemas.js';

export type CaseQueryT = Static<typeof CaseQuery>;

const isSearchCursor = (v: any): v is { k: string; i: string } => v && typeof v === 'object' && typeof v.k === 'string' && typeof v.i === 'string';

const FILTERS = ['status', 'side', 'agencyCode', 'category', 'sourceId', 'creditCode', 'measureType', 'overdue', 'joint', 'registeredFrom', 'registeredTo', 'q', 'sort', 'cursor'] as const;

/** SQL for "currently overdue": deadline passed (flag set) and still before the decision. */
const overdueSql = (): SQL =>
  and(
    sql`${cases.overdueAt} is not null`,
    or(
      inArray(cases.status, [...PRE_DECISION]),
      and(eq(cases.status, 'suspended'), inArray(cases.suspendedFrom, [...PRE_DECISION])),
    ),
  )!;

export function searchCases(tx: Tx, scope: Scope, q: CaseQueryT) {
  const limit = q.limit ?? 50;
  const sortCol = q.sort === 'updatedAt' ? cases.updatedAt : cases.registeredAt;
  const conds: SQL[] = [visibleSql(scope)];
  if (q.status?.length) conds.push(inArray(cases.status, q.status));
  if (q.side) conds.push(eq(cases.side, q.side));
  if (q.agencyCode) {
    if (!getAgency(tx, q.agencyCode)) throw notFound('agency', q.agencyCode);
    conds.push(inArray(cases.leadAgencyCode, agencySubtree(tx, q.agencyCode)));
  }
  if (q.category) conds.push(eq(cases.category, q.category));
  if (q.sourceId) conds.push(eq(cases.sourceId, q.sourceId));
  if (q.creditCode)
    conds.push(inArray(cases.sourceId, tx.select({ id: pollutionSources.id }).from(pollutionSources).where(eq(pollutionSources.creditCode, q.creditCode))));
  if (q.measureType)
    conds.push(sql`exists (select 1 from ${caseMeasures} where ${and(eq(caseMeasures.caseId, cases.id), eq(caseMeasures.type, q.measureType))})`);
  if (q.overdue !== undefined) conds.push(q.overdue ? overdueSql() : sql`not (${overdueSql()})`);
  if (q.joint !== undefined) conds.push(eq(cases.joint, q.joint));
  if (q.registeredFrom) conds.push(gte(cases.registeredAt, new Date(q.registeredFrom).toISOString()));
  if (q.registeredTo) conds.push(lt(cases.registeredAt, new Date(q.registeredTo).toISOString()));
  if (q.registeredFrom && q.registeredTo && q.registeredTo <= q.registeredFrom) throw fieldError('querystring/registeredTo', 'must be after registeredFrom');
  if (q.q)
    conds.push(or(likeContains(cases.number, q.q), likeContains(cases.title, q.q), likeContains(cases.partyName, q.q), likeContains(cases.summary, q.q))!);
  const after = decodeCursor(q.cursor, isSearchCursor);
  if (after) conds.push(or(lt(sortCol, after.k), and(eq(sortCol, after.k), lt(cases.id, after.i)))!);
  const rows = tx
    .select()
    .from(cases)
    .where(and(...conds))
    .orderBy(desc(sortCol), desc(cases.id))
    .limit(limit + 1)
    .all();
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: caseViews(tx, kept),
    nextCursor: more ? encodeCursor({ k: q.sort === 'updatedAt' ? last.updatedAt : last.registeredAt, i: last.id }) : null,
  };
}

/**
 * Sync: changes after the cursor, in change order, each case once at its latest state; cases that
 * left the caller's view since the cursor come as tombstones. See changes.ts for why the cursor
 * never skips or repeats.
 */
export function syncCases(tx: Tx, scope: Scope, q: CaseQueryT) {
  const used = FILTERS.filter((f) => q[f] !== undefined && !(f === 'sort' && q.sort === 'registeredAt'));
  if (used.length) throw fieldError(`querystring/${used[0]}`, 'cannot be combined with updatedSince (sync returns every change you may see)');
  const limit = q.limit ?? 50;
  const from = q.updatedSince === '0' ? 0 : decodeCursor(q.updatedSince, isSyncCursor, 'querystring/updatedSince')!.s;
  const rows = tx
    .select({ seq: caseChanges.seq, c: cases })
    .from(caseChanges)
    .innerJoin(cases, eq(cases.id, caseChanges.caseId))
    .where(and(sql`${caseChanges.seq} > ${from}`, or(visibleSql(scope), formerlyVisibleSql(scope, from))))
    .orderBy(asc(caseChanges.seq))
    .limit(limit + 1)
    .all();
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const ids = kept.map((r) => r.c.id);
  const rel = new Map<string, { coHandling: string[]; access: string[] }>(ids.map((id) => [id, { coHandling: [], access: [] }]));
  if (ids.length) {
    for (const r of tx.select().from(caseCoHandling).where(inArray(caseCoHandling.caseId, ids)).all()) rel.get(r.caseId)!.coHandling.push(r.agencyCode);
    for (const r of tx.select().from(caseAccess).where(inArray(caseAccess.caseId, ids)).all()) rel.get(r.caseId)!.access.push(r.agencyCode);
  }
  const visible: CaseRow[] = kept.filter((r) => canRead(scope, r.c, rel.get(r.c.id)!)).map((r) => r.c);
  const views = new Map(caseViews(tx, visible).map((v) => [v.id, v]));
  const items = kept.map((r) => views.get(r.c.id) ?? { id: r.c.id, deleted: true as const });
  const lastSeq = kept.length ? kept[kept.length - 1].seq : from;
  return { items, nextCursor: encodeCursor({ s: lastSeq }), hasMore };
}
