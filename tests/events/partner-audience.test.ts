import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { AT, TEAM, assignmentsOf, create, get, ok, post, seedMap } from '../intake/helpers.js';
import { inTx } from '../../src/db/client.js';
import { issueKey } from '../../src/keys/service.js';
import { Receiver, subscribe } from './helpers.js';
import { DEMO_POINTS, SEAM, filingApp, filingsOf, newCase, type CaseTest } from '../filings/helpers.js';

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

/**
 * The `cases` and `filings` scopes: a partner bound to an audience reads the cases and filings of
 * it — and sees exactly their events — on the demo data of both sides (a Changji case, a joint
 * case on the seam east of Shihezi cross-filed to XPCC-D8, a Shihezi case).
 */
describeModes('partner scopes cases and filings', (mode) => {
  let t: CaseTest;
  let k: Record<string, string>;
  const ids: Record<string, string> = {};
  const subjects = new Set<string>();
  beforeAll(async () => {
    t = await filingApp(mode);
    const partner = (b: Record<string, unknown>) => inTx(t.app.deps.db, (tx) => issueKey(tx, t.clock, { role: 'partner', ...b }, null)).key;
    k = {
      admin: t.admin,
      d8Supervisor: t.keys.d8Supervisor,
      unbound: t.keys.partner,
      regionAll: partner({ side: 'region', scopes: ['events', 'cases', 'filings'] }),
      d8Cases: partner({ agencyCode: 'XPCC-D8', scopes: ['events', 'cases', 'filings'] }),
      allCases: partner({ audience: 'all', scopes: ['events', 'cases'] }),
      regionComplaints: partner({ side: 'region', scopes: ['events', 'complaints'] }),
      casesNoEvents: partner({ audience: 'all', scopes: ['cases', 'filings'] }),
    };
    ids.changji = (await newCase(t)).id;
    ids.joint = (await newCase(t, { location: SEAM })).id;
    ids.shihezi = (await newCase(t, { leadAgencyCode: 'XPCC-D8', location: DEMO_POINTS.shiheziCenter }, 'd8Inspector')).id;
    await t.app.runtime.settle();
    ids.filing = filingsOf(t, ids.joint)[0].id;
    const all = (await t.req('admin', 'GET', '/v1/events?limit=500')).json().items as { subject: string }[];
    for (const e of all) subjects.add(e.subject);
  });
  afterAll(() => t.close());

  const get = (key: string, url: string) => t.app.inject({ method: 'GET', url, headers: t.auth(key) });
  const feed = async (key: string) => {
    const r = await get(key, '/v1/events?limit=500');
    expect(r.statusCode, r.body).toBe(200);
    return new Set((r.json().items as { subject: string }[]).map((e) => e.subject));
  };
  const canGet = async (key: string, subject: string) => (await get(key, `/v1/${subject}`)).statusCode === 200;
  const listed = async (key: string, url: string) => ((await get(key, url)).json().items as { id: string }[]).map((x) => x.id).sort();

  it('GET follows the audience: side, agency subtree (incl. what was filed to it), all; no scope → 404', async () => {
    const c = (id: string) => `cases/${id}`;
    const f = `filings/${ids.filing}`;
    const expected: Record<string, [string, boolean][]> = {
      regionAll: [
        [c(ids.changji), true],
        [c(ids.joint), true],
        [c(ids.shihezi), false],
        [f, true],
      ],
      d8Cases: [
        [c(ids.changji), false],
        [c(ids.joint), true], // cross-filed to XPCC-D8
        [c(ids.shihezi), true],
        [f, true],
      ],
      allCases: [
        [c(ids.changji), true],
        [c(ids.joint), true],
        [c(ids.shihezi), true],
        [f, false], // no filings scope
      ],
      regionComplaints: [
        [c(ids.changji), false],
        [f, false],
      ],
      unbound: [
        [c(ids.changji), false],
        [f, false],
      ],
    };
    for (const [name, cells] of Object.entries(expected))
      for (const [subject, can] of cells) expect(await canGet(k[name], subject), `${name} GET ${subject}`).toBe(can);
    expect(await listed(k.regionAll, '/v1/cases?limit=100')).toEqual([ids.changji, ids.joint].sort());
    expect(await listed(k.d8Cases, '/v1/cases?limit=100')).toEqual([ids.joint, ids.shihezi].sort());
    expect(await listed(k.allCases, '/v1/cases?limit=100')).toEqual(
      Object.values(ids)
        .filter((x) => x !== ids.filing)
        .sort(),
    );
    expect(await listed(k.d8Cases, '/v1/filings?limit=100')).toEqual([ids.filing]);
    expect((await get(k.allCases, '/v1/filings?limit=100')).json().items).toEqual([]);
    // the timeline too; a read-only scope never writes
    expect((await get(k.d8Cases, `/v1/cases/${ids.shihezi}/timeline`)).statusCode).toBe(200);
    const note = await t.app.inject({ method: 'POST', url: `/v1/cases/${ids.shihezi}/notes`, headers: t.auth(k.d8Cases), payload: { text: 'x' } });
    expect(note.statusCode).toBe(403);
  });

  it('for every key: every event it sees has a subject it can GET; every subject it cannot GET has no event in its feed', async () => {
    expect([...subjects].filter((s) => s.startsWith('cases/')).length).toBe(3);
    expect([...subjects].some((s) => s.startsWith('filings/'))).toBe(true);
    for (const [name, key] of Object.entries(k)) {
      const seen = await feed(key);
      if (name === 'casesNoEvents') expect(seen.size).toBe(0);
      for (const s of subjects) {
        if (!/^(complaints|assignments|cases|filings)\//.test(s)) continue;
        const can = await canGet(key, s);
        if (seen.has(s)) expect(can, `${name} sees events of ${s} but cannot GET it`).toBe(true);
        if (!can) expect(seen.has(s), `${name} cannot GET ${s} but sees its events`).toBe(false);
      }
    }
    // the same rule for the agency keys of both sides: inspectors (several teams in one agency) and supervisors
    for (const name of ['changjiInspector', 'd8Inspector', 'changjiSupervisor', 'changjiPrefSupervisor', 'd8Supervisor', 'd6Supervisor', 'urumqiSupervisor']) {
      const key = t.keys[name];
      const seen = await feed(key);
      for (const s of subjects) {
        if (!/^(complaints|assignments|cases|filings)\//.test(s)) continue;
        const can = await canGet(key, s);
        if (seen.has(s)) expect(can, `${name} sees events of ${s} but cannot GET it`).toBe(true);
        if (!can) expect(seen.has(s), `${name} cannot GET ${s} but sees its events`).toBe(false);
      }
    }
    // and the scopes do reach events: not vacuous
    expect(await feed(k.d8Cases)).toEqual(new Set([`cases/${ids.joint}`, `cases/${ids.shihezi}`, `filings/${ids.filing}`]));
    for (const s of await feed(k.allCases)) expect(s).toMatch(/^cases\//);
  });

  it('webhooks follow the same rule: a D8 partner’s subscription gets the D8 case events, not the region ones', async () => {
    const rx = await new Receiver().start();
    try {
      await subscribe(t, k.d8Cases, { url: rx.url, types: ['*'] });
      const region = await newCase(t, { location: { lng: DEMO_POINTS.changjiCenter.lng, lat: DEMO_POINTS.changjiCenter.lat + 0.01 } });
      const corps = await newCase(t, { leadAgencyCode: 'XPCC-D8', location: DEMO_POINTS.shiheziCenter }, 'd8Inspector');
      await t.app.runtime.settle();
      const got = rx.requests.map((r) => r.json.subject as string);
      expect(got).toContain(`cases/${corps.id}`);
      expect(got).not.toContain(`cases/${region.id}`);
      for (const s of new Set(got)) expect(await canGet(k.d8Cases, s), s).toBe(true);
    } finally {
      await rx.close();
    }
  });
});
