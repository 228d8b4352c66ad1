import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { caseApp, createCase, DEMO_POINTS, walk, type CaseTest } from '../cases/helpers.js';
import { events } from '../../src/outbox/tables.js';
import { timers } from '../../src/queue/tables.js';

/**
 * "Opening a case from complaints links them both ways; those complaints' reporters are answered
 * through the complaint flow when the case closes." End to end over HTTP on the demo map.
 */
describeModes('complaints answered when the case opened from them closes', (mode) => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp({ mode });
  });
  afterAll(() => t.close());

  /** ≈ 220 m from the Changji centre: a duplicate of a complaint there (500 m default). */
  const nearChangji = { lat: DEMO_POINTS.changjiCenter.lat + 0.002, lng: DEMO_POINTS.changjiCenter.lng };
  /** ≈ 4 km away: its own complaint. */
  const otherChangji = { lat: DEMO_POINTS.changjiCenter.lat - 0.04, lng: DEMO_POINTS.changjiCenter.lng };

  const complaint = async (location: { lat: number; lng: number }, category = 'air') => {
    const r = await t.req('intake', 'POST', '/v1/complaints', {
      channel: 'phone',
      category,
      description: 'Black smoke from the boiler chimney every night',
      location,
      reporter: { name: 'Li', phone: '13900000000', anonymous: false },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; number: string; queryCode: string; duplicateOf: string | null };
  };
  const accept = async (id: string) => expect((await t.req('intake', 'POST', `/v1/complaints/${id}/accept`)).statusCode).toBe(200);
  const detail = async (id: string) => (await t.req('admin', 'GET', `/v1/complaints/${id}`)).json();
  const lookup = (c: { number: string; queryCode: string }) =>
    t.app.inject({ url: `/v1/public/complaints/${encodeURIComponent(c.number)}?code=${encodeURIComponent(c.queryCode)}`, remoteAddress: '10.9.0.1' });
  const replied = (id: string) =>
    t.app.deps.db
      .select()
      .from(events)
      .where(and(eq(events.subject, `complaints/${id}`), eq(events.type, 'complaint.replied')))
      .orderBy(asc(events.sequence))
      .all();

  it('closing the case replies each open linked complaint and its duplicates, in the closing transaction', async () => {
    const master = await complaint(DEMO_POINTS.changjiCenter);
    const dup = await complaint(nearChangji);
    expect(dup.duplicateOf).toBe(master.id);
    const early = await complaint(otherChangji, 'water');
    for (const c of [master, dup, early]) await accept(c.id);
    await t.app.runtime.settle();
    expect(await detail(master.id)).toMatchObject({ status: 'routed' });
    expect(await detail(dup.id)).toMatchObject({ status: 'accepted', duplicateOf: master.id });

    // `early` was already answered by hand: the case closing must not answer it again.
    expect((await t.req('intake', 'POST', `/v1/complaints/${early.id}/reply`, { text: 'Handled by the water team.' })).statusCode).toBe(200);

    const c = await createCase(t, { origin: { kind: 'complaint', complaintIds: [master.id, early.id] } });
    expect(c.origin).toEqual({ kind: 'complaint', complaintIds: [master.id, early.id].sort() });
    await t.app.runtime.settle();

    await walk(t, c.id, ['investigating', 'pending_decision', 'decided', 'executing']);
    await t.app.runtime.settle();
    // Not closed yet: nobody is answered.
    expect(await detail(master.id)).toMatchObject({ status: 'routed', reply: null });
    expect(replied(master.id)).toEqual([]);

    await walk(t, c.id, ['closed']);
    await t.app.runtime.settle();

    for (const id of [master.id, dup.id]) {
      const d = await detail(id);
      expect(d.status, id).toBe('replied');
      expect(d.reply.by).toBe(`case:${c.id}`);
      expect(d.reply.text).toContain(c.number);
      expect(d.reply.text).toContain('Fine of 50,000 yuan');
      expect(d.reply.text).toContain('昌环罚〔2026〕1号');
      expect(d.deadlines.overdue).toBe(false);
      // one replied event each, naming the case (never the reply text or the reporter)
      const ev = replied(id);
      expect(ev).toHaveLength(1);
      expect(ev[0].data).toMatchObject({ id, status: 'replied', by: `case:${c.id}`, caseId: c.id, caseNumber: c.number });
      expect(JSON.stringify(ev[0].data)).not.toContain('Fine of 50,000');
      expect(JSON.stringify(ev[0].data)).not.toContain('13900000000');
      // the auto-close timer runs from the reply
      const timer = t.app.deps.db
        .select()
        .from(timers)
        .where(eq(timers.id, `c-close-${id}`))
        .get();
      expect(timer?.name).toBe('complaint.auto-close');
    }
    expect(replied(dup.id)[0].data).toMatchObject({ viaMaster: master.id });

    // The complaint answered by hand keeps its answer and gets no second reply.
    expect((await detail(early.id)).reply.text).toBe('Handled by the water team.');
    expect(replied(early.id)).toHaveLength(1);

    // The reporter sees it on the public lookup.
    const pub = await lookup(master);
    expect(pub.statusCode).toBe(200);
    expect(pub.json()).toMatchObject({ number: master.number, status: 'replied' });
    expect(pub.json().reply).toContain(c.number);
    expect(pub.json().reply).toContain('Fine of 50,000 yuan');
    expect((await lookup(dup)).json().reply).toContain(c.number);

    // N days after the reply the complaints close on their own, like any replied complaint.
    t.clock.advanceHours(24 * t.config.complaintAutoCloseDays + 1);
    await t.app.runtime.settle();
    expect(await detail(master.id)).toMatchObject({ status: 'closed', closeReason: 'auto' });
    expect(await detail(dup.id)).toMatchObject({ status: 'closed', closeReason: 'auto' });
  });

  it('a linked complaint never accepted is not answered by the case (it was never in handling)', async () => {
    const received = await complaint({ lat: DEMO_POINTS.changjiCenter.lat + 0.08, lng: DEMO_POINTS.changjiCenter.lng }, 'noise');
    const c = await createCase(t, { category: 'noise', origin: { kind: 'complaint', complaintIds: [received.id] } });
    await walk(t, c.id, ['investigating', 'pending_decision', 'decided', 'executing', 'closed']);
    await t.app.runtime.settle();
    expect(await detail(received.id)).toMatchObject({ status: 'received', reply: null });
    expect(replied(received.id)).toEqual([]);
  });
});
