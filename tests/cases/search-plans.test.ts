import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { caseApp, createCase, DEMO_POINTS, transition, walk, type CaseTest } from './helpers.js';
import { inTx, type Tx } from '../../src/db/client.js';
import type { Principal } from '../../src/auth/principal.js';
import { grantCaseAccess } from '../../src/cases/access.js';
import { searchCases, syncCases, type CaseQueryT } from '../../src/cases/search.js';
import { canRead, formerlyVisibleSql, relationsOf, scopeOf, visibleSql, type Scope } from '../../src/cases/visibility.js';
import { caseAccess, caseChanges, caseCoHandling, caseFormerAgencies, caseMeasures, cases, pollutionSources } from '../../src/cases/tables.js';
import { agencySubtree } from '../../src/reference/hierarchy.js';
import { likeContains } from '../../src/cases/sources.js';
import { PRE_DECISION } from '../../src/cases/state.js';
import { ensureCaseTextIndex } from '../../src/cases/text-search.js';

/**
 * Search and sync read pages by merging index walks (src/cases/search.ts) for speed at a million
 * cases. These tests check that every page equals what the plain definition gives: one query with
 * every filter and the visibility condition, ordered by the sort key — for every kind of caller,
 * each filter, both sort orders, across page boundaries, and with tied timestamps.
 */

/** The plain definition: every matching visible case, newest first (no paging). */
function reference(tx: Tx, scope: Scope, q: CaseQueryT): string[] {
  const sortCol = q.sort === 'updatedAt' ? cases.updatedAt : cases.registeredAt;
  const overdue = and(
    sql`${cases.overdueAt} is not null`,
    or(inArray(cases.status, [...PRE_DECISION]), and(eq(cases.status, 'suspended'), inArray(cases.suspendedFrom, [...PRE_DECISION]))),
  )!;
  const conds: SQL[] = [visibleSql(scope)];
  if (q.status?.length) conds.push(inArray(cases.status, q.status));
  if (q.side) conds.push(eq(cases.side, q.side));
  if (q.agencyCode) conds.push(inArray(cases.leadAgencyCode, agencySubtree(tx, q.agencyCode)));
  if (q.category) conds.push(eq(cases.category, q.category));
  if (q.sourceId) conds.push(eq(cases.sourceId, q.sourceId));
  if (q.creditCode)
    conds.push(inArray(cases.sourceId, tx.select({ id: pollutionSources.id }).from(pollutionSources).where(eq(pollutionSources.creditCode, q.creditCode))));
  if (q.measureType)
    conds.push(sql`exists (select 1 from ${caseMeasures} where ${and(eq(caseMeasures.caseId, cases.id), eq(caseMeasures.type, q.measureType))})`);
  if (q.overdue !== undefined) conds.push(q.overdue ? overdue : sql`not (${overdue})`);
  if (q.joint !== undefined) conds.push(eq(cases.joint, q.joint));
  if (q.registeredFrom) conds.push(gte(cases.registeredAt, new Date(q.registeredFrom).toISOString()));
  if (q.registeredTo) conds.push(lt(cases.registeredAt, new Date(q.registeredTo).toISOString()));
  if (q.q)
    conds.push(or(likeContains(cases.number, q.q), likeContains(cases.title, q.q), likeContains(cases.partyName, q.q), likeContains(cases.summary, q.q))!);
  return tx
    .select({ id: cases.id })
    .from(cases)
    .where(and(...conds))
    .orderBy(desc(sortCol), desc(cases.id))
    .all()
    .map((r) => r.id);
}

/** The plain definition of sync: changes after `from` the scope sees or saw, tombstones for the latter. */
function referenceSync(tx: Tx, scope: Scope, from: number): string[] {
  return tx
    .select({ c: cases })
    .from(caseChanges)
    .innerJoin(cases, eq(cases.id, caseChanges.caseId))
    .where(and(sql`${caseChanges.seq} > ${from}`, or(visibleSql(scope), formerlyVisibleSql(scope, from))))
    .orderBy(asc(caseChanges.seq))
    .all()
    .map((r) => (canRead(scope, r.c, relationsOf(tx, r.c.id)) ? r.c.id : `${r.c.id} deleted`));
}

describe('search and sync pages equal the plain query', () => {
  let t: CaseTest;
  const principals: Record<string, Principal> = {};
  let sourceId: string;
  const creditCode = '91350100M000100Y43';

  beforeAll(async () => {
    t = await caseApp();
    const p = (label: string, role: Principal['role'], agencyCode: string | null, side: Principal['side']): Principal => ({
      keyId: label,
      role,
      agencyCode,
      side,
      teamId: null,
    });
    Object.assign(principals, {
      admin: p('admin', 'admin', null, null),
      intake: p('intake', 'intake', null, null),
      changji: p('changji', 'inspector', '652301', 'region'),
      changjiPref: p('changjiPref', 'supervisor', '652300', 'region'),
      regionTop: p('regionTop', 'supervisor', '650000', 'region'),
      urumqi: p('urumqi', 'supervisor', '650100', 'region'),
      kuytun: p('kuytun', 'inspector', '654003', 'region'),
      d8: p('d8', 'supervisor', 'XPCC-D8', 'corps'),
      d6: p('d6', 'supervisor', 'XPCC-D6', 'corps'),
      d7: p('d7', 'supervisor', 'XPCC-D7', 'corps'),
      r121: p('r121', 'supervisor', 'XPCC-D8-R121', 'corps'),
      corpsTop: p('corpsTop', 'supervisor', 'XPCC', 'corps'),
      partner: p('partner', 'partner', null, null),
    });
    sourceId = (
      await t.req('admin', 'POST', '/v1/sources', {
        name: '昌吉热力',
        creditCode,
        side: 'region',
        agencyCode: '652301',
        location: DEMO_POINTS.changjiCenter,
        address: '昌吉市',
        industry: '热力',
      })
    ).json().id;
    // Old cases: they will pass their decision deadline.
    const old: string[] = [];
    old.push((await createCase(t, { title: 'Boiler smoke', sourceId })).id);
    old.push((await createCase(t, { title: 'Seam dust', location: DEMO_POINTS.seamNearShihezi })).id); // co-handled by XPCC-D8
    old.push((await createCase(t, { title: 'Urumqi noise', category: 'noise', leadAgencyCode: '650100', location: DEMO_POINTS.urumqiCenter }, 'admin')).id);
    old.push(
      (
        await createCase(
          t,
          { title: 'Shihezi dust', leadAgencyCode: 'XPCC-D8', location: DEMO_POINTS.shiheziCenter, coHandlingAgencyCodes: ['652300'] },
          'admin',
        )
      ).id,
    );
    await walk(t, old[3], ['investigating'], 'admin');
    await walk(t, old[1], ['investigating'], 'changjiInspector');
    t.clock.advanceDays(100);
    await t.app.runtime.settle(); // decision deadlines pass: overdue
    // Newer cases, several registered at the same instant (tied sort keys).
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createCase(t, { title: `tied ${i}`, category: i ? 'water' : 'air' })).id);
    ids.push((await createCase(t, { title: 'Regiment smoke', leadAgencyCode: 'XPCC-D8-R121', location: DEMO_POINTS.regiment121Center }, 'admin')).id);
    ids.push(
      (await createCase(t, { title: 'Kuytun waste', category: 'solid_waste', leadAgencyCode: '654003', location: DEMO_POINTS.kuytunCenter }, 'admin')).id,
    );
    ids.push((await createCase(t, { title: 'Huyanghe seam', leadAgencyCode: '654003', location: DEMO_POINTS.seamNearHuyanghe }, 'admin')).id);
    t.clock.advanceHours(2);
    ids.push(
      (
        await createCase(
          t,
          { title: 'Wujiaqu 印染 water', category: 'water', leadAgencyCode: 'XPCC-D6', location: DEMO_POINTS.wujiaquCenter, coHandlingAgencyCodes: ['652301'] },
          'admin',
        )
      ).id,
    );
    ids.push((await createCase(t, { title: 'D12 enclave', leadAgencyCode: 'XPCC-D12', location: DEMO_POINTS.d12Center }, 'admin')).id);
    ids.push((await createCase(t, { title: 'Urumqi seam', leadAgencyCode: '650100', location: DEMO_POINTS.seamNearD12 }, 'admin')).id);
    await t.app.runtime.settle(); // routing: joint places get their co-handling agency
    t.clock.advanceHours(1);
    // Changes: transitions, a transfer away and back, a suspension, measures, cross-filing.
    await walk(t, ids[0], ['investigating', 'pending_decision']);
    await walk(t, ids[1], ['investigating', 'suspended']);
    expect((await transition(t, ids[2], 'transferred', { reason: 'theirs', toAgencyCode: '654003' })).statusCode).toBe(200);
    expect((await transition(t, old[0], 'transferred', { reason: 'theirs', toAgencyCode: 'XPCC-D7' })).statusCode).toBe(200);
    await t.req('admin', 'POST', `/v1/cases/${ids[1]}/measures`, { type: 'seal_seizure', startsOn: '2026-06-10', endsOn: '2026-06-20' });
    await t.req('admin', 'POST', `/v1/cases/${old[3]}/measures`, { type: 'warning', legalBasis: '《大气污染防治法》' });
    inTx(t.app.deps.db, (tx) => grantCaseAccess(tx, t.clock, { caseId: ids[4], agencyCode: 'XPCC-D7', reason: 'filing:a' }));
    inTx(t.app.deps.db, (tx) => grantCaseAccess(tx, t.clock, { caseId: old[2], agencyCode: '652301', reason: 'filing:b' }));
    t.clock.advanceHours(1);
    await t.req(
      'admin',
      'PATCH',
      `/v1/cases/${ids[6]}`,
      { summary: 'patched later' },
      { 'if-match': (await t.req('admin', 'GET', `/v1/cases/${ids[6]}`)).headers.etag as string },
    );
    // The co-handling and access rows keep an exact copy of their case's fields.
    const db = t.app.deps.db;
    const co = db.select().from(caseCoHandling).all();
    const access = db.select().from(caseAccess).all();
    expect(co.length).toBeGreaterThan(3);
    expect(access.length).toBe(2);
    for (const r of [...co, ...access]) {
      const c = db.select().from(cases).where(eq(cases.id, r.caseId)).get()!;
      const seq = db.select().from(caseChanges).where(eq(caseChanges.caseId, r.caseId)).get()!.seq;
      expect(r).toMatchObject({
        leadAgencyCode: c.leadAgencyCode,
        side: c.side,
        status: c.status,
        suspendedFrom: c.suspendedFrom,
        category: c.category,
        joint: c.joint,
        sourceId: c.sourceId,
        overdueAt: c.overdueAt,
        registeredAt: c.registeredAt,
        updatedAt: c.updatedAt,
        changeSeq: seq,
      });
    }
    const former = db.select().from(caseFormerAgencies).all();
    expect(former.length).toBeGreaterThanOrEqual(2); // the two transfers
    for (const r of former) expect(r.changeSeq).toBe(db.select().from(caseChanges).where(eq(caseChanges.caseId, r.caseId)).get()!.seq);
  });
  afterAll(() => t.close());

  /** Every page of the search with this page size, concatenated. */
  const pages = (who: Principal, q: CaseQueryT, limit: number) =>
    inTx(t.app.deps.db, (tx) => {
      const scope = scopeOf(tx, who);
      const out: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = searchCases(tx, scope, { ...q, limit, cursor });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        out.push(...page.items.map((c) => c.id));
        if (!page.nextCursor) break;
        expect(page.items.length).toBe(limit);
        cursor = page.nextCursor;
      }
      return { got: out, want: reference(tx, scope, q) };
    });

  const QUERIES: CaseQueryT[] = [
    {},
    { status: ['registered'] },
    { status: ['investigating', 'transferred', 'suspended'] },
    { status: ['registered', 'investigating', 'pending_decision', 'suspended', 'transferred'] },
    { side: 'region' },
    { side: 'corps' },
    { agencyCode: '652300' },
    { agencyCode: '650000' },
    { agencyCode: 'XPCC' },
    { agencyCode: 'XPCC-D8' },
    { agencyCode: '654003' },
    { agencyCode: '650100', side: 'corps' },
    { agencyCode: '652300', status: ['registered', 'investigating'] },
    { category: 'air' },
    { category: 'water', agencyCode: 'XPCC-D6' },
    { measureType: 'seal_seizure' },
    { measureType: 'warning' },
    { overdue: true },
    { overdue: false },
    { overdue: true, agencyCode: 'XPCC-D8' },
    { joint: true },
    { joint: false },
    { registeredFrom: '2026-06-10T00:00:00Z', registeredTo: '2027-01-01T00:00:00Z' },
    { registeredTo: '2026-06-10T00:00:00Z' },
    { q: 'smoke' },
    { q: 'SMOKE' },
    { q: '印染' },
    { q: 'seam' },
    { q: 'patched later' },
    { q: 'without dust removal' },
    { q: '652301-2026-0000' },
    { q: 'a"b' },
    { q: '100%' },
    { sourceId: 'placeholder' },
    { creditCode },
  ];

  for (const sort of ['registeredAt', 'updatedAt'] as const)
    it(`every caller, every filter, pages of 1 and 2 (sort=${sort})`, () => {
      let nonEmpty = 0;
      for (const [label, who] of Object.entries(principals))
        for (const base of QUERIES) {
          const q: CaseQueryT = { ...base, sort, ...(base.sourceId ? { sourceId } : {}) };
          const two = pages(who, q, 2);
          expect(two.got, `${label} ${JSON.stringify(q)}`).toEqual(two.want);
          if (two.want.length) nonEmpty++;
          if (base === QUERIES[0] || base.agencyCode || base.overdue) expect(pages(who, q, 1).got, `${label} ${JSON.stringify(q)} limit 1`).toEqual(two.want);
        }
      expect(nonEmpty).toBeGreaterThan(150); // the data exercises the filters for most callers
    });

  it('sync pages equal the plain change walk, from every cursor', () => {
    for (const [label, who] of Object.entries(principals)) {
      if (who.role === 'partner') continue;
      inTx(t.app.deps.db, (tx) => {
        const scope = scopeOf(tx, who);
        const maxSeq = tx
          .select({ s: sql<number>`max(${caseChanges.seq})` })
          .from(caseChanges)
          .get()!.s;
        for (let from = 0; from <= maxSeq; from += 3) {
          const got: string[] = [];
          let cursor = from === 0 ? '0' : Buffer.from(JSON.stringify({ s: from })).toString('base64url');
          for (let i = 0; i < 100; i++) {
            const page = syncCases(tx, scope, { updatedSince: cursor, limit: 2 });
            got.push(...page.items.map((c) => ('deleted' in c ? `${c.id} deleted` : c.id)));
            cursor = page.nextCursor;
            if (!page.hasMore) break;
          }
          expect(got, `${label} from ${from}`).toEqual(referenceSync(tx, scope, from));
        }
      });
    }
  });

  it('the text index follows inserts and text changes, and is rebuilt when its triggers were dropped', async () => {
    const find = (text: string) => inTx(t.app.deps.db, (tx) => searchCases(tx, scopeOf(tx, principals.admin), { q: text }).items.map((c) => c.id));
    const c = await createCase(t, { title: 'Quarry blasting dust', partyName: '石河子某采石场' });
    expect(find('blasting')).toEqual([c.id]);
    expect(find('某采石')).toEqual([c.id]);
    await t.app.runtime.settle(); // routing sets the case's team (a new version) in the background
    const etag = (await t.req('admin', 'GET', `/v1/cases/${c.id}`)).headers.etag as string;
    const patched = await t.req('admin', 'PATCH', `/v1/cases/${c.id}`, { title: 'Quarry noise' }, { 'if-match': etag });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(find('blasting')).toEqual([]);
    expect(find('quarry NOISE')).toEqual([c.id]);
    // A migration that rebuilds the cases table drops its triggers; the next start rebuilds the index.
    const sqlite = t.app.deps.db.$client;
    sqlite.exec('DROP TRIGGER cases_fts_update; DELETE FROM cases_fts');
    expect(find('Quarry noise')).toEqual([]);
    ensureCaseTextIndex(t.app.deps.db);
    expect(find('Quarry noise')).toEqual([c.id]);
    expect(sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cases_fts_%'").get()).toEqual({ n: 3 });
  });
});
