import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { AT, TEAM, assignmentsOf, create, eventsOf, keys, ok, post, row, seedMap } from './helpers.js';

/** PATCH /v1/complaints/{id}: intake corrects category, location, address, urgency (If-Match). */
describeModes('complaint correction', (mode) => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  const patch = (key: string, id: string, body: unknown, etag?: string) =>
    t.app.inject({
      method: 'PATCH',
      url: `/v1/complaints/${id}`,
      headers: { ...t.auth(key), ...(etag ? { 'if-match': etag } : {}) },
      payload: body as object,
    });
  const etagOf = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/complaints/${id}`, headers: t.auth(k.intake) })).headers.etag as string;
  let n = 0;
  const routedRegion = async () => {
    const c = await create(t, k.intake, { location: { lat: 44.02 + 0.01 * n++, lng: 86.03 } });
    await ok(t, k.intake, c.id, 'accept');
    await t.app.runtime.settle();
    expect(row(t, c.id)).toMatchObject({ status: 'routed', agencyCode: 'CJS', teamId: TEAM.cjsAir });
    return c;
  };

  it('If-Match is required (428) and must be current (412); nothing changes', async () => {
    const c = await routedRegion();
    const none = await patch(k.intake, c.id, { urgent: true });
    expect(none.statusCode).toBe(428);
    const stale = await patch(k.intake, c.id, { urgent: true }, '"1"');
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ currentVersion: row(t, c.id).version });
    expect(row(t, c.id).urgent).toBe(false);
  });

  it('only intake and admin correct (403 before reading); bad fields → 400 naming them', async () => {
    const c = await routedRegion();
    const etag = await etagOf(c.id);
    for (const key of [k.cjsAir, k.supCJ, k.partner]) expect((await patch(key, c.id, { urgent: true }, etag)).statusCode).toBe(403);
    const bad = await patch(k.intake, c.id, { category: 'smell' }, etag);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('category');
    expect((await patch(k.intake, c.id, { description: 'rewritten' }, etag)).statusCode).toBe(400);
    expect((await patch(k.intake, c.id, {}, etag)).statusCode).toBe(400);
    expect((await patch(k.intake, 'nope', { urgent: true }, etag)).statusCode).toBe(404);
  });

  it('urgency alone: changed, complaint.updated names the field, no re-route', async () => {
    const c = await routedRegion();
    const before = assignmentsOf(t, c.id);
    const r = await patch(k.intake, c.id, { urgent: true }, await etagOf(c.id));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ urgent: true });
    expect(r.headers.etag).toBe(`"${r.json().version}"`);
    const ev = eventsOf(t, c.id).filter((e) => e.type === 'complaint.updated');
    expect(ev.map((e) => e.data)).toEqual([expect.objectContaining({ fields: ['urgent'], rerouted: false })]);
    expect(assignmentsOf(t, c.id)).toEqual(before);
  });

  it('moved to corps ground: old assignments superseded, routed to the corps team, complaint.updated without values', async () => {
    const c = await routedRegion();
    const [old] = assignmentsOf(t, c.id);
    const claim = await post(t, k.cjsAir, `/v1/assignments/${old.id}/claim`);
    expect(claim.statusCode).toBe(200);
    await t.app.runtime.settle();
    expect(row(t, c.id).status).toBe('in_progress');
    const r = await patch(k.intake, c.id, { location: AT.corps, address: '石河子市北泉镇' }, await etagOf(c.id));
    expect(r.statusCode, r.body).toBe(200);
    // the new team must claim it: back to routed
    expect(r.json()).toMatchObject({ status: 'routed', location: AT.corps, routing: { side: 'corps', agencyCode: 'XPCC-D8', teamId: TEAM.d8All } });
    const all = assignmentsOf(t, c.id);
    expect(all.find((a) => a.id === old.id)!.status).toBe('superseded');
    const lead = all.find((a) => a.role === 'lead' && a.status === 'pending')!;
    expect(lead).toMatchObject({ teamId: TEAM.d8All, previousId: old.id });
    const ev = eventsOf(t, c.id).filter((e) => e.type === 'complaint.updated');
    expect(ev).toHaveLength(1);
    expect(ev[0].data).toMatchObject({ fields: ['location', 'address'], rerouted: true });
    expect(JSON.stringify(ev[0].data)).not.toMatch(/86\.17|北泉/);
    // the former team keeps read access and loses writes; the new one sees it
    expect((await t.app.inject({ method: 'GET', url: `/v1/complaints/${c.id}`, headers: t.auth(k.cjsAir) })).statusCode).toBe(200);
    expect((await post(t, k.cjsAir, `/v1/complaints/${c.id}/reply`, { text: 'x' })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/v1/complaints/${c.id}`, headers: t.auth(k.d8All) })).statusCode).toBe(200);
    expect((await post(t, k.cjsAir, `/v1/assignments/${old.id}/claim`)).statusCode).toBe(409);
  });

  it('a correction that leaves the resolved owner unchanged does not re-route', async () => {
    const c = await routedRegion();
    const r = await patch(k.intake, c.id, { category: 'noise' }, await etagOf(c.id));
    expect(r.json()).toMatchObject({ category: 'noise', routing: { teamId: TEAM.cjsAir } }); // the air team also handles noise
    expect(eventsOf(t, c.id).find((e) => e.type === 'complaint.updated')!.data).toMatchObject({ fields: ['category'], rerouted: false });
    expect(assignmentsOf(t, c.id).filter((a) => a.status === 'superseded')).toHaveLength(0);
  });

  it('only while open: a replied complaint → 409', async () => {
    const c = await routedRegion();
    await ok(t, k.intake, c.id, 'reply', { text: 'Done.' });
    const r = await patch(k.intake, c.id, { urgent: true }, await etagOf(c.id));
    expect(r.statusCode).toBe(409);
    expect(r.json().type).toMatch(/complaint-not-open$/);
  });

  it('a received complaint is corrected before routing; routing then uses the new place', async () => {
    const c = await create(t, k.intake, { location: AT.farRegion });
    const r = await patch(k.intake, c.id, { location: AT.corps }, await etagOf(c.id));
    expect(r.statusCode).toBe(200);
    await ok(t, k.intake, c.id, 'accept');
    await t.app.runtime.settle();
    expect(row(t, c.id)).toMatchObject({ agencyCode: 'XPCC-D8', teamId: TEAM.d8All });
  });
});
