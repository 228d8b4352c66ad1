import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { jobs } from '../../src/queue/tables.js';
import { chinaDate, dayCountDeadline, dayCountDeadlineFrom } from '../../src/calendar.js';
import { AT, TEAM, act, assignmentsOf, create, eventsOf, eventsOfType, get, keys, ok, post, row, seedMap } from './helpers.js';

/** The queued route job caused by the complaint.accepted event (both runtimes). */
async function routeJobPriority(t: TestApp, complaintId: string): Promise<number | undefined> {
  const ev = eventsOf(t, complaintId).find((e) => e.type === 'complaint.accepted')!;
  const id = `route-${ev.id}`;
  if (t.app.runtime.mode === 'embedded') return t.app.deps.db.select().from(jobs).where(eq(jobs.id, id)).get()?.priority;
  const q = (t.app.runtime as unknown as { queues: Map<string, { getJob(id: string): Promise<{ opts: { priority?: number } } | undefined> }> }).queues.get(
    'route',
  )!;
  return (await q.getJob(id))?.opts.priority;
}

describeModes('complaint lifecycle', (mode) => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  it('received → accepted → routed → in_progress (lead claimed) → replied → closed by feedback', async () => {
    const c = await create(t, k.intake, { location: AT.region });
    const accepted = await ok(t, k.intake, c.id, 'accept');
    expect(accepted.status).toBe('accepted');
    // 60 days from the day after acceptance, ending 24:00 China time (tests/intake/deadlines.test.ts has worked examples)
    expect(accepted.deadlines.replyDueAt).toBe(dayCountDeadlineFrom(t.clock.now(), 60).dueAt.toISOString());
    await t.app.runtime.settle();

    const routed = (await get(t, k.intake, `/v1/complaints/${c.id}`)).json();
    expect(routed.status).toBe('routed');
    expect(routed.routing).toMatchObject({ side: 'region', agencyCode: 'CJS', teamId: TEAM.cjsAir, joint: false, triage: false });
    expect(routed.routing.assignments).toHaveLength(1);
    const routedEvent = eventsOf(t, c.id).find((e) => e.type === 'complaint.routed')!;
    expect(routedEvent).toMatchObject({ side: 'region', agencyCode: 'CJS', category: 'air' });

    // the team claims its lead assignment → in_progress
    const [a] = assignmentsOf(t, c.id);
    const claim = await post(t, k.cjsAir, `/v1/assignments/${a.id}/claim`);
    expect(claim.statusCode, claim.body).toBe(200);
    await t.app.runtime.settle();
    expect(row(t, c.id).status).toBe('in_progress');

    const replied = await ok(t, k.cjsAir, c.id, 'reply', { text: 'Inspected; the boiler was shut down and fined.' });
    expect(replied).toMatchObject({ status: 'replied', reply: { text: 'Inspected; the boiler was shut down and fined.' } });
    const closed = await ok(t, k.intake, c.id, 'feedback', { satisfied: true, comment: 'thanks' });
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'feedback', feedback: { satisfied: true, comment: 'thanks' } });

    const types = eventsOf(t, c.id).map((e) => e.type);
    expect(types).toEqual(['complaint.received', 'complaint.accepted', 'complaint.routed', 'complaint.in_progress', 'complaint.replied', 'complaint.closed']);
    const detail = (await get(t, k.intake, `/v1/complaints/${c.id}`)).json();
    expect(detail.history.map((h: { type: string }) => h.type)).toEqual(types);
    // routing is once: a later settle creates no second assignment
    await t.app.runtime.settle();
    expect(assignmentsOf(t, c.id)).toHaveLength(1);
  });

  it('a corps point routes to the corps team; start is also an explicit action', async () => {
    const c = await create(t, k.intake, { location: AT.corps });
    await ok(t, k.intake, c.id, 'accept');
    await t.app.runtime.settle();
    expect(row(t, c.id)).toMatchObject({ status: 'routed', side: 'corps', agencyCode: 'XPCC-D8', teamId: TEAM.d8All });
    // a region inspector does not see it; the corps team does
    expect((await act(t, k.cjsAir, c.id, 'start')).statusCode).toBe(404);
    expect((await ok(t, k.d8All, c.id, 'start')).status).toBe('in_progress');
  });

  it('a point in no area goes to the center’s triage; a point near the seam is joint', async () => {
    const lost = await create(t, k.intake, { location: { lat: 45.5, lng: 84.5 } });
    await ok(t, k.intake, lost.id, 'accept');
    const seam = await create(t, k.intake, { location: { lat: 44.05, lng: 86.1 - 300 / 79_950 }, category: 'noise' });
    await ok(t, k.intake, seam.id, 'accept');
    await t.app.runtime.settle();
    const l = (await get(t, k.intake, `/v1/complaints/${lost.id}`)).json();
    expect(l.status).toBe('routed');
    expect(l.routing).toMatchObject({ side: null, agencyCode: null, triage: true });
    const s = (await get(t, k.intake, `/v1/complaints/${seam.id}`)).json();
    expect(s.routing).toMatchObject({ side: 'region', agencyCode: 'CJS', joint: true });
    expect(s.routing.assignments.map((a: { role: string; side: string }) => [a.role, a.side])).toEqual([
      ['lead', 'region'],
      ['co_handling', 'corps'],
    ]);
    // the co-handling side sees it too (supervisor and team), and its events reach them
    expect((await get(t, k.supD8, `/v1/complaints/${seam.id}`)).statusCode).toBe(200);
    expect((await get(t, k.d8All, `/v1/complaints/${seam.id}`)).statusCode).toBe(200);
    const routedEv = eventsOf(t, seam.id).find((e) => e.type === 'complaint.routed')!;
    const audience = t.app.deps.db.$client.prepare('SELECT key FROM event_audience WHERE position = ?').all(routedEv.position) as { key: string }[];
    expect(audience.map((a) => a.key)).toEqual(expect.arrayContaining(['agency:CJS', 'agency:XPCC-D8', `team:${TEAM.d8All}`, 'side:region']));
  });

  it('urgent complaints are routed with queue priority 1, others 5', async () => {
    const urgent = await create(t, k.intake, { urgent: true, location: AT.region });
    const normal = await create(t, k.intake, { location: AT.farRegion, category: 'water' });
    await ok(t, k.intake, urgent.id, 'accept');
    await ok(t, k.intake, normal.id, 'accept');
    await t.app.runtime.settle();
    expect(await routeJobPriority(t, urgent.id)).toBe(1);
    expect(await routeJobPriority(t, normal.id)).toBe(5);
    expect(row(t, urgent.id).status).toBe('routed');
  });

  it('not accepted with a reason, and transferred to a named department; neither is routed', async () => {
    const a = await create(t, k.intake);
    const r = await ok(t, k.intake, a.id, 'reject', { reason: 'A matter for the courts; apply there.' });
    expect(r).toMatchObject({ status: 'not_accepted', statusReason: 'A matter for the courts; apply there.' });
    const b = await create(t, k.intake);
    const tr = await ok(t, k.intake, b.id, 'transfer', { department: '住房和城乡建设局', reason: 'Building noise at night' });
    expect(tr).toMatchObject({ status: 'transferred', transferredTo: '住房和城乡建设局' });
    await t.app.runtime.settle();
    expect(assignmentsOf(t, a.id)).toHaveLength(0);
    expect(assignmentsOf(t, b.id)).toHaveLength(0);
    expect(eventsOf(t, b.id).at(-1)).toMatchObject({ type: 'complaint.transferred' });
    // bad bodies
    expect((await act(t, k.intake, (await create(t, k.intake)).id, 'reject', {})).statusCode).toBe(400);
    expect((await act(t, k.intake, (await create(t, k.intake)).id, 'transfer', { reason: 'x' })).statusCode).toBe(400);
  });

  it('wrong transitions are 409 naming the current status', async () => {
    const c = await create(t, k.intake);
    for (const [action, payload] of [
      ['reply', { text: 'x' }],
      ['feedback', { satisfied: true }],
      ['close', undefined],
      ['start', undefined],
      ['extend', { days: 5, reason: 'x' }],
    ] as const) {
      const r = await act(t, k.intake, c.id, action, payload);
      expect(r.statusCode, action).toBe(409);
      expect(r.json()).toMatchObject({ currentStatus: 'received' });
      expect(r.json().detail).toMatch(/is received/);
    }
    await ok(t, k.intake, c.id, 'accept');
    const again = await act(t, k.intake, c.id, 'accept');
    expect(again.statusCode).toBe(409);
    expect(again.json().currentStatus).toMatch(/accepted|routed/);
    expect((await act(t, k.intake, c.id, 'reject', { reason: 'late' })).statusCode).toBe(409);
  });

  it('roles: only intake/admin accept; partners cannot act; unknown id 404', async () => {
    const c = await create(t, k.partner);
    expect((await act(t, k.partner, c.id, 'accept')).statusCode).toBe(403);
    expect((await act(t, k.supCJ, c.id, 'accept')).statusCode).toBe(403);
    expect((await act(t, k.intake, 'nope', 'accept')).statusCode).toBe(404);
    expect((await ok(t, k.admin, c.id, 'accept')).status).toBe('accepted');
  });

  it('If-Match: a stale version is 412, the current one works', async () => {
    const c = await create(t, k.intake);
    const g = await get(t, k.intake, `/v1/complaints/${c.id}`);
    const etag = g.headers.etag as string;
    expect(etag).toBe('"1"');
    const stale = await post(t, k.intake, `/v1/complaints/${c.id}/accept`, undefined, { 'if-match': '"7"' });
    expect(stale.statusCode).toBe(412);
    const fresh = await post(t, k.intake, `/v1/complaints/${c.id}/accept`, undefined, { 'if-match': etag });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.etag).toBe('"2"');
  });

  it('one extension, with a reason, within the legal maximum (second → 409, over max → 422)', async () => {
    const c = await create(t, k.intake);
    const acc = await ok(t, k.intake, c.id, 'accept');
    const tooLong = await act(t, k.intake, c.id, 'extend', { days: 31, reason: 'complex' });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().type).toMatch(/extension-too-long$/);
    expect((await act(t, k.intake, c.id, 'extend', { days: 10 })).statusCode).toBe(400);
    const ext = await ok(t, k.intake, c.id, 'extend', { days: 30, reason: 'Needs a lab analysis' });
    const lastDay = chinaDate(new Date(Date.parse(acc.deadlines.replyDueAt) - 1));
    expect(ext.deadlines.replyDueAt).toBe(dayCountDeadline(lastDay, 30).dueAt.toISOString());
    expect(ext.deadlines.extension).toMatchObject({ days: 30, reason: 'Needs a lab analysis' });
    const second = await act(t, k.intake, c.id, 'extend', { days: 1, reason: 'again' });
    expect(second.statusCode).toBe(409);
    expect(second.json().type).toMatch(/already-extended$/);
  });

  it('manual close only after a reply; replied complaints close by themselves after N days', async () => {
    const a = await create(t, k.intake);
    await ok(t, k.intake, a.id, 'accept');
    await ok(t, k.intake, a.id, 'reply', { text: 'Done.' });
    expect((await ok(t, k.intake, a.id, 'close')).closeReason).toBe('manual');

    const b = await create(t, k.intake);
    await ok(t, k.intake, b.id, 'accept');
    await ok(t, k.intake, b.id, 'reply', { text: 'Done.' });
    t.clock.advanceDays(14);
    await t.app.runtime.settle();
    expect(row(t, b.id).status).toBe('replied');
    t.clock.advanceDays(1);
    await t.app.runtime.settle();
    expect(row(t, b.id)).toMatchObject({ status: 'closed', closeReason: 'auto' });
    expect(eventsOf(t, b.id).at(-1)).toMatchObject({ type: 'complaint.closed' });
  });
});

describeModes('complaint deadlines', (mode) => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  const notices = (id: string) => eventsOfType(t, 'notification.created').filter((e) => e.data.subject === `complaints/${id}`);

  it('the acceptance deadline fires: overdue, event, the center is notified, ?overdue=true lists it', async () => {
    const c = await create(t, k.intake);
    const other = await create(t, k.intake, { location: AT.corps });
    await ok(t, k.intake, other.id, 'accept');
    t.clock.advanceDays(15); // 15 × 24 h: the period still runs to 24:00 China time of its last day
    await t.app.runtime.settle();
    expect(row(t, c.id).overdue).toBe(false);
    t.clock.set(new Date(Date.parse(c.acceptanceDueAt) + 1000));
    await t.app.runtime.settle();
    expect(row(t, c.id)).toMatchObject({ overdue: true, overdueDeadline: 'acceptance' });
    const ev = eventsOf(t, c.id).filter((e) => e.type === 'complaint.overdue');
    expect(ev).toHaveLength(1);
    expect(ev[0].data).toMatchObject({ deadline: 'acceptance', dueAt: c.acceptanceDueAt });
    const n = notices(c.id);
    expect(n.map((e) => e.agencyCode)).toEqual([null]); // no owner yet: the center
    const list = (await get(t, k.intake, '/v1/complaints?overdue=true')).json();
    expect(list.items.map((i: { id: string }) => i.id)).toContain(c.id);
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(other.id);
    const notOverdue = (await get(t, k.intake, '/v1/complaints?overdue=false')).json();
    expect(notOverdue.items.map((i: { id: string }) => i.id)).toContain(other.id);
    // a second sweep does not fire again
    await t.app.runtime.settle();
    expect(eventsOf(t, c.id).filter((e) => e.type === 'complaint.overdue')).toHaveLength(1);
    // accepting late clears the pending-deadline flag
    expect((await ok(t, k.intake, c.id, 'accept')).deadlines.overdue).toBe(false);
  });

  it('the reply deadline fires: the agency’s supervisors and the center are notified', async () => {
    const c = await create(t, k.intake, { location: AT.region });
    await ok(t, k.intake, c.id, 'accept');
    await t.app.runtime.settle();
    expect(row(t, c.id).agencyCode).toBe('CJS');
    t.clock.set(new Date(Date.parse(row(t, c.id).replyDueAt!) + 1000));
    await t.app.runtime.settle();
    expect(row(t, c.id)).toMatchObject({ overdue: true, overdueDeadline: 'reply' });
    expect(
      notices(c.id)
        .map((e) => e.agencyCode)
        .sort(),
    ).toEqual(['CJS', null].sort());
    // the supervisor of the agency above sees it in their overdue list
    const sup = (await get(t, k.supCJ, '/v1/complaints?overdue=true')).json();
    expect(sup.items.map((i: { id: string }) => i.id)).toContain(c.id);
  });

  it('an extension moves the reply deadline (the timer is re-scheduled)', async () => {
    const c = await create(t, k.intake);
    await ok(t, k.intake, c.id, 'accept');
    t.clock.advanceDays(50);
    await t.app.runtime.settle();
    const ext = await ok(t, k.intake, c.id, 'extend', { days: 20, reason: 'Waiting for monitoring data' });
    t.clock.advanceDays(15); // day 65: past the old deadline, before the new one
    await t.app.runtime.settle();
    expect(row(t, c.id).overdue).toBe(false);
    t.clock.set(new Date(Date.parse(ext.deadlines.replyDueAt) + 1000)); // just past the extended deadline (day 80)
    await t.app.runtime.settle();
    expect(row(t, c.id)).toMatchObject({ overdue: true, overdueDeadline: 'reply' });
  });

  it('a reply before the deadline cancels it', async () => {
    const c = await create(t, k.intake);
    await ok(t, k.intake, c.id, 'accept');
    await ok(t, k.intake, c.id, 'reply', { text: 'Answered quickly.' });
    // not satisfied: stays replied (open to review), and closes by itself when the review window passes unused
    expect(await ok(t, k.intake, c.id, 'feedback', { satisfied: false })).toMatchObject({ status: 'replied', feedback: { satisfied: false } });
    t.clock.advanceDays(90);
    await t.app.runtime.settle();
    expect(row(t, c.id)).toMatchObject({ overdue: false, status: 'closed', closeReason: 'auto', feedbackSatisfied: false });
    expect(eventsOf(t, c.id).some((e) => e.type === 'complaint.overdue')).toBe(false);
  });
});
