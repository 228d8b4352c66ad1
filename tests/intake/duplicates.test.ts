import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { AT, act, assignmentsOf, create, eventsOf, get, keys, ok, post, row, seedMap } from './helpers.js';

describeModes('duplicate complaints', (mode) => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  it('same category within the radius and window of an open one → duplicateOf; other category, far away or too late → not', async () => {
    const master = await create(t, k.intake, { location: AT.region });
    const dup = await create(t, k.partner, { location: AT.nearRegion });
    expect(dup.duplicateOf).toBe(master.id);
    expect(eventsOf(t, dup.id).map((e) => e.type)).toEqual(['complaint.received', 'complaint.duplicate_linked']);
    expect((await create(t, k.intake, { location: AT.nearRegion, category: 'noise' })).duplicateOf).toBeNull();
    expect((await create(t, k.intake, { location: AT.farRegion })).duplicateOf).toBeNull();
    // no location → no spatial dedup
    expect((await create(t, k.intake, { location: undefined, address: 'x', adminCode: '652301' })).duplicateOf).toBeNull();
    t.clock.advanceHours(73);
    expect((await create(t, k.intake, { location: AT.nearRegion })).duplicateOf).toBeNull();
    const d = (await get(t, k.intake, `/v1/complaints/${master.id}`)).json();
    expect(d.duplicates.map((x: { id: string }) => x.id)).toEqual([dup.id]);
  });

  it('a duplicate is not routed; replying the master replies every open duplicate with its own event', async () => {
    t.clock.advanceDays(10);
    const master = await create(t, k.intake, { location: AT.corps, category: 'water' });
    const d1 = await create(t, k.intake, { location: { lat: AT.corps.lat + 0.001, lng: AT.corps.lng }, category: 'water' });
    const d2 = await create(t, k.partner, { location: { lat: AT.corps.lat, lng: AT.corps.lng + 0.001 }, category: 'water' });
    expect([d1.duplicateOf, d2.duplicateOf]).toEqual([master.id, master.id]);
    await ok(t, k.intake, master.id, 'accept');
    await ok(t, k.intake, d1.id, 'accept');
    await t.app.runtime.settle();
    expect(assignmentsOf(t, master.id)).toHaveLength(1);
    expect(assignmentsOf(t, d1.id)).toHaveLength(0);
    expect(row(t, d1.id).status).toBe('accepted');
    // the team handling the master sees its duplicates too
    expect((await get(t, k.d8All, `/v1/complaints/${d2.id}`)).statusCode).toBe(200);

    expect((await post(t, k.d8All, `/v1/assignments/${assignmentsOf(t, master.id)[0].id}/claim`)).statusCode).toBe(200);
    await ok(t, k.d8All, master.id, 'reply', { text: 'The discharge pipe was sealed.' });
    for (const d of [d1, d2]) {
      expect(row(t, d.id)).toMatchObject({ status: 'replied', replyText: 'The discharge pipe was sealed.' });
      const replied = eventsOf(t, d.id).filter((e) => e.type === 'complaint.replied');
      expect(replied).toHaveLength(1);
      expect(replied[0].data).toMatchObject({ viaMaster: master.id });
    }
    // every reporter can look the reply up with their own code
    const pub = await t.app.inject({ url: `/v1/public/complaints/${d2.number}?code=${d2.queryCode}` });
    expect(pub.json()).toMatchObject({ status: 'replied', reply: 'The discharge pipe was sealed.' });
  });

  it('intake can unlink a duplicate (an accepted one is then routed) and merge complaints by hand', async () => {
    t.clock.advanceDays(10);
    const master = await create(t, k.intake, { location: AT.region, category: 'noise' });
    const dup = await create(t, k.intake, { location: AT.nearRegion, category: 'noise' });
    expect(dup.duplicateOf).toBe(master.id);
    await ok(t, k.intake, dup.id, 'accept');
    await t.app.runtime.settle();
    expect(assignmentsOf(t, dup.id)).toHaveLength(0);
    expect((await act(t, k.supCJ, dup.id, 'unlink')).statusCode).toBe(403);
    const un = await ok(t, k.intake, dup.id, 'unlink');
    expect(un.duplicateOf).toBeNull();
    await t.app.runtime.settle();
    expect(assignmentsOf(t, dup.id)).toHaveLength(1);
    expect(row(t, dup.id).status).toBe('routed');
    expect((await act(t, k.intake, dup.id, 'unlink')).statusCode).toBe(409);

    // merge: a far complaint with its own duplicate joins the master; its duplicate follows
    const far = await create(t, k.intake, { location: AT.farRegion, category: 'noise' });
    const farDup = await create(t, k.intake, { location: { lat: AT.farRegion.lat + 0.001, lng: AT.farRegion.lng }, category: 'noise' });
    expect(farDup.duplicateOf).toBe(far.id);
    const merged = await ok(t, k.intake, far.id, 'merge', { into: master.id });
    expect(merged.duplicateOf).toBe(master.id);
    expect(row(t, farDup.id).duplicateOf).toBe(master.id);
    // merging into itself (or into one of its duplicates) is refused
    expect((await act(t, k.intake, master.id, 'merge', { into: far.id })).statusCode).toBe(422);
    expect((await act(t, k.intake, master.id, 'merge', { into: 'missing' })).statusCode).toBe(404);
    expect((await act(t, k.intake, master.id, 'merge', {})).statusCode).toBe(400);
  });
});
