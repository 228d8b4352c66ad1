import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { TEAM, keys, seedMap } from './fixture.js';
import { routingRules } from '../../src/jurisdiction/tables.js';

describe('routing rules API', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ workers: false });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  const post = (payload: object, key = k.admin) => t.app.inject({ method: 'POST', url: '/v1/routing-rules', headers: t.auth(key), payload });
  const count = () => t.app.deps.db.select().from(routingRules).all().length;

  it('creates, lists, reads and deletes a rule', async () => {
    const r = await post({ agencyCode: 'CJS', category: 'water', teamId: TEAM.cjsSpecial });
    expect(r.statusCode).toBe(201);
    const rule = r.json();
    expect(rule).toMatchObject({ agencyCode: 'CJS', areaId: null, category: 'water', teamId: TEAM.cjsSpecial });
    expect(r.headers.location).toBe(`/v1/routing-rules/${rule.id}`);
    const area = await post({ areaId: 'area-g1', category: 'air', teamId: TEAM.cjsSpecial });
    expect(area.statusCode).toBe(201);

    const list = await t.app.inject({ url: '/v1/routing-rules?limit=1', headers: t.auth(k.admin) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);
    const next = await t.app.inject({ url: `/v1/routing-rules?limit=1&cursor=${list.json().nextCursor}`, headers: t.auth(k.admin) });
    expect([...list.json().items, ...next.json().items].map((x: { id: string }) => x.id).sort()).toEqual([rule.id, area.json().id].sort());
    const filtered = await t.app.inject({ url: '/v1/routing-rules?agencyCode=CJS', headers: t.auth(k.intake) });
    expect(filtered.json().items.map((x: { id: string }) => x.id)).toEqual([rule.id]);
    expect((await t.app.inject({ url: `/v1/routing-rules/${rule.id}`, headers: t.auth(k.admin) })).json()).toEqual(rule);

    for (const id of [rule.id, area.json().id])
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/routing-rules/${id}`, headers: t.auth(k.admin) })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/routing-rules/${rule.id}`, headers: t.auth(k.admin) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/v1/routing-rules/${rule.id}`, headers: t.auth(k.admin) })).statusCode).toBe(404);
    expect(count()).toBe(0);
  });

  it.each([
    [{ agencyCode: 'NOPE', category: 'air', teamId: TEAM.cjsAir }, 'agency'],
    [{ areaId: 'area-nope', category: 'air', teamId: TEAM.cjsAir }, 'area'],
    [{ agencyCode: 'CJS', category: 'air', teamId: 'team-nope' }, 'team'],
  ])('unknown %o → 404 (%s), nothing stored', async (payload, what) => {
    const r = await post(payload);
    expect(r.statusCode).toBe(404);
    expect(r.json().resource).toBe(what);
    expect(count()).toBe(0);
  });

  it.each([
    [{ category: 'air', teamId: TEAM.cjsAir }, 'neither area nor agency'],
    [{ areaId: 'area-g1', agencyCode: 'CJS', category: 'air', teamId: TEAM.cjsAir }, 'both area and agency'],
    [{ agencyCode: 'CJS', category: 'smog', teamId: TEAM.cjsAir }, 'unknown category'],
    [{ agencyCode: 'CJS', category: 'air' }, 'no team'],
    [{ agencyCode: 'CJS', category: 'air', teamId: TEAM.cjsAir, extra: 1 }, 'extra field'],
  ] as [object, string][])('%o → 400 (%s), nothing stored', async (payload) => {
    const r = await post(payload);
    expect(r.statusCode).toBe(400);
    expect(r.json().errors.length).toBeGreaterThan(0);
    expect(count()).toBe(0);
  });

  it('one rule per scope and category (409)', async () => {
    expect((await post({ agencyCode: 'XPCC-D8', category: 'air', teamId: TEAM.r121Air })).statusCode).toBe(201);
    const dup = await post({ agencyCode: 'XPCC-D8', category: 'air', teamId: TEAM.d8All });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().ruleId).toBeTruthy();
    await t.app.inject({ method: 'DELETE', url: `/v1/routing-rules/${dup.json().ruleId}`, headers: t.auth(k.admin) });
  });

  it('only admins change rules', async () => {
    for (const key of [k.intake, k.supCJ, k.cjsAir, k.partner])
      expect((await post({ agencyCode: 'CJS', category: 'air', teamId: TEAM.cjsAir }, key)).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/v1/routing-rules', headers: t.auth(k.cjsAir) })).statusCode).toBe(403);
    expect(count()).toBe(0);
  });
});
