import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { P, TEAM, TEST_EVENT, assignmentsOf, eventsOfType, expectOne, keys, registryOf, seedMap, testSubjects } from '../jurisdiction/fixture.js';
import { ROUTE_JOB } from '../../src/domain/routing.js';
import { jobContext } from '../../src/queue/context.js';
import { setCheckpoint } from '../../src/queue/relay.js';
import { eventAudience, events } from '../../src/outbox/tables.js';
import { jobs } from '../../src/queue/tables.js';
import { timers } from '../../src/queue/tables.js';
import type { RedisRuntime } from '../../src/queue/redis.js';

describeModes('routing subjects to teams', (mode) => {
  let t: TestApp;
  let s: ReturnType<typeof testSubjects>;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    s = testSubjects(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  const lead = (rows: ReturnType<typeof assignmentsOf>) => expectOne(rows.filter((r) => r.role === 'lead'));

  it('a point inside a corps area routes to a corps team', async () => {
    const { id, rows } = await s.route({ category: 'air', location: P.corps });
    expect(expectOne(rows)).toMatchObject({
      role: 'lead',
      status: 'pending',
      teamId: TEAM.d8All,
      agencyCode: 'XPCC-D8',
      side: 'corps',
      via: 'category',
      areaId: 'area-d8',
    });
    const called = expectOne(s.routed.filter((r) => r.id === id));
    expect(called.outcome).toMatchObject({
      side: 'corps',
      agencyCode: 'XPCC-D8',
      teamId: TEAM.d8All,
      areaId: 'area-d8',
      gridId: null,
      joint: false,
      triage: false,
    });
    expect(called.outcome.assignments).toEqual([{ id: rows[0].id, teamId: TEAM.d8All, agencyCode: 'XPCC-D8', side: 'corps', role: 'lead' }]);
  });

  it('a point inside a region area routes to a region team', async () => {
    const { rows } = await s.route({ category: 'air', location: P.region });
    expect(expectOne(rows)).toMatchObject({ teamId: TEAM.cjsAir, agencyCode: 'CJS', side: 'region', role: 'lead' });
  });

  it('a point 300 m from the other side is joint: a lead and a co-handling assignment', async () => {
    const { id, rows } = await s.route({ category: 'air', location: P.seam });
    expect(rows).toHaveLength(2);
    expect(lead(rows)).toMatchObject({ teamId: TEAM.cjsAir, side: 'region', agencyCode: 'CJS' });
    expect(expectOne(rows.filter((r) => r.role === 'co_handling'))).toMatchObject({
      teamId: TEAM.d8All,
      side: 'corps',
      agencyCode: 'XPCC-D8',
      areaId: 'area-d8',
    });
    const { outcome } = expectOne(s.routed.filter((r) => r.id === id));
    expect(outcome.joint).toBe(true);
    expect(outcome.assignments.map((a) => a.role).sort()).toEqual(['co_handling', 'lead']);
  });

  it('a point in no area goes to the center’s triage', async () => {
    const { id, rows } = await s.route({ category: 'air', location: P.nowhere });
    const a = expectOne(rows);
    expect(a).toMatchObject({ role: 'lead', teamId: null, side: null, agencyCode: null, via: 'triage' });
    expect(expectOne(s.routed.filter((r) => r.id === id)).outcome).toMatchObject({
      triage: true,
      side: null,
      agencyCode: null,
      teamId: null,
      assignments: [],
      triageAssignmentId: a.id,
    });
    // Visible to intake and admin only.
    for (const key of [k.intake, k.admin]) expect((await t.app.inject({ url: `/v1/assignments/${a.id}`, headers: t.auth(key) })).statusCode).toBe(200);
    for (const key of [k.cjsAir, k.supCJ, k.supD8]) expect((await t.app.inject({ url: `/v1/assignments/${a.id}`, headers: t.auth(key) })).statusCode).toBe(404);
  });

  it('grid beats jurisdiction: the grid’s agency gets the work', async () => {
    const { id, rows } = await s.route({ category: 'air', location: P.grid });
    expect(expectOne(rows)).toMatchObject({ teamId: TEAM.cjGrid, agencyCode: 'CJ', areaId: 'area-g1' });
    expect(expectOne(s.routed.filter((r) => r.id === id)).outcome).toMatchObject({ areaId: 'area-g1', gridId: 'area-g1' });
  });

  it('the category picks the team, falling back to the nearest ancestor with such a team, else triage', async () => {
    expect(lead((await s.route({ category: 'noise', location: P.region })).rows)).toMatchObject({ teamId: TEAM.cjsAir, via: 'category' });
    expect(lead((await s.route({ category: 'water', location: P.region })).rows)).toMatchObject({ teamId: TEAM.cjWater, agencyCode: 'CJ', via: 'ancestor' });
    expect(lead((await s.route({ category: 'soil', location: P.region })).rows)).toMatchObject({ teamId: TEAM.xjSoil, agencyCode: 'XJ', via: 'ancestor' });
    expect(lead((await s.route({ category: 'air', location: P.regiment })).rows)).toMatchObject({ teamId: TEAM.r121Air, via: 'category' });
    expect(lead((await s.route({ category: 'water', location: P.regiment })).rows)).toMatchObject({
      teamId: TEAM.d8All,
      agencyCode: 'XPCC-D8',
      via: 'ancestor',
    });
    expect(lead((await s.route({ category: 'radiation', location: P.region })).rows)).toMatchObject({ teamId: null, via: 'triage' });
  });

  it('an explicit rule (agency or area + category) wins over the defaults', async () => {
    const mk = async (payload: object) => {
      const r = await t.app.inject({ method: 'POST', url: '/v1/routing-rules', headers: t.auth(k.admin), payload });
      expect(r.statusCode).toBe(201);
      return r.json().id as string;
    };
    const agencyRule = await mk({ agencyCode: 'CJS', category: 'air', teamId: TEAM.cjsSpecial });
    const areaRule = await mk({ areaId: 'area-g1', category: 'noise', teamId: TEAM.cjsSpecial });
    const ancestorRule = await mk({ agencyCode: 'CJ', category: 'soil', teamId: TEAM.cjWater });
    try {
      expect(lead((await s.route({ category: 'air', location: P.region })).rows)).toMatchObject({ teamId: TEAM.cjsSpecial, via: 'rule' });
      expect(lead((await s.route({ category: 'noise', location: P.grid })).rows)).toMatchObject({ teamId: TEAM.cjsSpecial, via: 'rule' });
      // the nearest level decides: CJ's rule beats XJ's soil team
      expect(lead((await s.route({ category: 'soil', location: P.region })).rows)).toMatchObject({ teamId: TEAM.cjWater, via: 'rule' });
      // elsewhere the defaults still apply
      expect(lead((await s.route({ category: 'noise', location: P.region })).rows)).toMatchObject({ teamId: TEAM.cjsAir, via: 'category' });
    } finally {
      for (const id of [agencyRule, areaRule, ancestorRule]) await t.app.inject({ method: 'DELETE', url: `/v1/routing-rules/${id}`, headers: t.auth(k.admin) });
    }
    expect(lead((await s.route({ category: 'air', location: P.region })).rows)).toMatchObject({ teamId: TEAM.cjsAir, via: 'category' });
  });

  it('without a location, the admin code names the agency (code or adminCode)', async () => {
    expect(lead((await s.route({ category: 'air', location: null, adminCode: '659001' })).rows)).toMatchObject({ teamId: TEAM.d8All, agencyCode: 'XPCC-D8' });
    expect(lead((await s.route({ category: 'water', location: null, adminCode: '652301' })).rows)).toMatchObject({ teamId: TEAM.cjWater, via: 'ancestor' });
    expect(lead((await s.route({ category: 'air', location: null, adminCode: '659999' })).rows)).toMatchObject({ teamId: null, via: 'triage' });
  });

  it('a case’s lead agency keeps the lead; the other side on the ground co-handles', async () => {
    const { rows } = await s.route({ category: 'air', location: P.region, leadAgencyCode: 'XPCC-D8-R121' });
    expect(lead(rows)).toMatchObject({ teamId: TEAM.r121Air, side: 'corps' });
    expect(expectOne(rows.filter((r) => r.role === 'co_handling'))).toMatchObject({ teamId: TEAM.cjsAir, side: 'region', areaId: 'area-cjs' });
  });

  it('the subject’s claimHours sets the claim deadline; assignment events carry team and agency audiences', async () => {
    const { rows } = await s.route({ category: 'air', location: P.corps, claimHours: 2 });
    const a = expectOne(rows);
    expect(a.dueAt).toBe(new Date(t.clock.now().getTime() + 2 * 3_600_000).toISOString());
    const timer = t.app.deps.db
      .select()
      .from(timers)
      .where(eq(timers.id, `claim-${a.id}`))
      .get();
    expect(timer).toMatchObject({ name: 'assignment.claim-deadline.corps', dueAt: a.dueAt });
    const ev = expectOne(
      t.app.deps.db
        .select()
        .from(events)
        .where(and(eq(events.subject, `assignments/${a.id}`), eq(events.type, 'assignment.created')))
        .all(),
    );
    expect(ev).toMatchObject({ side: 'corps', agencyCode: 'XPCC-D8' });
    expect(ev.data).toMatchObject({ id: a.id, subject: `complaints/${a.subjectId}`, teamId: TEAM.d8All, role: 'lead', status: 'pending' });
    const audience = t.app.deps.db
      .select()
      .from(eventAudience)
      .where(eq(eventAudience.position, ev.position))
      .all()
      .map((x) => x.key);
    expect(audience).toEqual(expect.arrayContaining([`team:${TEAM.d8All}`, 'agency:XPCC-D8']));
  });

  it('a duplicated job creates no second assignment', async () => {
    const { id, rows } = await s.route({ category: 'air', location: P.seam });
    expect(rows).toHaveLength(2);
    const calls = s.routed.filter((r) => r.id === id).length;
    // the same job delivered twice (a retry after a lost ack)
    const handler = registryOf(t).handlers.get(ROUTE_JOB)!;
    const [ev] = t.app.deps.db
      .select()
      .from(events)
      .where(and(eq(events.type, TEST_EVENT), eq(events.subject, `complaints/${id}`)))
      .all();
    await handler.run({ kind: 'complaint', id }, jobContext(t.app.deps, `route-${ev.id}`, 2));
    // the relay re-reading the outbox after a crash (same job ids again)
    setCheckpoint(t.app.deps.db, 0);
    t.app.runtime.poke();
    await t.app.runtime.settle();
    // a second request for the same subject under another job id
    await handler.run({ kind: 'complaint', id }, jobContext(t.app.deps, `route-other-${ev.id}`, 1));
    expect(assignmentsOf(t, id).map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(s.routed.filter((r) => r.id === id)).toHaveLength(calls);
  });

  it('an unknown or no-longer-routable subject creates nothing', async () => {
    const id = 'subj-unknown';
    const handler = registryOf(t).handlers.get(ROUTE_JOB)!;
    await handler.run({ kind: 'complaint', id }, jobContext(t.app.deps, 'route-unknown-1', 1));
    expect(assignmentsOf(t, id)).toEqual([]);
  });

  it('the jobs run on the route queue, urgent ones with priority 1', async () => {
    const urgent = s.accept({ category: 'air', location: P.corps, urgent: true });
    const normal = s.accept({ category: 'air', location: P.corps });
    await t.app.runtime.settle();
    const jobIdOf = (id: string) =>
      `route-${
        t.app.deps.db
          .select()
          .from(events)
          .where(and(eq(events.type, TEST_EVENT), eq(events.subject, `complaints/${id}`)))
          .get()!.id
      }`;
    if (mode === 'redis') {
      const q = (t.app.runtime as unknown as RedisRuntime).queues.get('route')!;
      const [u, n] = [await q.getJob(jobIdOf(urgent)), await q.getJob(jobIdOf(normal))];
      expect(u?.name).toBe(ROUTE_JOB);
      expect(u?.opts.priority).toBe(1);
      expect(n?.opts.priority).toBe(5);
      expect(await u!.isCompleted()).toBe(true);
      expect(await n!.isCompleted()).toBe(true);
      expect((await q.getJobCounts('completed')).completed).toBeGreaterThan(0);
    } else {
      const u = t.app.deps.db
        .select()
        .from(jobs)
        .where(eq(jobs.id, jobIdOf(urgent)))
        .get();
      expect(u).toMatchObject({ queue: 'route', name: ROUTE_JOB, priority: 1, status: 'completed' });
      expect(
        t.app.deps.db
          .select()
          .from(jobs)
          .where(eq(jobs.id, jobIdOf(normal)))
          .get(),
      ).toMatchObject({ priority: 5, status: 'completed' });
    }
    expect(assignmentsOf(t, urgent)).toHaveLength(1);
    expect(eventsOfType(t, 'assignment.created').length).toBeGreaterThan(0);
  });
});
