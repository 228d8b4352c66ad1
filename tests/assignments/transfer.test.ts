import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { caseApp, createCase, DEMO_POINTS, transition, type CaseTest } from '../cases/helpers.js';
import { assignments } from '../../src/assignments/tables.js';
import { events } from '../../src/outbox/tables.js';
import { TRANSFER_JOB } from '../../src/domain/routing.js';
import { jobContext } from '../../src/queue/context.js';
import { setCheckpoint } from '../../src/queue/relay.js';
import type { JobRegistry } from '../../src/queue/types.js';
import type { RedisRuntime } from '../../src/queue/redis.js';

/**
 * A case transferred to another agency (POST /v1/cases/{id}/transitions { to: transferred }) leaves
 * its old lead team's list (superseded) and is routed within the new lead agency (route.transfer).
 * Demo map: the Changji centre is region ground of 652301 (air team team-652301-air).
 */
describeModes('a transferred case is re-routed within its new lead agency', (mode) => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp({ mode });
    Object.assign(t.keys, {
      kuytunInspector: t.key({ role: 'inspector', agencyCode: '654003', teamId: 'team-654003-general', side: 'region' }),
      changjiAir: t.key({ role: 'inspector', agencyCode: '652301', teamId: 'team-652301-air', side: 'region' }),
    });
  });
  afterAll(() => t.close());

  const caseAssignments = (id: string) =>
    t.app.deps.db
      .select()
      .from(assignments)
      .where(and(eq(assignments.subjectKind, 'case'), eq(assignments.subjectId, id)))
      .orderBy(asc(assignments.createdAt), asc(assignments.id))
      .all();
  const openLeads = (id: string) => caseAssignments(id).filter((a) => a.role === 'lead' && (a.status === 'pending' || a.status === 'claimed'));
  const one = <T>(xs: T[]): T => {
    expect(xs).toHaveLength(1);
    return xs[0];
  };
  const transferTo = async (id: string, toAgencyCode: string, label = 'changjiInspector') => {
    const r = await transition(t, id, 'transferred', { reason: 'the plant is in another agency’s remit', toAgencyCode }, label);
    expect(r.statusCode, r.body).toBe(200);
    await t.app.runtime.settle();
    return r.json();
  };
  const registered = async () => {
    const c = await createCase(t, { location: DEMO_POINTS.changjiCenter });
    await t.app.runtime.settle();
    const first = one(openLeads(c.id));
    expect(first).toMatchObject({ teamId: 'team-652301-air', agencyCode: '652301', status: 'pending' });
    return { c, first };
  };
  const transferEvent = (caseId: string) =>
    t.app.deps.db
      .select()
      .from(events)
      .where(and(eq(events.subject, `cases/${caseId}`), eq(events.type, 'case.status_changed')))
      .all()
      .filter((e) => e.data.to === 'transferred')
      .at(-1)!;

  it('region county → another county: the old lead is superseded, the new agency’s team leads, exactly one open lead', async () => {
    const { c, first } = await registered();
    await transferTo(c.id, '654003');

    const all = caseAssignments(c.id);
    const old = all.find((a) => a.id === first.id)!;
    expect(old.status).toBe('superseded');
    const lead = one(openLeads(c.id));
    expect(lead).toMatchObject({
      teamId: 'team-654003-general',
      agencyCode: '654003',
      side: 'region',
      status: 'pending',
      via: 'transferred',
      previousId: first.id,
    });
    expect(all.filter((a) => a.status === 'pending').map((a) => a.id)).toEqual([lead.id]);

    // The case records its new lead team; the old lead's history says why it closed.
    const view = (await t.req('admin', 'GET', `/v1/cases/${c.id}`)).json();
    expect(view).toMatchObject({ status: 'transferred', leadAgencyCode: '654003', leadTeamId: 'team-654003-general' });
    const oldView = (await t.req('admin', 'GET', `/v1/assignments/${first.id}`)).json();
    expect(oldView.status).toBe('superseded');
    expect(oldView.history.at(-1)).toMatchObject({ action: 'superseded', status: 'superseded', reason: 'transferred to 654003', byKeyId: null });
    const sup = one(
      t.app.deps.db
        .select()
        .from(events)
        .where(and(eq(events.subject, `assignments/${first.id}`), eq(events.type, 'assignment.superseded')))
        .all(),
    );
    expect(sup.data).toMatchObject({ id: first.id, status: 'superseded', reason: 'transferred to 654003', toAgencyCode: '654003' });

    // Work lists: the new team sees it pending; the old team no longer has it pending.
    const kuytun = (await t.req('kuytunInspector', 'GET', '/v1/assignments?status=pending')).json();
    expect(kuytun.items.map((a: { id: string }) => a.id)).toContain(lead.id);
    const changji = (await t.req('changjiAir', 'GET', '/v1/assignments?status=pending')).json();
    expect(changji.items.map((a: { id: string }) => a.id)).not.toContain(first.id);
    // The superseded one can no longer be claimed; the new one can, by the new team.
    expect((await t.req('changjiAir', 'POST', `/v1/assignments/${first.id}/claim`)).statusCode).toBe(409);
    expect((await t.req('kuytunInspector', 'POST', `/v1/assignments/${lead.id}/claim`)).statusCode).toBe(200);

    // The old lead's claim deadline is gone: only the new chain can go overdue.
    t.clock.advanceHours(t.config.assignmentClaimHours + 1);
    await t.app.runtime.settle();
    expect(caseAssignments(c.id).find((a) => a.id === first.id)).toMatchObject({ status: 'superseded', overdue: false });
  });

  it('the job runs on the route queue; a duplicated job (same id, re-relayed, or another id) changes nothing twice', async () => {
    const { c } = await registered();
    await transferTo(c.id, '654003');
    const before = caseAssignments(c.id);
    expect(before).toHaveLength(2);
    const ev = transferEvent(c.id);
    const jobId = `transfer-${ev.id}`;
    if (mode === 'redis') {
      const job = await (t.app.runtime as unknown as RedisRuntime).queues.get('route')!.getJob(jobId);
      expect(job?.name).toBe(TRANSFER_JOB);
      expect(await job!.isCompleted()).toBe(true);
    }
    const routedEvents = () =>
      t.app.deps.db
        .select()
        .from(events)
        .where(and(eq(events.subject, `cases/${c.id}`), eq(events.type, 'case.routed')))
        .all().length;
    const routedBefore = routedEvents();

    const handler = (t.app.runtime as unknown as { registry: JobRegistry }).registry.handlers.get(TRANSFER_JOB)!;
    const payload = { kind: 'case', id: c.id, toAgencyCode: '654003' };
    // the same job delivered again (a retry after a lost ack)
    await handler.run(payload, jobContext(t.app.deps, jobId, 2));
    // the relay re-reading the outbox after a crash (same job ids again)
    setCheckpoint(t.app.deps.db, 0);
    t.app.runtime.poke();
    await t.app.runtime.settle();
    // the same transfer under another job id
    await handler.run(payload, jobContext(t.app.deps, `transfer-again-${ev.id}`, 1));

    expect(caseAssignments(c.id)).toEqual(before);
    expect(routedEvents()).toBe(routedBefore);
    expect(one(openLeads(c.id)).teamId).toBe('team-654003-general');
  });

  it('a claimed lead is superseded too; transferred again, only the last agency leads; a stale job is a no-op', async () => {
    const { c, first } = await registered();
    expect((await t.req('changjiAir', 'POST', `/v1/assignments/${first.id}/claim`)).statusCode).toBe(200);
    await transferTo(c.id, '654003');
    const second = one(openLeads(c.id));
    expect(caseAssignments(c.id).find((a) => a.id === first.id)!.status).toBe('superseded');

    await transferTo(c.id, '650100', 'admin');
    const third = one(openLeads(c.id));
    expect(third).toMatchObject({ agencyCode: '650100', teamId: 'team-650100-air', via: 'transferred', previousId: second.id });
    expect(caseAssignments(c.id).find((a) => a.id === second.id)!.status).toBe('superseded');

    // A late job for the first transfer (to 654003) must not undo the second.
    const handler = (t.app.runtime as unknown as { registry: JobRegistry }).registry.handlers.get(TRANSFER_JOB)!;
    await handler.run({ kind: 'case', id: c.id, toAgencyCode: '654003' }, jobContext(t.app.deps, 'transfer-late-1', 1));
    expect(one(openLeads(c.id)).id).toBe(third.id);
  });

  it('to the other side: the corps agency’s team leads, the region team of the ground co-handles', async () => {
    const { c, first } = await registered();
    await transferTo(c.id, 'XPCC-D6');
    const lead = one(openLeads(c.id));
    expect(lead).toMatchObject({ agencyCode: 'XPCC-D6', teamId: 'team-xpcc-d6-general', side: 'corps', previousId: first.id });
    expect(caseAssignments(c.id).find((a) => a.id === first.id)!.status).toBe('superseded');
    const co = caseAssignments(c.id).filter((a) => a.role === 'co_handling' && a.status === 'pending');
    expect(one(co)).toMatchObject({ side: 'region', agencyCode: '652301' });
    expect((await t.req('admin', 'GET', `/v1/cases/${c.id}`)).json()).toMatchObject({
      side: 'corps',
      leadAgencyCode: 'XPCC-D6',
      leadTeamId: 'team-xpcc-d6-general',
    });
  });
});
