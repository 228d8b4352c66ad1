import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { expectProblem, polygonAt } from './helpers.js';

/** Admin writes; every authenticated role reads; no key is 401. */
describe('reference: access', () => {
  let t: TestApp;
  let keys: Record<string, string>;

  beforeAll(async () => {
    t = await makeApp({ env: { SEED_DEMO: 'true' } });
    keys = {
      intake: t.key({ role: 'intake' }),
      supervisor: t.key({ role: 'supervisor', side: 'corps', agencyCode: 'XPCC-D8' }),
      inspector: t.key({ role: 'inspector', side: 'region', agencyCode: '650100', teamId: 'team-650100-air' }),
      partner: t.key({ role: 'partner' }),
    };
  });
  afterAll(() => t.close());

  const reads = [
    '/v1/agencies',
    '/v1/agencies/650100',
    '/v1/agencies?side=corps&level=division',
    '/v1/teams',
    '/v1/teams/team-650100-air',
    '/v1/areas',
    '/v1/areas/area-xpcc-d8',
    '/v1/areas?side=region&kind=grid',
  ];

  it('every role reads agencies, teams and areas', async () => {
    for (const [role, key] of Object.entries({ ...keys, admin: t.admin })) {
      for (const url of reads) {
        const r = await t.app.inject({ url, headers: t.auth(key) });
        expect(r.statusCode, `${role} GET ${url}: ${r.body}`).toBe(200);
      }
    }
  });

  it('no key or an unknown key is 401', async () => {
    for (const url of reads) {
      expectProblem(await t.app.inject({ url }), 401);
      expectProblem(await t.app.inject({ url, headers: t.auth('ek_not-a-key') }), 401);
    }
  });

  it('writes are 403 for every non-admin role and change nothing', async () => {
    const writes = [
      { method: 'POST', url: '/v1/agencies', payload: { code: 'XPCC-D9', name: '第九师', side: 'corps', level: 'division', parentCode: 'XPCC' } },
      { method: 'PATCH', url: '/v1/agencies/650100', payload: { name: 'hijacked' }, headers: { 'if-match': '"1"' } },
      { method: 'POST', url: '/v1/teams', payload: { agencyCode: '650100', name: 'x', categories: ['air'] } },
      { method: 'PATCH', url: '/v1/teams/team-650100-air', payload: { name: 'hijacked' }, headers: { 'if-match': '"1"' } },
      { method: 'POST', url: '/v1/areas', payload: { name: 'x', side: 'region', agencyCode: '650100', kind: 'grid', geometry: polygonAt(87.6, 43.8) } },
      { method: 'PATCH', url: '/v1/areas/area-650100', payload: { name: 'hijacked' }, headers: { 'if-match': '"1"' } },
      { method: 'DELETE', url: '/v1/areas/area-650100' },
      {
        method: 'POST',
        url: '/v1/areas/import',
        payload: {
          type: 'FeatureCollection',
          features: [{ type: 'Feature', properties: { name: 'x', side: 'region', agencyCode: '650100', kind: 'grid' }, geometry: polygonAt(87.6, 43.8) }],
        },
      },
    ] as const;
    for (const [role, key] of Object.entries(keys)) {
      for (const w of writes) {
        const r = await t.app.inject({
          method: w.method,
          url: w.url,
          headers: { ...t.auth(key), ...('headers' in w ? w.headers : {}) },
          ...('payload' in w ? { payload: w.payload } : {}),
        });
        expect(r.statusCode, `${role} ${w.method} ${w.url}: ${r.body}`).toBe(403);
        expect(r.headers['content-type']).toMatch(/problem\+json/);
      }
    }
    const h = t.auth(t.admin);
    expect((await t.app.inject({ url: '/v1/agencies/650100', headers: h })).json()).toMatchObject({ name: '乌鲁木齐市', version: 1 });
    expect((await t.app.inject({ url: '/v1/agencies/XPCC-D9', headers: h })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/v1/teams/team-650100-air', headers: h })).json().version).toBe(1);
    expect((await t.app.inject({ url: '/v1/areas/area-650100', headers: h })).json().version).toBe(1);
  });
});
