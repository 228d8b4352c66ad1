/**
 * Case search (keyset pages) and sync (change log with tombstones).
 *
 * How a page is read at scale (issue 6: 1,000,000 cases, p99 under 20 ms, plans on indexes;
 * bench/cases.ts). A page is the first `limit + 1` matching rows in sort order, and SQLite reads
 * that cheaply only when one index yields the rows in that order. A list of lead agencies (`IN`,
 * from an agency subtree or a caller's view) or the visibility OR (lead agency, co-handling,
 * cross-filing) does not: SQLite then sorts every match, or walks every case checking
 * visibility. So for an agency-bound caller, or an agency filter, the page is merged from
 * "arms", each an ordered index walk that stops after `limit + 1` rows: one per lead agency
 * (cases(lead_agency_code, key); per status too when a few are asked for), one per co-handling
 * agency and one per cross-filed agency (case_co_handling and case_access keep copies of the
 * case's filterable fields and sort keys, so those walks never read the case rows). The union's
 * first `limit + 1` rows are exactly the page; other filters are checked on the rows each arm
 * walks. When the lead agencies are a whole side (a top agency's view; an admin's filter on a
 * top agency), or a source is named (few cases per source), one query on the sort (or source)
 * index checks the rest row by row instead: most rows qualify. A text (`q`) that few cases
 * contain is looked up in the trigram index (text-search.ts) and those rows sorted.
 */
import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { fieldError, notFound } from '../http/problem.js';
import { agencySubtree, getAgency } from '../reference/hierarchy.js';
import { agencySides } from '../reference/hierarchy.js';
import { caseAccess, caseChanges, caseCoHandling, caseFormerAgencies, caseMeasures, cases, pollutionSources, type CaseStatus } from './tables.js';
import { canRead, formerlyVisibleSql, visibleSql, type CaseRow, type Scope } from './visibility.js';
import { caseViews } from './service.js';
import { isSyncCursor } from './changes.js';
import { likeContains } from './sources.js';
import { PRE_DECISION } from './state.js';
import { CASES_FTS, ftsPhrase, indexableText } from './text-search.js';
import type { CaseQuery } from './schemas.js';

export type CaseQueryT = Static<typeof CaseQuery>;

const isSearchCursor = (v: any): v is { k: string; i: string } => v && typeof v === 'object' && typeof v.k === 'string' && typeof v.i === 'string';

const FILTERS = [
  'status',
  'side',
  'agencyCode',
  'category',
  'sourceId',
  'creditCode',
  'measureType',
  'overdue',
  'joint',
  'registeredFrom',
  'registeredTo',
  'q',
  'sort',
  'cursor',
] as const;

/** `col IN (…)` that the planner may not drive an index with (a check on rows read otherwise). */
const checkIn = (col: SQLWrapper, values: string[]): SQL =>
  sql`+${col} in (${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`;

/** The columns filters read: the case's own, or the copies on its case_co_handling and case_access rows. */
interface FilterCols {
  id: AnySQLiteColumn;
  status: AnySQLiteColumn;
  side: AnySQLiteColumn;
  category: AnySQLiteColumn;
  sourceId: AnySQLiteColumn;
  overdueAt: AnySQLiteColumn;
  suspendedFrom: AnySQLiteColumn;
  joint: AnySQLiteColumn;
  registeredAt: AnySQLiteColumn;
}
const CASE_COLS: FilterCols = cases;
type Filter = (c: FilterCols) => SQL;

/**
 * SQL for "currently overdue": deadline passed (flag set) and still before the decision. The
 * status checks are not index terms (`+`): the partial indexes on overdue cases serve this in
 * sort order, where the status index would fetch every open case and sort them.
 */
const overdueSql = (c: FilterCols): SQL =>
  and(
    sql`${c.overdueAt} is not null`,
    or(checkIn(c.status, [...PRE_DECISION]), and(sql`+${c.status} = 'suspended'`, checkIn(c.suspendedFrom, [...PRE_DECISION]))),
  )!;

export function searchCases(tx: Tx, scope: Scope, q: CaseQueryT) {
  const limit = q.limit ?? 50;
  const byUpdate = q.sort === 'updatedAt';
  /** Filters on fields co-handling and access rows copy (see FilterCols); `text` needs the case row. */
  const filters: Filter[] = [];
  let text: SQL | undefined;
  let leadIn: string[] | undefined;
  if (q.status?.length) filters.push((c) => inArray(c.status, q.status!));
  if (q.side) filters.push((c) => eq(c.side, q.side!));
  if (q.agencyCode) {
    if (!getAgency(tx, q.agencyCode)) throw notFound('agency', q.agencyCode);
    leadIn = agencySubtree(tx, q.agencyCode);
  }
  if (q.category) filters.push((c) => eq(c.category, q.category!));
  if (q.sourceId) filters.push((c) => eq(c.sourceId, q.sourceId!));
  if (q.creditCode)
    filters.push((c) =>
      inArray(c.sourceId, tx.select({ id: pollutionSources.id }).from(pollutionSources).where(eq(pollutionSources.creditCode, q.creditCode!))),
    );
  if (q.measureType)
    filters.push((c) => sql`exists (select 1 from ${caseMeasures} where ${and(eq(caseMeasures.caseId, c.id), eq(caseMeasures.type, q.measureType!))})`);
  if (q.overdue !== undefined) filters.push((c) => (q.overdue ? overdueSql(c) : sql`not (${overdueSql(c)})`));
  if (q.joint !== undefined) filters.push((c) => eq(c.joint, q.joint!));
  if (q.registeredFrom) filters.push((c) => gte(c.registeredAt, new Date(q.registeredFrom!).toISOString()));
  if (q.registeredTo) filters.push((c) => lt(c.registeredAt, new Date(q.registeredTo!).toISOString()));
  if (q.registeredFrom && q.registeredTo && q.registeredTo <= q.registeredFrom) throw fieldError('querystring/registeredTo', 'must be after registeredFrom');
  if (q.q) text = or(likeContains(cases.number, q.q), likeContains(cases.title, q.q), likeContains(cases.partyName, q.q), likeContains(cases.summary, q.q))!;
  const after = decodeCursor(q.cursor, isSearchCursor);
  const rows = readPage(tx, scope, {
    filters,
    text,
    textIn: q.q ? fewContaining(tx, q.q) : undefined,
    leadIn,
    after,
    byUpdate,
    n: limit + 1,
    bySource: !!(q.sourceId || q.creditCode),
    side: q.side,
    statuses: q.status,
    overdue: q.overdue === true,
  });
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: caseViews(tx, kept),
    nextCursor: more ? encodeCursor({ k: byUpdate ? last.updatedAt : last.registeredAt, i: last.id }) : null,
  };
}

/** Up to this many cases containing the text are read from the text index and sorted. */
const TEXT_CANDIDATES = 3000;

/**
 * When few cases contain the text (at most TEXT_CANDIDATES, by the trigram index): a condition
 * "the case row is one of them". Otherwise (a short or common text) undefined: walking the sort
 * order and checking the text finds a page quickly.
 */
function fewContaining(tx: Tx, text: string): SQL | undefined {
  if (!indexableText(text)) return undefined;
  const fts = sql.identifier(CASES_FTS);
  const rowids = tx.all<{ r: number }>(sql`select rowid as r from ${fts} where ${fts} match ${ftsPhrase(text)} limit ${TEXT_CANDIDATES + 1}`).map((x) => x.r);
  return rowids.length <= TEXT_CANDIDATES ? sql`${cases}.rowid in (select value from json_each(${JSON.stringify(rowids)}))` : undefined;
}

interface PageSpec {
  /** Every filter but the lead agency subtree and the text. */
  filters: Filter[];
  /** The text filter (on the case row). */
  text?: SQL;
  /** Few cases contain the text: the rows to read (fewContaining). */
  textIn?: SQL;
  /** Lead agency subtree filter. */
  leadIn?: string[];
  after?: { k: string; i: string };
  byUpdate: boolean;
  /** Rows wanted: limit + 1. */
  n: number;
  bySource: boolean;
  side?: 'region' | 'corps';
  statuses?: CaseStatus[];
  overdue: boolean;
}

const idx = (name: string) => sql`indexed by ${sql.identifier(name)}`;

/** The codes are every agency of one side. */
function isWholeSide(sides: Map<string, string>, codes: string[]): boolean {
  const side = sides.get(codes[0]);
  if (!side) return false;
  const set = new Set(codes);
  for (const [code, s] of sides) if ((s === side) !== set.has(code)) return false;
  return true;
}

/** The first `n` visible cases matching the filters, newest first by the sort key. */
function readPage(tx: Tx, scope: Scope, p: PageSpec): CaseRow[] {
  const sortCol = p.byUpdate ? cases.updatedAt : cases.registeredAt;
  const conds = [...p.filters.map((f) => f(CASE_COLS)), ...(p.text ? [p.text] : [])];
  const after = p.after ? [sql`(${sortCol}, ${cases.id}) < (${p.after.k}, ${p.after.i})`] : [];
  const single = (extra: SQL[]) =>
    tx
      .select()
      .from(cases)
      .where(and(...extra, ...conds, ...after))
      .orderBy(desc(sortCol), desc(cases.id))
      .limit(p.n)
      .all();
  const leadCheck = p.leadIn ? [checkIn(cases.leadAgencyCode, p.leadIn)] : [];
  // Few cases contain the text: read just those (by rowid, no other index), check the rest, sort.
  if (p.textIn)
    return byIds(
      tx,
      tx
        .all<{ id: string }>(
          sql`select ${cases.id} as id from ${cases} not indexed where ${and(p.textIn, visibleSql(scope), ...leadCheck, ...conds, ...after)} order by ${sortCol} desc, ${cases.id} desc limit ${p.n}`,
        )
        .map((r) => r.id),
    );
  // A named source has few cases: its index, then the rest checked row by row.
  if (p.bySource || scope.kind === 'none' || scope.kind === 'partner') return single([visibleSql(scope), ...leadCheck]);

  let leadArms: string[];
  /** Co-handling and cross-filing arms (agency callers): their agencies, and the lead agencies they may yield. */
  let rel: { agencies: string[]; leadIn?: string[] } | null = null;
  if (scope.kind === 'all') {
    if (!p.leadIn) return single([]);
    leadArms = p.leadIn;
  } else if (!p.leadIn) {
    // A top agency sees its whole side: most cases qualify, walk the sort index.
    if (scope.up.length === 0) return single([visibleSql(scope)]);
    leadArms = scope.leadView;
    rel = { agencies: scope.down };
  } else {
    // Lead agencies in the caller's view need no other check; cases led elsewhere are visible
    // only through co-handling or cross-filing.
    leadArms = p.leadIn.filter((c) => scope.leadView.includes(c));
    const outside = p.leadIn.filter((c) => !scope.leadView.includes(c));
    if (outside.length) rel = { agencies: scope.down, leadIn: outside };
  }
  const sides = agencySides(tx);
  // A case's side is its lead agency's: other-side lead agencies cannot match a side filter.
  if (p.side) leadArms = leadArms.filter((c) => sides.get(c) === p.side);
  if (!rel && leadArms.length && isWholeSide(sides, leadArms)) return single([visibleSql(scope), checkIn(cases.leadAgencyCode, leadArms)]);

  const { n } = p;
  const arms: SQL[] = [];
  // Lead agencies: one walk per agency, or per agency and status when a few statuses are asked for.
  const statuses = p.statuses?.length && p.statuses.length <= 4 && !p.byUpdate && !p.overdue ? p.statuses : [undefined];
  const leadIndex = p.byUpdate
    ? 'cases_lead_updated'
    : p.overdue
      ? 'cases_lead_overdue_registered'
      : statuses[0]
        ? 'cases_lead_status_registered'
        : 'cases_lead_registered';
  for (const code of leadArms)
    for (const status of statuses)
      arms.push(
        sql`select * from (select ${cases.id} as id, ${sortCol} as k from ${cases} ${idx(leadIndex)} where ${and(eq(cases.leadAgencyCode, code), ...(status ? [eq(cases.status, status)] : []), ...conds, ...after)} order by ${sortCol} desc, ${cases.id} desc limit ${n})`,
      );
  if (rel) {
    // Co-handled and cross-filed cases: the filters read the copies on those rows (small tables);
    // the case row only for the text filter.
    for (const [t, name] of [
      [caseCoHandling, 'case_co_handling'],
      [caseAccess, 'case_access'],
    ] as const) {
      const cols: FilterCols = { ...t, id: t.caseId };
      const key = p.byUpdate ? t.updatedAt : t.registeredAt;
      const relConds = [...(rel.leadIn ? [checkIn(t.leadAgencyCode, rel.leadIn)] : []), ...p.filters.map((f) => f(cols)), ...(p.text ? [p.text] : [])];
      const relAfter = p.after ? [sql`(${key}, ${t.caseId}) < (${p.after.k}, ${p.after.i})`] : [];
      const join = p.text ? sql` cross join ${cases} on ${cases.id} = ${t.caseId}` : sql``;
      for (const code of rel.agencies)
        arms.push(
          sql`select * from (select ${t.caseId} as id, ${key} as k from ${t} ${idx(`${name}_${p.byUpdate ? 'updated' : 'registered'}`)}${join} where ${and(eq(t.agencyCode, code), ...relConds, ...relAfter)} order by ${key} desc, ${t.caseId} desc limit ${n})`,
        );
    }
  }
  if (!arms.length) return [];
  const ids = tx.all<{ id: string; k: string }>(sql`${sql.join(arms, sql` union `)} order by k desc, id desc limit ${n}`).map((r) => r.id);
  return byIds(tx, ids);
}

/** The cases with these ids, in this order. */
function byIds(tx: Tx, ids: string[]): CaseRow[] {
  if (!ids.length) return [];
  const found = new Map(
    tx
      .select()
      .from(cases)
      .where(inArray(cases.id, ids))
      .all()
      .map((c) => [c.id, c]),
  );
  return ids.map((id) => found.get(id)!);
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
  const rows = changedSince(tx, scope, from, limit + 1);
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

/**
 * The first `n` changes after `from` of cases the scope sees or saw (tombstones), in seq order.
 * Admins, intake and top agencies (who see most cases) walk the log; other agencies merge arms
 * walking their own indexes (see the top of this file): the log by lead agency, and their
 * co-handled, cross-filed and former cases by seq (those tables keep a copy of the case's seq).
 */
function changedSince(tx: Tx, scope: Scope, from: number, n: number): { seq: number; c: CaseRow }[] {
  if (scope.kind !== 'agency' || scope.up.length === 0)
    return tx
      .select({ seq: caseChanges.seq, c: cases })
      .from(caseChanges)
      .innerJoin(cases, eq(cases.id, caseChanges.caseId))
      .where(and(sql`${caseChanges.seq} > ${from}`, or(visibleSql(scope), formerlyVisibleSql(scope, from))))
      .orderBy(asc(caseChanges.seq))
      .limit(n)
      .all();
  const cc = caseChanges;
  const f = caseFormerAgencies;
  const arms: SQL[] = [];
  for (const code of scope.leadView)
    arms.push(
      sql`select * from (select ${cc.seq} as seq, ${cc.caseId} as id from ${cc} ${idx('case_changes_lead')} where ${cc.leadAgencyCode} = ${code} and ${cc.seq} > ${from} order by ${cc.seq} limit ${n})`,
    );
  for (const t of [caseCoHandling, caseAccess])
    for (const code of scope.down)
      arms.push(
        sql`select * from (select ${t.changeSeq} as seq, ${t.caseId} as id from ${t} ${idx(t === caseAccess ? 'case_access_seq' : 'case_co_handling_seq')} where ${t.agencyCode} = ${code} and ${t.changeSeq} > ${from} order by ${t.changeSeq} limit ${n})`,
      );
  // Cases that left the view after the cursor (tombstones).
  const left = (code: string, relation: SQL) =>
    sql`select * from (select distinct ${f.changeSeq} as seq, ${f.caseId} as id from ${f} ${idx('case_former_agency')} where ${and(eq(f.agencyCode, code), sql`${f.changeSeq} > ${from}`, sql`${f.leftSeq} > ${from}`, relation)} order by ${f.changeSeq} limit ${n})`;
  for (const code of scope.leadView) arms.push(left(code, sql`${f.relation} = 'lead'`));
  for (const code of scope.down) arms.push(left(code, sql`${f.relation} <> 'lead'`));
  const page = tx.all<{ seq: number; id: string }>(sql`${sql.join(arms, sql` union `)} order by seq limit ${n}`);
  const rows = byIds(
    tx,
    page.map((r) => r.id),
  );
  return page.map((r, i) => ({ seq: r.seq, c: rows[i] }));
}
