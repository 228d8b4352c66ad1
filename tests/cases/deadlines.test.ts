import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { caseApp, createCase, transition, walk, type CaseTest } from './helpers.js';
import { eventAudience, events } from '../../src/outbox/tables.js';
import { assignments } from '../../src/assignments/tables.js';

describeModes('case deadlines and routing', (mode) => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp({ mode });
  });
  afterAll(() => t.close());

  const get = async (id: string) => (await t.req('admin', 'GET', `/v1/cases/${id}`)).json();
  const eventsOf = (id: string, type: string) =>
    t.app.deps.db
      .select()
      .from(events)
      .where(and(eq(events.subject, `cases/${id}`), eq(events.type, type)))
      .all();
  const notificationsFor = (caseId: string) =>
    t.app.deps.db
      .select()
      .from(events)
      .where(eq(events.type, 'notification.created'))
      .all()
      .filter((e) => e.data.caseId === caseId);
  const audienceOf = (position: number) =>
    t.app.deps.db
      .select()
      .from(eventAudience)
      .where(eq(eventAudience.position, position))
      .all()
      .map((a) => a.key);
  const extend = (id: string, body: Record<string, unknown>) =>
    t.req('changjiInspector', 'POST', `/v1/cases/${id}/extend`, { reason: 'lab tests pending', approvedBy: '局长 李某', ...body });

  it('a registered case is routed to a team of the lead agency (route.subject job)', async () => {
    const c = await createCase(t);
    await t.app.runtime.settle();
    const after = await get(c.id);
    expect(after.leadTeamId).toBe('team-652301-air');
    const a = t.app.deps.db.select().from(assignments).where(eq(assignments.subjectId, c.id)).all();
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ subjectKind: 'case', role: 'lead', teamId: 'team-652301-air' });
    expect(eventsOf(c.id, 'case.routed')).toHaveLength(1);
    // Running the relay/jobs again changes nothing.
    await t.app.runtime.settle();
    expect(t.app.deps.db.select().from(assignments).where(eq(assignments.subjectId, c.id)).all()).toHaveLength(1);
  });

  it('no decision within 90 days → overdue event, and the lead agency’s and its parent’s supervisors are notified', async () => {
    const c = await createCase(t);
    // Registered Mon 2026-03-02 10:00 China time: day 90 is Sun 05-31, not a working day, so the
    // period ends at 24:00 China time of Mon 06-01 (= 16:00 UTC), not at registration + 90 × 24 h.
    expect(t.clock.now().toISOString()).toBe('2026-03-02T02:00:00.000Z');
    expect(c.decisionDueAt).toBe('2026-06-01T16:00:00.000Z');
    await t.app.runtime.settle();
    t.clock.set(new Date(Date.parse(c.decisionDueAt) - 1000));
    await t.app.runtime.settle();
    expect((await get(c.id)).overdue).toBe(false);
    expect(eventsOf(c.id, 'case.overdue')).toHaveLength(0);
    t.clock.advance(2000);
    await t.app.runtime.settle();
    const after = await get(c.id);
    expect(after).toMatchObject({ overdue: true, status: 'registered' });
    const ev = eventsOf(c.id, 'case.overdue');
    expect(ev).toHaveLength(1);
    expect(ev[0].data).toMatchObject({ id: c.id, deadline: 'decision', dueAt: c.decisionDueAt });
    const notes = notificationsFor(c.id);
    expect(notes.map((n) => n.data.agencyCode).sort()).toEqual(['652300', '652301']);
    expect(audienceOf(notes.find((n) => n.data.agencyCode === '652300')!.position)).toContain('agency:652300');
    const listed = (await t.req('changjiPrefSupervisor', 'GET', '/v1/cases?overdue=true')).json().items.map((x: { id: string }) => x.id);
    expect(listed).toContain(c.id);
    // Fired once: settling again or later adds nothing.
    t.clock.advanceDays(5);
    await t.app.runtime.settle();
    expect(eventsOf(c.id, 'case.overdue')).toHaveLength(1);
    // A decision clears "overdue" (it stays recorded in overdueAt).
    await walk(t, c.id, ['investigating', 'pending_decision', 'decided']);
    const decided = await get(c.id);
    expect(decided.overdue).toBe(false);
    expect(decided.overdueAt).not.toBeNull();
  });

  it('a decision in time cancels the deadline; a withdrawn case never goes overdue', async () => {
    const a = await createCase(t);
    const b = await createCase(t);
    await walk(t, a.id, ['investigating', 'pending_decision', 'decided']);
    await walk(t, b.id, ['withdrawn']);
    t.clock.advanceDays(120);
    await t.app.runtime.settle();
    expect(eventsOf(a.id, 'case.overdue')).toHaveLength(0);
    expect(eventsOf(b.id, 'case.overdue')).toHaveLength(0);
    expect((await get(a.id)).overdue).toBe(false);
  });

  it('extensions: 30 days with approval, 30 more only by collective decision, no third; the timer moves', async () => {
    t.clock.set('2026-10-13T02:00:00.000Z'); // later than the tests above left it
    const c = await createCase(t);
    // Tue 2026-10-13 10:00 China: day 90 is Mon 2027-01-11 → 24:00 China time (16:00 UTC)
    expect(c.decisionDueAt).toBe('2027-01-11T16:00:00.000Z');
    const e1 = await extend(c.id, {});
    expect(e1.statusCode, e1.body).toBe(200);
    // 30 days on from the last day 01-11: Wed 02-10, the first working day after the Spring Festival days off (02-05 – 02-08)
    expect(e1.json().decisionDueAt).toBe('2027-02-10T16:00:00.000Z');
    expect(e1.json().extensions).toEqual([expect.objectContaining({ days: 30, approvedBy: '局长 李某', collective: false })]);
    const e2 = await extend(c.id, {});
    expect(e2.statusCode).toBe(422);
    expect(e2.json().rule).toBe('decision.second_extension_by_collective_decision');
    const e2b = await extend(c.id, { collective: true, approvedBy: '局务会' });
    expect(e2b.statusCode).toBe(200);
    expect(e2b.json().decisionDueAt).toBe('2027-03-12T16:00:00.000Z');
    const e3 = await extend(c.id, { collective: true });
    expect(e3.statusCode).toBe(422);
    expect(e3.json().rule).toBe('decision.at_most_two_extensions');
    // The old 90-day deadline passes without effect; the extended one fires.
    t.clock.advanceDays(91);
    await t.app.runtime.settle();
    expect((await get(c.id)).overdue).toBe(false);
    t.clock.advanceDays(60);
    await t.app.runtime.settle();
    expect((await get(c.id)).overdue).toBe(true);
    expect(eventsOf(c.id, 'case.overdue')).toHaveLength(1);
    // After the deadline passed, or after the decision, no extension.
    const late = await createCase(t);
    t.clock.advanceDays(91);
    const lateExt = await extend(late.id, {});
    expect(lateExt.statusCode).toBe(422);
    expect(lateExt.json().rule).toBe('decision.extension_before_deadline');
    const done = await createCase(t);
    await walk(t, done.id, ['investigating', 'pending_decision', 'decided']);
    expect((await extend(done.id, {})).statusCode).toBe(409);
  });

  it('the deadline keeps running while suspended', async () => {
    const c = await createCase(t);
    await walk(t, c.id, ['investigating']);
    await transition(t, c.id, 'suspended', { reason: 'expert assessment' });
    t.clock.advanceDays(91);
    await t.app.runtime.settle();
    expect((await get(c.id)).overdue).toBe(true);
  });
});
