import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { expectProblem, walkPages } from './helpers.js';

describe('reference: teams', () => {
  let t: TestApp;
  const post = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/teams', headers: t.auth(t.admin), payload });
  const patch = (id: string, payload: Record<string, unknown>, ifMatch?: string) =>
    t.app.inject({ method: 'PATCH', url: `/v1/teams/${id}`, headers: { ...t.auth(t.admin), ...(ifMatch ? { 'if-match': ifMatch } : {}) }, payload });
  const all = async () => walkPages(t, '/v1/teams', 500);

  beforeAll(async () => {
    t = await makeApp();
    for (const a of [
      { code: '650100', name: '乌鲁木齐市', side: 'region', level: 'prefecture' },
      { code: 'XPCC-D8', name: '第八师', side: 'corps', level: 'division' },
    ]) {
      expect((await t.app.inject({ method: 'POST', url: '/v1/agencies', headers: t.auth(t.admin), payload: a })).statusCode).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('creates a team with a given id, or generates one', async () => {
    const r = await post({ id: 'team-650100-air', agencyCode: '650100', name: '乌鲁木齐市生态环境综合执法支队 大气组', categories: ['air'] });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.headers.location).toBe('/v1/teams/team-650100-air');
    expect(r.headers.etag).toBe('"1"');
    expect(r.json()).toMatchObject({ id: 'team-650100-air', agencyCode: '650100', categories: ['air'], version: 1 });
    const g = await post({ agencyCode: 'XPCC-D8', name: '石河子 综合组', categories: ['water', 'soil', 'noise'] });
    expect(g.statusCode).toBe(201);
    expect(g.json().id).toMatch(/^[0-9a-f-]{36}$/);
    const read = await t.app.inject({ url: `/v1/teams/${g.json().id}`, headers: t.auth(t.admin) });
    expect(read.json().categories).toEqual(['water', 'soil', 'noise']);
  });

  it('unknown agency is 404 and stores nothing', async () => {
    const before = (await all()).length;
    const p = expectProblem(await post({ agencyCode: '999999', name: 'x', categories: ['air'] }), 404);
    expect(p.detail).toContain('999999');
    expect((await all()).length).toBe(before);
  });

  it('validates categories: known, 1..8, unique', async () => {
    const before = (await all()).length;
    expectProblem(await post({ agencyCode: '650100', name: 'x', categories: [] }), 400, 'body/categories');
    expectProblem(await post({ agencyCode: '650100', name: 'x', categories: ['air', 'air'] }), 400, 'body/categories');
    expectProblem(await post({ agencyCode: '650100', name: 'x', categories: ['smell'] }), 400, 'body/categories/0');
    expectProblem(
      await post({ agencyCode: '650100', name: 'x', categories: ['air', 'water', 'soil', 'noise', 'solid_waste', 'radiation', 'ecology', 'other', 'air'] }),
      400,
      'body/categories',
    );
    expectProblem(await post({ agencyCode: '650100', name: 'x' }), 400, 'body/categories');
    expectProblem(await post({ agencyCode: '650100', name: '', categories: ['air'] }), 400, 'body/name');
    expectProblem(await post({ agencyCode: '650100', name: 'x', categories: ['air'], leader: 'me' }), 400, 'body/leader');
    expect((await all()).length).toBe(before);
    // all eight is fine
    expect(
      (await post({ agencyCode: '650100', name: '综合组', categories: ['air', 'water', 'soil', 'noise', 'solid_waste', 'radiation', 'ecology', 'other'] }))
        .statusCode,
    ).toBe(201);
  });

  it('duplicate id is 409', async () => {
    const p = expectProblem(await post({ id: 'team-650100-air', agencyCode: 'XPCC-D8', name: 'x', categories: ['air'] }), 409);
    expect(p.type).toMatch(/team-exists$/);
    expect((await t.app.inject({ url: '/v1/teams/team-650100-air', headers: t.auth(t.admin) })).json().agencyCode).toBe('650100');
  });

  it('PATCH: If-Match 428/412, then changes name and categories', async () => {
    expectProblem(await patch('team-650100-air', { categories: ['air', 'noise'] }), 428);
    expect(expectProblem(await patch('team-650100-air', { categories: ['air', 'noise'] }, '"9"'), 412).currentVersion).toBe(1);
    const ok = await patch('team-650100-air', { categories: ['air', 'noise'] }, '"1"');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json()).toMatchObject({ categories: ['air', 'noise'], version: 2, name: '乌鲁木齐市生态环境综合执法支队 大气组' });
    expectProblem(await patch('team-650100-air', { categories: ['air', 'air'] }, '"2"'), 400, 'body/categories');
    expectProblem(await patch('team-650100-air', { agencyCode: 'XPCC-D8' }, '"2"'), 400, 'body/agencyCode');
    expectProblem(await patch('no-such-team', { name: 'x' }, '"1"'), 404);
  });

  it('filters by agencyCode and category', async () => {
    const air = await walkPages(t, '/v1/teams?category=air', 50);
    expect(air.length).toBeGreaterThan(0);
    expect(air.every((x) => x.categories.includes('air'))).toBe(true);
    const water = await walkPages(t, '/v1/teams?category=water', 50);
    expect(water.map((x) => x.id)).not.toContain('team-650100-air');
    const d8 = await walkPages(t, '/v1/teams?agencyCode=XPCC-D8', 50);
    expect(d8.length).toBe(1);
    expect(d8[0].agencyCode).toBe('XPCC-D8');
    const both = await walkPages(t, '/v1/teams?agencyCode=650100&category=radiation', 50);
    expect(both.map((x) => x.name)).toEqual(['综合组']);
    expectProblem(await t.app.inject({ url: '/v1/teams?category=smell', headers: t.auth(t.admin) }), 400, 'querystring/category');
  });

  it('paginates across pages without skipping or repeating', async () => {
    for (let i = 0; i < 11; i++)
      expect((await post({ id: `team-p-${String(i).padStart(2, '0')}`, agencyCode: 'XPCC-D8', name: `p${i}`, categories: ['other'] })).statusCode).toBe(201);
    const every = await all();
    expect(new Set(every.map((x) => x.id)).size).toBe(every.length);
    for (const size of [1, 3, 5]) expect((await walkPages(t, '/v1/teams', size)).map((x) => x.id)).toEqual(every.map((x) => x.id));
    const filtered = await walkPages(t, '/v1/teams?category=other', 4);
    expect(filtered.length).toBe(12); // 11 + the all-category team
  });
});
