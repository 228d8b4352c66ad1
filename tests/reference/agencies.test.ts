import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { expectProblem, walkPages } from './helpers.js';

describe('reference: agencies', () => {
  let t: TestApp;
  const post = (payload: Record<string, unknown>, key?: string) =>
    t.app.inject({ method: 'POST', url: '/v1/agencies', headers: t.auth(key ?? t.admin), payload });
  const patch = (code: string, payload: Record<string, unknown>, ifMatch?: string) =>
    t.app.inject({
      method: 'PATCH',
      url: `/v1/agencies/${code}`,
      headers: { ...t.auth(t.admin), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
      payload,
    });
  const count = async () => (await walkPages(t, '/v1/agencies', 500)).length;

  beforeAll(async () => {
    t = await makeApp();
    for (const a of [
      { code: '650000', name: '新疆维吾尔自治区', side: 'region', level: 'autonomous_region' },
      { code: '650100', name: '乌鲁木齐市', side: 'region', level: 'prefecture', parentCode: '650000' },
      { code: '652300', name: '昌吉回族自治州', side: 'region', level: 'prefecture', parentCode: '650000' },
      { code: '652301', name: '昌吉市', side: 'region', level: 'county', parentCode: '652300' },
      { code: 'XPCC', name: '新疆生产建设兵团', side: 'corps', level: 'corps' },
      { code: 'XPCC-D8', name: '第八师', side: 'corps', level: 'division', parentCode: 'XPCC', adminCode: '659001' },
    ]) {
      const r = await post(a);
      expect(r.statusCode, r.body).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('creates with 201, Location and ETag, and reads it back', async () => {
    const r = await post({ code: 'XPCC-D6', name: '第六师', side: 'corps', level: 'division', parentCode: 'XPCC', adminCode: '659004' });
    expect(r.statusCode).toBe(201);
    expect(r.headers.location).toBe('/v1/agencies/XPCC-D6');
    expect(r.headers.etag).toBe('"1"');
    expect(r.json()).toMatchObject({ code: 'XPCC-D6', side: 'corps', level: 'division', parentCode: 'XPCC', adminCode: '659004', version: 1 });
    const g = await t.app.inject({ url: '/v1/agencies/XPCC-D6', headers: t.auth(t.admin) });
    expect(g.statusCode).toBe(200);
    expect(g.headers.etag).toBe('"1"');
    expect(g.json().name).toBe('第六师');
  });

  it('rejects a parent on the other side with 422 and stores nothing', async () => {
    const before = await count();
    const r = await post({ code: 'XPCC-D7', name: '第七师', side: 'corps', level: 'division', parentCode: '650000' });
    const p = expectProblem(r, 422, 'body/parentCode');
    expect(p.type).toMatch(/parent-wrong-side$/);
    expect(await count()).toBe(before);
  });

  it('rejects an unknown parent with 404 naming it', async () => {
    const r = await post({ code: '654003', name: '奎屯市', side: 'region', level: 'county', parentCode: '654000' });
    const p = expectProblem(r, 404);
    expect(p.detail).toContain('654000');
    expect((await t.app.inject({ url: '/v1/agencies/654003', headers: t.auth(t.admin) })).statusCode).toBe(404);
  });

  it('rejects a level of the other side with 422 naming body/level', async () => {
    const r = await post({ code: '650999', name: 'x', side: 'region', level: 'division', parentCode: '650000' });
    const p = expectProblem(r, 422, 'body/level');
    expect(p.type).toMatch(/level-wrong-side$/);
    const r2 = await post({ code: 'XPCC-X', name: 'x', side: 'corps', level: 'county', parentCode: 'XPCC' });
    expectProblem(r2, 422, 'body/level');
  });

  it('rejects an unknown level with 400', async () => {
    expectProblem(await post({ code: '650998', name: 'x', side: 'region', level: 'township' }), 400, 'body/level');
  });

  it('requires the parent to be at a higher level (422)', async () => {
    // a prefecture under a prefecture
    const r = await post({ code: '650200', name: '克拉玛依市', side: 'region', level: 'prefecture', parentCode: '650100' });
    expectProblem(r, 422, 'body/parentCode');
    // the top level cannot have a parent at all
    expectProblem(await post({ code: '650001', name: 'x', side: 'region', level: 'autonomous_region', parentCode: '650000' }), 422, 'body/parentCode');
    // a county may sit directly under the autonomous region (skipping a level is allowed)
    expect((await post({ code: '659999', name: '直辖县级', side: 'region', level: 'county', parentCode: '650000' })).statusCode).toBe(201);
  });

  it('rejects a duplicate code with 409', async () => {
    const r = await post({ code: '650100', name: 'again', side: 'region', level: 'prefecture', parentCode: '650000' });
    const p = expectProblem(r, 409);
    expect(p.type).toMatch(/agency-exists$/);
    const g = await t.app.inject({ url: '/v1/agencies/650100', headers: t.auth(t.admin) });
    expect(g.json().name).toBe('乌鲁木齐市');
  });

  it('rejects unknown fields, bad codes and too-long names (400)', async () => {
    expectProblem(await post({ code: 'A1', name: 'x', side: 'region', level: 'county', bogus: 1 }), 400, 'body/bogus');
    expectProblem(await post({ code: 'a b', name: 'x', side: 'region', level: 'county' }), 400, 'body/code');
    expectProblem(await post({ code: 'A2', name: 'x'.repeat(201), side: 'region', level: 'county' }), 400, 'body/name');
    expectProblem(await post({ code: 'A3', name: 'x', side: 'region', level: 'county', adminCode: '65' }), 400, 'body/adminCode');
    expectProblem(await post({ code: 'A4', name: 'x', side: 'moon', level: 'county' }), 400, 'body/side');
  });

  it('PATCH needs If-Match: 428 without, 412 when stale (with the current version), 200 and a new ETag when current', async () => {
    const p428 = expectProblem(await patch('652301', { name: '昌吉市（新）' }), 428);
    expect(p428.type).toMatch(/if-match-required$/);
    const p412 = expectProblem(await patch('652301', { name: '昌吉市（新）' }, '"7"'), 412);
    expect(p412.currentVersion).toBe(1);
    const ok = await patch('652301', { name: '昌吉市（新）' }, '"1"');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json()).toMatchObject({ name: '昌吉市（新）', version: 2 });
    // the old ETag is now stale
    expect(expectProblem(await patch('652301', { name: 'again' }, '"1"'), 412).currentVersion).toBe(2);
    // weak form and * are accepted
    expect((await patch('652301', { name: '昌吉市' }, 'W/"2"')).statusCode).toBe(200);
    expect((await patch('652301', { adminCode: '652301' }, '*')).json()).toMatchObject({ version: 4, adminCode: '652301', name: '昌吉市' });
  });

  it('PATCH enforces side, parent and level rules and refuses cycles', async () => {
    const etag = async (code: string) => (await t.app.inject({ url: `/v1/agencies/${code}`, headers: t.auth(t.admin) })).headers.etag as string;
    // other-side parent
    expectProblem(await patch('652301', { parentCode: 'XPCC-D8' }, await etag('652301')), 422, 'body/parentCode');
    // unknown parent
    expect(expectProblem(await patch('652301', { parentCode: 'nope' }, await etag('652301')), 404).detail).toContain('nope');
    // other-side level
    expectProblem(await patch('652301', { level: 'regiment' }, await etag('652301')), 422, 'body/level');
    // cycle: the corps under its own division
    const cyc = expectProblem(await patch('XPCC', { parentCode: 'XPCC-D8' }, await etag('XPCC')), 422, 'body/parentCode');
    expect(cyc.type).toMatch(/agency-cycle$/);
    expectProblem(await patch('XPCC', { parentCode: 'XPCC' }, await etag('XPCC')), 422, 'body/parentCode');
    // a prefecture with a county below cannot become a county
    const child = expectProblem(await patch('652300', { level: 'county' }, await etag('652300')), 422, 'body/level');
    expect(child.type).toMatch(/child-level$/);
    // moving a county to another prefecture is fine
    const mv = await patch('652301', { parentCode: '650100' }, await etag('652301'));
    expect(mv.statusCode, mv.body).toBe(200);
    expect(mv.json().parentCode).toBe('650100');
    // code and side never change
    expectProblem(await patch('652301', { side: 'corps' }, await etag('652301')), 400, 'body/side');
    expectProblem(await patch('652301', {}, await etag('652301')), 400);
    // unknown agency
    expectProblem(await patch('000000', { name: 'x' }, '"1"'), 404);
  });

  it('filters by side, parentCode and level', async () => {
    const corps = await walkPages(t, '/v1/agencies?side=corps', 50);
    expect(corps.length).toBeGreaterThan(0);
    expect(corps.every((a) => a.side === 'corps')).toBe(true);
    const under = await walkPages(t, '/v1/agencies?parentCode=650000', 50);
    expect(under.map((a) => a.code)).toEqual(expect.arrayContaining(['650100', '652300']));
    expect(under.every((a) => a.parentCode === '650000')).toBe(true);
    const divisions = await walkPages(t, '/v1/agencies?level=division', 50);
    expect(divisions.map((a) => a.code).sort()).toEqual(['XPCC-D6', 'XPCC-D8']);
    expectProblem(await t.app.inject({ url: '/v1/agencies?level=township', headers: t.auth(t.admin) }), 400, 'querystring/level');
  });

  it('paginates across pages without skipping or repeating', async () => {
    for (let i = 0; i < 9; i++)
      expect((await post({ code: `P${i}`, name: `p${i}`, side: 'corps', level: 'regiment', parentCode: 'XPCC-D8' })).statusCode).toBe(201);
    const all = await walkPages(t, '/v1/agencies', 500);
    for (const size of [1, 2, 4, 7]) {
      const paged = await walkPages(t, '/v1/agencies', size);
      expect(paged.map((a) => a.code)).toEqual(all.map((a) => a.code));
    }
    expect(new Set(all.map((a) => a.code)).size).toBe(all.length);
    expectProblem(await t.app.inject({ url: '/v1/agencies?cursor=garbage', headers: t.auth(t.admin) }), 400, 'querystring/cursor');
  });
});
