import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseApp, createCase, DEMO_POINTS, walk, type CaseTest } from './helpers.js';

describe('case search', () => {
  let t: CaseTest;
  const ids: Record<string, string> = {};
  let sourceId: string;
  beforeAll(async () => {
    t = await caseApp();
    sourceId = (
      await t.req('admin', 'POST', '/v1/sources', {
        name: '昌吉热力',
        creditCode: '91350100M000100Y43',
        side: 'region',
        agencyCode: '652301',
        location: DEMO_POINTS.changjiCenter,
        address: '昌吉市',
        industry: '热力',
      })
    ).json().id;
    ids.a = (await createCase(t, { title: 'Boiler smoke', category: 'air', sourceId })).id;
    t.clock.advanceHours(1);
    ids.b = (await createCase(t, { title: 'Wastewater discharge', category: 'water', partyName: '昌吉某印染厂' })).id;
    t.clock.advanceHours(1);
    ids.c = (await createCase(t, { title: 'Seam case', location: DEMO_POINTS.seamNearShihezi })).id;
    t.clock.advanceHours(1);
    ids.d = (await createCase(t, { title: 'Urumqi noise', category: 'noise', leadAgencyCode: '650100', location: DEMO_POINTS.urumqiCenter }, 'admin')).id;
    t.clock.advanceHours(1);
    ids.e = (await createCase(t, { title: 'Shihezi dust', leadAgencyCode: 'XPCC-D8', location: DEMO_POINTS.shiheziCenter }, 'admin')).id;
    await t.app.runtime.settle(); // routing touches every case
    t.clock.advanceHours(1);
    await walk(t, ids.b, ['investigating']);
    await t.req('changjiInspector', 'POST', `/v1/cases/${ids.b}/measures`, { type: 'seal_seizure', startsOn: '2026-03-02', endsOn: '2026-03-20' });
  });
  afterAll(() => t.close());

  const find = async (qs: string, who = 'admin') => {
    const r = await t.req(who, 'GET', `/v1/cases?${qs}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json().items.map((c: { id: string }) => c.id);
  };

  it('each filter', async () => {
    expect(await find('status=investigating')).toEqual([ids.b]);
    expect(await find('status=registered&status=investigating')).toEqual([ids.e, ids.d, ids.c, ids.b, ids.a]);
    expect(await find('side=corps')).toEqual([ids.e]);
    expect(await find('agencyCode=652300')).toEqual([ids.c, ids.b, ids.a]);
    expect(await find('agencyCode=650000')).toEqual([ids.d, ids.c, ids.b, ids.a]);
    expect(await find('category=water')).toEqual([ids.b]);
    expect(await find(`sourceId=${sourceId}`)).toEqual([ids.a]);
    expect(await find('creditCode=91350100M000100Y43')).toEqual([ids.a]);
    expect(await find('creditCode=91110000802100433B')).toEqual([]);
    expect(await find('measureType=seal_seizure')).toEqual([ids.b]);
    expect(await find('measureType=fine')).toEqual([]);
    expect(await find('joint=true')).toEqual([ids.c]);
    expect(await find('joint=false')).toEqual([ids.e, ids.d, ids.b, ids.a]);
    expect(await find('overdue=true')).toEqual([]);
    expect(await find('registeredFrom=2026-03-02T03:00:00Z&registeredTo=2026-03-02T05:00:00Z')).toEqual([ids.c, ids.b]);
    expect(await find('q=' + encodeURIComponent('印染'))).toEqual([ids.b]);
    expect(await find('q=smoke')).toEqual([ids.a]);
    expect(await find('q=652301-2026-00002')).toEqual([ids.b]);
    expect(await find('q=' + encodeURIComponent('100%'))).toEqual([]);
    expect(await find('category=air&agencyCode=652301')).toEqual([ids.c, ids.a]);
  });

  it('filters apply within what the caller may see', async () => {
    expect(await find('category=noise', 'changjiInspector')).toEqual([]);
    expect(await find('', 'd8Supervisor')).toEqual([ids.e, ids.c]); // own case + co-handling of the seam case
  });

  it('keyset pages by registration (newest first) and by update time', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await t.req('admin', 'GET', `/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([ids.e, ids.d, ids.c, ids.b, ids.a]);
    // b was changed last (transition, measure), so it leads by update time.
    const byUpdate = await find('sort=updatedAt');
    expect(byUpdate[0]).toBe(ids.b);
    const p1 = (await t.req('admin', 'GET', '/v1/cases?sort=updatedAt&limit=3')).json();
    const p2 = (await t.req('admin', 'GET', `/v1/cases?sort=updatedAt&limit=3&cursor=${p1.nextCursor}`)).json();
    expect([...p1.items, ...p2.items].map((c: { id: string }) => c.id)).toEqual(byUpdate);
  });

  it('bad input: unknown agency 404, bad values 400', async () => {
    const r = await t.req('admin', 'GET', '/v1/cases?agencyCode=NOPE');
    expect(r.statusCode).toBe(404);
    expect(r.json().detail).toContain('NOPE');
    for (const qs of [
      'status=open',
      'measureType=jail',
      'registeredFrom=yesterday',
      'limit=0',
      'limit=501',
      'cursor=zzz',
      'sort=title',
      'registeredFrom=2026-03-03T00:00:00Z&registeredTo=2026-03-02T00:00:00Z',
    ]) {
      expect((await t.req('admin', 'GET', `/v1/cases?${qs}`)).statusCode, qs).toBe(400);
    }
  });
});
