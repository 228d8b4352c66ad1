import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { AT, TEAM, assignmentsOf, create, get, ok, post, seedMap } from '../intake/helpers.js';
import { inTx } from '../../src/db/client.js';
import { issueKey } from '../../src/keys/service.js';
import { Receiver, subscribe } from './helpers.js';

/**
 * Finding 3: partner keys are bound to an audience and scopes, and for every key of the matrix a
 * caller sees an event if and only if it may GET the event's subject (feed; the stream and
 * webhooks use the same audience keys).
 */
describeModes('partner audience and event visibility', (mode) => {
  let t: TestApp;
  let k: Record<string, string>;
  const subjects = new Set<string>();
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    const partner = (b: Record<string, unknown>) => inTx(t.app.deps.db, (tx) => issueKey(tx, t.clock, { role: 'partner', ...b }, null)).key;
    k = {
      admin: t.admin,
      intake: t.key({ role: 'intake' }),
      cjsAir: t.key({ role: 'inspector', side: 'region', agencyCode: 'CJS', teamId: TEAM.cjsAir }),
      d8All: t.key({ role: 'inspector', side: 'corps', agencyCode: 'XPCC-D8', teamId: TEAM.d8All }),
      supCJ: t.key({ role: 'supervisor', side: 'region', agencyCode: 'CJ' }),
      supXJ: t.key({ role: 'supervisor', side: 'region', agencyCode: 'XJ' }),
      supD8: t.key({ role: 'supervisor', side: 'corps', agencyCode: 'XPCC-D8' }),
      hotline: partner({}), // unbound: only what it created
      regionStats: partner({ side: 'region', scopes: ['events', 'complaints'] }),
      d8Platform: partner({ agencyCode: 'XPCC-D8', scopes: ['events', 'complaints'] }),
      everything: partner({ audience: 'all', scopes: ['events', 'complaints'] }),
      noEvents: partner({ side: 'corps', scopes: ['complaints'] }),
    };
    // a world: complaints of both sides, one declined and re-routed, one closed
    const mine = await create(t, k.hotline, { location: AT.region });
    const region = await create(t, k.intake, { location: AT.farRegion, category: 'noise' });
    const corps = await create(t, k.intake, { location: AT.corps, category: 'water' });
    const moved = await create(t, k.intake, { location: AT.region, category: 'water' });
    for (const c of [mine, region, corps, moved]) await ok(t, k.intake, c.id, 'accept');
    await t.app.runtime.settle();
    const lead = assignmentsOf(t, moved.id)[0];
    expect((await post(t, k.cjsAir, `/v1/assignments/${lead.id}/decline`, { reason: 'corps ground', suggestedAgencyCode: 'XPCC-D8' })).statusCode).toBe(200);
    await t.app.runtime.settle();
    await ok(t, k.intake, region.id, 'reply', { text: 'Handled.' });
    await ok(t, k.intake, region.id, 'feedback', { satisfied: true });
    await t.app.runtime.settle();
    const all = (await get(t, k.admin, '/v1/events?limit=500')).json().items as { subject: string }[];
    for (const e of all) subjects.add(e.subject);
  });
  afterAll(() => t.close());

  const feed = async (key: string) => {
    const r = await get(t, key, '/v1/events?limit=500');
    expect(r.statusCode, r.body).toBe(200);
    return new Set((r.json().items as { subject: string }[]).map((e) => e.subject));
  };
  const canGet = async (key: string, subject: string) => (await get(t, key, `/v1/${subject}`)).statusCode === 200;

  it('keys are bound: defaults are the narrowest, all must be asked for, bad scopes are 400', async () => {
    const list = (await get(t, k.admin, '/v1/api-keys?limit=100')).json().items as {
      role: string;
      audience: string | null;
      scopes: string[] | null;
      side: string | null;
    }[];
    const partners = list.filter((x) => x.role === 'partner');
    expect(partners.map((x) => x.audience).sort()).toEqual(['agency', 'all', 'created', 'side', 'side']);
    expect(list.filter((x) => x.role !== 'partner').every((x) => x.audience === null && x.scopes === null)).toBe(true);
    const created = await post(t, k.admin, '/v1/api-keys', { role: 'partner', name: 'police' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ audience: 'created', scopes: ['events'] });
    const bad = await post(t, k.admin, '/v1/api-keys', { role: 'partner', scopes: ['cases', 'write'] });
    expect(bad.statusCode).toBe(400);
    const noSide = await post(t, k.admin, '/v1/api-keys', { role: 'partner', audience: 'side' });
    expect(noSide.statusCode).toBe(400);
    expect(noSide.json().errors[0].field).toBe('body/audience');
    const notPartner = await post(t, k.admin, '/v1/api-keys', { role: 'intake', audience: 'all' });
    expect(notPartner.statusCode).toBe(400);
  });

  it('an unbound partner sees only its own complaints’ events — no case, filing or assignment, nothing of the other side', async () => {
    const seen = await feed(k.hotline);
    expect(seen.size).toBeGreaterThan(0);
    for (const s of seen) expect(s).toMatch(/^complaints\//);
    expect([...seen].length).toBe(1);
    expect(await feed(k.noEvents)).toEqual(new Set());
  });

  it('for every key: every event it sees has a subject it can GET; every subject it cannot GET has no event in its feed', async () => {
    expect(subjects.size).toBeGreaterThan(8);
    for (const [name, key] of Object.entries(k)) {
      if (name === 'noEvents') continue;
      const seen = await feed(key);
      for (const s of subjects) {
        if (!/^(complaints|assignments|cases|filings)\//.test(s)) continue;
        const can = await canGet(key, s);
        if (seen.has(s)) expect(can, `${name} sees events of ${s} but cannot GET it`).toBe(true);
        if (!can) expect(seen.has(s), `${name} cannot GET ${s} but sees its events`).toBe(false);
      }
    }
  });

  it('webhooks follow the same rule: an unbound partner’s subscription gets only its own complaints’ events', async () => {
    const rx = await new Receiver().start();
    try {
      await subscribe(t, k.hotline, { url: rx.url, types: ['*'] });
      const own = await create(t, k.hotline, { location: { lat: 44.09, lng: 86.09 }, category: 'soil' });
      const other = await create(t, k.intake, { location: AT.corps, category: 'soil' });
      await ok(t, k.intake, own.id, 'accept');
      await ok(t, k.intake, other.id, 'accept');
      await t.app.runtime.settle();
      const got = rx.requests.map((r) => r.json.subject as string);
      expect(got).toContain(`complaints/${own.id}`);
      for (const s of got) expect(s).toBe(`complaints/${own.id}`);
      for (const s of got) expect(await canGet(k.hotline, s)).toBe(true);
    } finally {
      await rx.close();
    }
  });

  it('the audience widens what a partner reads: side, agency subtree, all', async () => {
    const complaintsOf = async (key: string) => ((await get(t, key, '/v1/complaints?limit=100')).json().items as { id: string }[]).length;
    expect(await complaintsOf(k.hotline)).toBe(2); // its two (one from the webhook case above)
    expect(await complaintsOf(k.everything)).toBe(6);
    const region = await complaintsOf(k.regionStats);
    const d8 = await complaintsOf(k.d8Platform);
    expect(region).toBeGreaterThanOrEqual(3); // the region ones, and the one that was on region ground before its re-route
    expect(d8).toBe(4); // the two corps ones, the re-routed one, and the joint one near the seam (co-handling D8)
  });
});
