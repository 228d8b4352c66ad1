import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { P, TEAM, assignmentsOf, eventsOfType, expectOne, keys, seedMap } from '../jurisdiction/fixture.js';
import { events } from '../../src/outbox/tables.js';
import { jobs } from '../../src/queue/tables.js';
import { ROUTE_JOB } from '../../src/domain/routing.js';
import type { RedisRuntime } from '../../src/queue/redis.js';

/** End to end with the real intake: POST /v1/complaints, accept, and the routing jobs carry it to a team. */
describeModes('complaints routed end to end', (mode) => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    // No duplicate linking between the test complaints (they share places and categories).
    t = await makeApp({ mode, env: { DEDUP_WINDOW_HOURS: '0' } });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  async function complaint(body: Record<string, unknown>, accept = true) {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/complaints',
      headers: t.auth(k.intake),
      payload: { channel: 'phone', description: 'Black smoke from a boiler chimney', ...body },
    });
    expect(r.statusCode).toBe(201);
    const id = r.json().id as string;
    if (accept) expect((await t.app.inject({ method: 'POST', url: `/v1/complaints/${id}/accept`, headers: t.auth(k.intake) })).statusCode).toBe(200);
    await t.app.runtime.settle();
    return id;
  }
  const detail = async (id: string) => (await t.app.inject({ url: `/v1/complaints/${id}`, headers: t.auth(k.admin) })).json();

  it('an accepted complaint on corps ground reaches the corps team’s work list', async () => {
    const id = await complaint({ category: 'air', location: P.corps });
    const a = expectOne(assignmentsOf(t, id));
    expect(a).toMatchObject({ subjectKind: 'complaint', role: 'lead', teamId: TEAM.d8All, side: 'corps' });
    const list = await t.app.inject({ url: '/v1/assignments', headers: t.auth(k.d8All) });
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(a.id);
    expect(await detail(id)).toMatchObject({ status: 'routed' });
  });

  it('a received but not accepted complaint is not routed', async () => {
    const id = await complaint({ category: 'air', location: P.corps }, false);
    expect(assignmentsOf(t, id)).toEqual([]);
  });

  it('region ground, joint seam and no area', async () => {
    expect(expectOne(assignmentsOf(t, await complaint({ category: 'air', location: P.region })))).toMatchObject({ teamId: TEAM.cjsAir });
    const seam = assignmentsOf(t, await complaint({ category: 'air', location: P.seam }));
    expect(seam.map((a) => `${a.role}:${a.teamId}`).sort()).toEqual([`co_handling:${TEAM.d8All}`, `lead:${TEAM.cjsAir}`]);
    expect(expectOne(assignmentsOf(t, await complaint({ category: 'air', location: P.nowhere })))).toMatchObject({ teamId: null, side: null });
  });

  it('an address with an admin code and no location routes by the code', async () => {
    const id = await complaint({ category: 'water', address: 'Shihezi, North 4th Road', adminCode: '659001' });
    expect(expectOne(assignmentsOf(t, id))).toMatchObject({ teamId: TEAM.d8All, agencyCode: 'XPCC-D8' });
  });

  it('decline re-routes the complaint to the other side', async () => {
    const id = await complaint({ category: 'air', location: P.region });
    const first = expectOne(assignmentsOf(t, id));
    const r = await t.app.inject({
      method: 'POST',
      url: `/v1/assignments/${first.id}/decline`,
      headers: t.auth(k.cjsAir),
      payload: { reason: 'the boiler is inside the regiment', suggestedAgencyCode: 'XPCC-D8' },
    });
    expect(r.statusCode).toBe(200);
    await t.app.runtime.settle();
    const next = assignmentsOf(t, id).find((a) => a.status === 'pending')!;
    expect(next).toMatchObject({ teamId: TEAM.d8All, previousId: first.id });
    expect(eventsOfType(t, 'complaint.routed').filter((e) => e.subject === `complaints/${id}`)).toHaveLength(2);
  });

  it('urgent complaints route first (priority 1), and the jobs pass through the queue', async () => {
    const id = await complaint({ category: 'air', location: P.corps, urgent: true });
    const ev = t.app.deps.db
      .select()
      .from(events)
      .where(and(eq(events.type, 'complaint.accepted'), eq(events.subject, `complaints/${id}`)))
      .get()!;
    const jobId = `route-${ev.id}`;
    if (mode === 'redis') {
      const job = await (t.app.runtime as unknown as RedisRuntime).queues.get('route')!.getJob(jobId);
      expect(job?.name).toBe(ROUTE_JOB);
      expect(job?.opts.priority).toBe(1);
      expect(await job!.isCompleted()).toBe(true);
    } else {
      expect(t.app.deps.db.select().from(jobs).where(eq(jobs.id, jobId)).get()).toMatchObject({ queue: 'route', priority: 1, status: 'completed' });
    }
    expect(assignmentsOf(t, id)).toHaveLength(1);
  });
});
