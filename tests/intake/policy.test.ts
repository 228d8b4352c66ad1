import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { AT, TEAM, act, assignmentsOf, create, get, keys, ok, post, row, seedMap } from './helpers.js';

/** Finding 1: who may reply, start and extend — the same rule for every path (mayActOnComplaint). */
describeModes('complaint action policy', (mode) => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  const routedAt = async (location: { lat: number; lng: number }) => {
    const c = await create(t, k.intake, { location });
    await ok(t, k.intake, c.id, 'accept');
    await t.app.runtime.settle();
    return c;
  };
  const openLead = (id: string) => assignmentsOf(t, id).find((a) => a.role === 'lead' && (a.status === 'pending' || a.status === 'claimed'))!;

  it('a team that declined keeps read access and loses every write: reply and start → 403 naming the rule', async () => {
    const c = await routedAt(AT.region);
    const first = openLead(c.id);
    expect(first.teamId).toBe(TEAM.cjsAir);
    expect((await post(t, k.cjsAir, `/v1/assignments/${first.id}/decline`, { reason: 'corps ground', suggestedAgencyCode: 'XPCC-D8' })).statusCode).toBe(200);
    await t.app.runtime.settle();
    expect(openLead(c.id).teamId).toBe(TEAM.d8All);

    expect((await get(t, k.cjsAir, `/v1/complaints/${c.id}`)).statusCode).toBe(200);
    const r = await act(t, k.cjsAir, c.id, 'reply', { text: 'We handled it.' });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ rule: 'reply:lead-team', status: 403 });
    expect((await act(t, k.cjsAir, c.id, 'start')).json()).toMatchObject({ rule: 'start:lead-team' });
    // the supervisors of the declining agency no longer hold the lead either
    expect((await act(t, k.supCJ, c.id, 'reply', { text: 'x' })).json()).toMatchObject({ rule: 'reply:lead-agency-supervisor' });
    expect((await act(t, k.supCJ, c.id, 'extend', { days: 5, reason: 'x' })).json()).toMatchObject({ rule: 'extend:lead-agency-supervisor' });
    expect(row(t, c.id).status).toBe('routed');
    // the assignment itself: declined is no longer open → 409
    expect((await post(t, k.cjsAir, `/v1/assignments/${first.id}/claim`)).statusCode).toBe(409);

    // the new lead team: only after claiming may it reply
    const lead = openLead(c.id);
    expect((await act(t, k.d8All, c.id, 'reply', { text: 'x' })).json()).toMatchObject({ rule: 'reply:lead-team' });
    expect((await post(t, k.d8All, `/v1/assignments/${lead.id}/claim`)).statusCode).toBe(200);
    await t.app.runtime.settle();
    expect((await ok(t, k.d8All, c.id, 'reply', { text: 'Sealed the outlet.' })).status).toBe('replied');
  });

  it('the lead agency’s supervisors (and above) and the center may reply; a co-handling or other team may not', async () => {
    const a = await routedAt(AT.corps);
    expect((await act(t, k.cjsAir, a.id, 'reply', { text: 'x' })).statusCode).toBe(404); // cannot see it
    expect((await ok(t, k.supD8, a.id, 'reply', { text: 'By the division.' })).status).toBe('replied');
    const b = await routedAt(AT.corps);
    expect((await ok(t, k.intake, b.id, 'reply', { text: 'By the center.' })).status).toBe('replied');
    const c = await routedAt(AT.corps);
    expect((await ok(t, k.supD8, c.id, 'extend', { days: 5, reason: 'lab results' })).deadlines.extension).toMatchObject({ days: 5 });
    expect((await ok(t, k.d8All, c.id, 'start')).status).toBe('in_progress');
  });
});
