import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseApp, createCase, DEMO_POINTS, type CaseTest } from './helpers.js';
import { creditCodeCheckChar } from '../../src/cases/credit-code.js';

/** Builds valid codes: 9 + 1 + region 650100 + 9 varying characters + check character. */
const code = (n: number) => {
  const first17 = `91650100${String(n).padStart(9, '0')}`;
  return first17 + creditCodeCheckChar(first17);
};

const body = (over: Record<string, unknown> = {}) => ({
  name: '石河子热电厂',
  creditCode: '91350100M000100Y43',
  side: 'corps',
  agencyCode: 'XPCC-D8',
  location: DEMO_POINTS.shiheziCenter,
  address: '石河子市北三路 1 号',
  industry: '火力发电',
  permitNumber: '91659001XXXX001P',
  ...over,
});

describe('pollution sources', () => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp();
  });
  afterAll(() => t.close());

  it('registers a source, resolving the grid from the location, with an ETag', async () => {
    const r = await t.req('d8Supervisor', 'POST', '/v1/sources', body());
    expect(r.statusCode, r.body).toBe(201);
    const s = r.json();
    expect(s).toMatchObject({
      name: '石河子热电厂',
      creditCode: '91350100M000100Y43',
      side: 'corps',
      agencyCode: 'XPCC-D8',
      gridId: 'area-xpcc-d8-grid-01',
      version: 1,
    });
    expect(s.warnings).toBeUndefined();
    expect(r.headers.etag).toBe('"1"');
    expect(r.headers.location).toBe(`/v1/sources/${s.id}`);
    const g = await t.req('urumqiSupervisor', 'GET', `/v1/sources/${s.id}`);
    expect(g.statusCode).toBe(200);
    expect(g.headers.etag).toBe('"1"');
  });

  it('keeps a given gridId, and leaves it null where no grid is', async () => {
    const a = await t.req('admin', 'POST', '/v1/sources', body({ creditCode: code(1), gridId: 'my-grid' }));
    expect(a.json().gridId).toBe('my-grid');
    const b = await t.req(
      'admin',
      'POST',
      '/v1/sources',
      body({ creditCode: code(2), location: DEMO_POINTS.changjiCenter, agencyCode: '652301', side: 'region' }),
    );
    expect(b.statusCode).toBe(201);
    expect(b.json().gridId).toBeNull();
  });

  it('a duplicate credit code is 409', async () => {
    const r = await t.req('admin', 'POST', '/v1/sources', body({ name: 'Other' }));
    expect(r.statusCode).toBe(409);
    expect(r.json().detail).toContain('91350100M000100Y43');
  });

  it('a bad credit code is 400 naming the field, for each kind of error', async () => {
    for (const bad of ['91350100M000100Y44', '91350100M000100Y4', '91350100M000100Y433', '91350100M000100YI3', '91350100m000100Y43']) {
      const r = await t.req('admin', 'POST', '/v1/sources', body({ creditCode: bad }));
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().errors[0].field).toBe('body/creditCode');
    }
  });

  it('an inner GB 11714 failure is accepted with a warning', async () => {
    const first17 = '91350100M000100Y5';
    const r = await t.req('admin', 'POST', '/v1/sources', body({ creditCode: first17 + creditCodeCheckChar(first17) }));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().warnings[0]).toMatch(/GB 11714/);
  });

  it('bad input: unknown agency 404, side mismatch 400, unknown field 400, other agency 403, partner 403', async () => {
    const u = await t.req('admin', 'POST', '/v1/sources', body({ creditCode: code(3), agencyCode: 'NOPE' }));
    expect(u.statusCode).toBe(404);
    expect(u.json().detail).toContain('NOPE');
    const s = await t.req('admin', 'POST', '/v1/sources', body({ creditCode: code(3), side: 'region' }));
    expect(s.statusCode).toBe(400);
    expect(s.json().errors[0].field).toBe('body/side');
    const x = await t.req('admin', 'POST', '/v1/sources', { ...body({ creditCode: code(3) }), extra: 1 });
    expect(x.statusCode).toBe(400);
    const f = await t.req('changjiSupervisor', 'POST', '/v1/sources', body({ creditCode: code(3) }));
    expect(f.statusCode).toBe(403);
    const p = await t.req('partner', 'GET', '/v1/sources');
    expect(p.statusCode).toBe(403);
    const n = await t.req('admin', 'GET', '/v1/sources/nope');
    expect(n.statusCode).toBe(404);
  });

  it('PATCH needs If-Match: 428 without, 412 stale with the current version, 200 and a new ETag', async () => {
    const s = (await t.req('admin', 'POST', '/v1/sources', body({ creditCode: code(10) }))).json();
    const none = await t.req('d8Inspector', 'PATCH', `/v1/sources/${s.id}`, { industry: '热电联产' });
    expect(none.statusCode).toBe(428);
    const ok = await t.req('d8Inspector', 'PATCH', `/v1/sources/${s.id}`, { industry: '热电联产' }, { 'if-match': '"1"' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json()).toMatchObject({ industry: '热电联产', version: 2 });
    const stale = await t.req('d8Inspector', 'PATCH', `/v1/sources/${s.id}`, { industry: 'x' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().currentVersion).toBe(2);
    const dup = await t.req('admin', 'PATCH', `/v1/sources/${s.id}`, { creditCode: '91350100M000100Y43' }, { 'if-match': '"2"' });
    expect(dup.statusCode).toBe(409);
    const bad = await t.req('admin', 'PATCH', `/v1/sources/${s.id}`, { creditCode: '91350100M000100Y40' }, { 'if-match': '"2"' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/creditCode');
    const other = await t.req('changjiSupervisor', 'PATCH', `/v1/sources/${s.id}`, { industry: 'x' }, { 'if-match': '"2"' });
    expect(other.statusCode).toBe(403);
    // Moving to another agency moves the side with it.
    const moved = await t.req('admin', 'PATCH', `/v1/sources/${s.id}`, { agencyCode: '652301', location: DEMO_POINTS.changjiCenter }, { 'if-match': '"2"' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ agencyCode: '652301', side: 'region', version: 3 });
  });

  it('searches by name, credit code, agency (subtree) and grid, with keyset pages', async () => {
    const byName = (await t.req('intake', 'GET', '/v1/sources?name=' + encodeURIComponent('热电'))).json();
    expect(byName.items.length).toBeGreaterThanOrEqual(4);
    expect(byName.items.every((s: { name: string }) => s.name.includes('热电'))).toBe(true);
    const byCode = (await t.req('intake', 'GET', '/v1/sources?creditCode=91350100M000100Y43')).json();
    expect(byCode.items).toHaveLength(1);
    const byAgency = (await t.req('intake', 'GET', '/v1/sources?agencyCode=XPCC')).json();
    expect(byAgency.items.every((s: { side: string }) => s.side === 'corps')).toBe(true);
    expect(byAgency.items.some((s: { agencyCode: string }) => s.agencyCode === 'XPCC-D8')).toBe(true);
    const bySub = (await t.req('intake', 'GET', '/v1/sources?agencyCode=652300')).json();
    expect(bySub.items.some((s: { agencyCode: string }) => s.agencyCode === '652301')).toBe(true);
    const byGrid = (await t.req('intake', 'GET', '/v1/sources?gridId=area-xpcc-d8-grid-01')).json();
    expect(byGrid.items.length).toBeGreaterThanOrEqual(1);
    expect(byGrid.items.every((s: { gridId: string }) => s.gridId === 'area-xpcc-d8-grid-01')).toBe(true);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await t.req('intake', 'GET', `/v1/sources?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      all.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    const everything = (await t.req('intake', 'GET', '/v1/sources?limit=500')).json().items.map((s: { id: string }) => s.id);
    expect(all).toEqual(everything);
    expect(new Set(all).size).toBe(all.length);
    expect((await t.req('intake', 'GET', '/v1/sources?agencyCode=NOPE')).statusCode).toBe(404);
  });

  it("lists a source's case history, only the cases the caller may see", async () => {
    const s = (
      await t.req('admin', 'POST', '/v1/sources', body({ creditCode: code(20), agencyCode: '652301', side: 'region', location: DEMO_POINTS.changjiCenter }))
    ).json();
    const a = await createCase(t, { sourceId: s.id });
    const b = await createCase(t, { sourceId: s.id, leadAgencyCode: '650100', location: DEMO_POINTS.urumqiCenter }, 'admin');
    const mine = (await t.req('changjiInspector', 'GET', `/v1/sources/${s.id}/cases`)).json();
    expect(mine.items.map((c: { id: string }) => c.id)).toEqual([a.id]);
    const all = (await t.req('admin', 'GET', `/v1/sources/${s.id}/cases`)).json();
    expect(all.items.map((c: { id: string }) => c.id).sort()).toEqual([a.id, b.id].sort());
    expect(a.partyName).toBe('石河子热电厂');
    expect((await t.req('admin', 'GET', '/v1/sources/nope/cases')).statusCode).toBe(404);
  });
});
