import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { AT, TEAM, act, assignmentsOf, create, eventsOfType, keys, ok, post, seedMap } from '../intake/helpers.js';
import { assignments } from '../../src/assignments/tables.js';
import { events } from '../../src/outbox/tables.js';
import { walk } from '../cases/helpers.js';
import { filingApp, filingsOf, newCase, SEAM, type CaseTest } from '../filings/helpers.js';

const HOUR = 3_600_000;

/** Finding 2: a subject that ends takes its open work items with it (cancelled, no overdue, 409 afterwards). */
describeModes('cascades: ended subjects cancel their assignments', (mode) => {
  describe('complaints', () => {
    let t: TestApp;
    let k: ReturnType<typeof keys>;
    beforeAll(async () => {
      t = await makeApp({ mode });
      seedMap(t);
      k = keys(t);
    });
    afterAll(() => t.close());

    const routed = async (over: Record<string, unknown> = {}) => {
      const c = await create(t, k.intake, { location: AT.region, ...over });
      await ok(t, k.intake, c.id, 'accept');
      await t.app.runtime.settle();
      const [lead] = assignmentsOf(t, c.id);
      expect(lead).toMatchObject({ teamId: TEAM.cjsAir, status: 'pending' });
      return { c, lead };
    };
    const cancelledEvents = (assignmentId: string) => eventsOfType(t, 'assignment.cancelled').filter((e) => e.subject === `assignments/${assignmentId}`);

    it('closing a complaint cancels its pending lead: event, claim → 409, never overdue', async () => {
      const { c, lead } = await routed();
      await ok(t, k.intake, c.id, 'reply', { text: 'Handled by the center.' });
      await ok(t, k.intake, c.id, 'feedback', { satisfied: true });
      const [after] = assignmentsOf(t, c.id);
      expect(after.status).toBe('cancelled');
      const evs = cancelledEvents(lead.id);
      expect(evs).toHaveLength(1);
      expect(evs[0].data).toMatchObject({ status: 'cancelled', reason: 'complaint closed (feedback)' });

      const claim = await post(t, k.cjsAir, `/v1/assignments/${lead.id}/claim`);
      expect(claim.statusCode).toBe(409);
      expect(claim.json()).toMatchObject({ currentStatus: 'cancelled' });
      for (const action of ['decline', 'complete'])
        expect((await post(t, k.cjsAir, `/v1/assignments/${lead.id}/${action}`, action === 'decline' ? { reason: 'x' } : {})).statusCode).toBe(409);
      // the team still sees what it had
      expect((await t.app.inject({ url: `/v1/assignments/${lead.id}`, headers: t.auth(k.cjsAir) })).json().status).toBe('cancelled');

      t.clock.advance(t.config.assignmentClaimHours * HOUR + 1000);
      await t.app.runtime.settle();
      expect(assignmentsOf(t, c.id)[0]).toMatchObject({ status: 'cancelled', overdue: false });
      expect(eventsOfType(t, 'assignment.overdue').some((e) => e.subject === `assignments/${lead.id}`)).toBe(false);
    });

    it('a claimed lead is cancelled too when the reply auto-closes; a merged complaint’s assignments are cancelled', async () => {
      const { c, lead } = await routed({ location: AT.farRegion });
      expect((await post(t, k.cjsAir, `/v1/assignments/${lead.id}/claim`)).statusCode).toBe(200);
      await t.app.runtime.settle();
      await ok(t, k.cjsAir, c.id, 'reply', { text: 'Fixed.' });
      t.clock.advanceDays(t.config.complaintAutoCloseDays + 1);
      await t.app.runtime.settle();
      expect(assignmentsOf(t, c.id)[0].status).toBe('cancelled');
      expect(cancelledEvents(lead.id)[0].data).toMatchObject({ reason: 'complaint closed (auto)' });
      // the declined/cancelled team lost the reply as well
      expect((await act(t, k.cjsAir, c.id, 'reply', { text: 'again' })).statusCode).toBe(403);

      const a = await routed({ location: AT.region, category: 'noise' });
      const b = await routed({ location: { lat: 44.09, lng: 86.01 }, category: 'noise' });
      await ok(t, k.intake, b.c.id, 'merge', { into: a.c.id });
      expect(assignmentsOf(t, b.c.id)[0].status).toBe('cancelled');
      expect(assignmentsOf(t, a.c.id)[0].status).toBe('pending');
      expect(cancelledEvents(b.lead.id)).toHaveLength(1);
    });
  });

  describe('cases', () => {
    let t: CaseTest;
    beforeAll(async () => {
      t = await filingApp(mode);
    });
    afterAll(() => t.close());
    const caseAssignments = (id: string) =>
      t.app.deps.db
        .select()
        .from(assignments)
        .where(and(eq(assignments.subjectKind, 'case'), eq(assignments.subjectId, id)))
        .all();

    it('a withdrawn case cancels its assignments and its pending filings’ deadlines; a closed one its assignments', async () => {
      const c = await newCase(t, { location: SEAM });
      await t.app.runtime.settle();
      const [f] = filingsOf(t, c.id);
      expect(f.status).toBe('pending');
      const open = caseAssignments(c.id).filter((a) => a.status === 'pending');
      expect(open.length).toBeGreaterThan(0);
      await walk(t, c.id, ['withdrawn']);
      expect(caseAssignments(c.id).every((a) => a.status !== 'pending' && a.status !== 'claimed')).toBe(true);
      expect(caseAssignments(c.id).filter((a) => a.status === 'cancelled')).toHaveLength(open.length);
      const claim = await t.req('admin', 'POST', `/v1/assignments/${open[0].id}/claim`);
      expect(claim.statusCode).toBe(409);

      t.clock.advanceDays(8);
      await t.app.runtime.settle();
      expect(filingsOf(t, c.id)[0].status).toBe('pending');
      const types = t.app.deps.db
        .select()
        .from(events)
        .where(eq(events.subject, `filings/${f.id}`))
        .all()
        .map((e) => e.type);
      expect(types).not.toContain('filing.overdue');
      expect(types).not.toContain('filing.escalated');
      for (const a of open)
        expect(
          t.app.deps.db
            .select()
            .from(events)
            .where(eq(events.subject, `assignments/${a.id}`))
            .all()
            .map((e) => e.type),
        ).not.toContain('assignment.overdue');

      const d = await newCase(t);
      await t.app.runtime.settle();
      const dOpen = caseAssignments(d.id).filter((a) => a.status === 'pending');
      expect(dOpen.length).toBeGreaterThan(0);
      await walk(t, d.id, ['investigating', 'pending_decision', 'decided', 'executing', 'closed']);
      expect(caseAssignments(d.id).filter((a) => a.status === 'cancelled')).toHaveLength(dOpen.length);
    });
  });
});
