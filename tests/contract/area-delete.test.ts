import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { TEAM, seedMap } from '../intake/helpers.js';
import { eventsOfSubject } from '../support/factories.js';

describe('deleting an area that routing rules are scoped to', () => {
  let t: TestApp;
  let h: { authorization: string };
  beforeAll(async () => {
    t = await makeApp({ start: false });
    h = t.auth(t.admin);
    seedMap(t);
  });
  afterAll(() => t.close());

  it('is refused with 409 naming the rules; ?cascade=true removes them and lists them', async () => {
    const rule = await t.app.inject({
      method: 'POST',
      url: '/v1/routing-rules',
      headers: h,
      payload: { areaId: 'area-cjs', category: 'air', teamId: TEAM.cjsAir },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const ruleId = rule.json().id;

    const refused = await t.app.inject({ method: 'DELETE', url: '/v1/areas/area-cjs', headers: h });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ type: expect.stringMatching(/area-in-use$/), dependents: [{ kind: 'routing-rule', id: ruleId }] });
    expect(refused.json().detail).toContain(ruleId);
    expect((await t.app.inject({ url: '/v1/areas/area-cjs', headers: h })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/v1/routing-rules/${ruleId}`, headers: h })).statusCode).toBe(200);

    const cascaded = await t.app.inject({ method: 'DELETE', url: '/v1/areas/area-cjs?cascade=true', headers: h });
    expect(cascaded.statusCode, cascaded.body).toBe(200);
    expect(cascaded.json()).toEqual({ id: 'area-cjs', removed: [{ kind: 'routing-rule', id: ruleId, category: 'air', teamId: TEAM.cjsAir }] });
    expect((await t.app.inject({ url: `/v1/routing-rules/${ruleId}`, headers: h })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/v1/areas/area-cjs', headers: h })).statusCode).toBe(404);

    // What was removed is an event, seen in the feed by every role that reads areas.
    const [ev] = eventsOfSubject(t, 'areas/area-cjs');
    expect(ev).toMatchObject({
      type: 'area.deleted',
      data: { id: 'area-cjs', removed: [{ kind: 'routing-rule', id: ruleId, category: 'air', teamId: TEAM.cjsAir }] },
    });
    const inspector = t.key({ role: 'inspector', agencyCode: 'XPCC-D8', teamId: TEAM.d8All, side: 'corps' });
    for (const key of [t.admin, inspector, t.key({ role: 'partner', audience: 'side', side: 'corps', scopes: ['events'] })]) {
      const feed = await t.app.inject({ url: '/v1/events?types=area.deleted', headers: t.auth(key) });
      expect(feed.statusCode, feed.body).toBe(200);
      expect(feed.json().items.map((e: { subject: string }) => e.subject)).toEqual(['areas/area-cjs']);
    }
    // A partner key without the events scope sees no events at all.
    const noEvents = await t.app.inject({
      url: '/v1/events?types=area.deleted',
      headers: t.auth(t.key({ role: 'partner', audience: 'all', scopes: ['complaints'] })),
    });
    expect(noEvents.json().items ?? []).toEqual([]);
  });

  it('an area nothing depends on is deleted with 204', async () => {
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/areas/area-d8', headers: h })).statusCode).toBe(204);
    expect(eventsOfSubject(t, 'areas/area-d8')).toMatchObject([{ type: 'area.deleted', data: { id: 'area-d8', removed: [] } }]);
  });
});
