import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { P, TEAM, assignmentsOf, eventsOfType, expectOne, keys, seedMap, testSubjects } from '../jurisdiction/fixture.js';
import { eventAudience } from '../../src/outbox/tables.js';
import { jobs } from '../../src/queue/tables.js';
import type { RedisRuntime } from '../../src/queue/redis.js';

type Key = string;

function api(t: TestApp) {
  return {
    get: (id: string, key: Key) => t.app.inject({ url: `/v1/assignments/${id}`, headers: t.auth(key) }),
    list: (q: string, key: Key) => t.app.inject({ url: `/v1/assignments?${q}`, headers: t.auth(key) }),
    act: (id: string, action: 'claim' | 'decline' | 'complete', key: Key, payload?: object, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: `/v1/assignments/${id}/${action}`, headers: { ...t.auth(key), ...headers }, ...(payload ? { payload } : {}) }),
  };
}

describeModes('assignments: work lists and actions', (mode) => {
  let t: TestApp;
  let s: ReturnType<typeof testSubjects>;
  let k: ReturnType<typeof keys>;
  let a: ReturnType<typeof api>;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    s = testSubjects(t);
    k = keys(t);
    a = api(t);
  });
  afterAll(() => t.close());

  const leadOf = (id: string) => expectOne(assignmentsOf(t, id).filter((r) => r.role === 'lead' && (r.status === 'pending' || r.status === 'claimed')));

  describe('visibility', () => {
    let region: string, regiment: string, triage: string, corps: string;
    beforeAll(async () => {
      region = (await s.route({ category: 'air', location: P.region })).rows[0].id;
      regiment = (await s.route({ category: 'air', location: P.regiment })).rows[0].id;
      corps = (await s.route({ category: 'air', location: P.corps })).rows[0].id;
      triage = (await s.route({ category: 'air', location: P.nowhere })).rows[0].id;
    });
    const ids = async (key: Key, q = 'limit=500') => {
      const r = await a.list(q, key);
      expect(r.statusCode).toBe(200);
      return r.json().items.map((x: { id: string }) => x.id) as string[];
    };

    it('inspectors see their team’s, supervisors their agency subtree’s, intake and admin all', async () => {
      const cjs = await ids(k.cjsAir);
      expect(cjs).toContain(region);
      expect(cjs).not.toContain(corps);
      expect(cjs).not.toContain(triage);
      const r121 = await ids(k.r121Air);
      expect(r121).toEqual([regiment]);
      const d8 = await ids(k.supD8);
      expect(d8).toEqual(expect.arrayContaining([regiment, corps]));
      expect(d8).not.toContain(region);
      expect(d8).not.toContain(triage);
      const cj = await ids(k.supCJ);
      expect(cj).toContain(region);
      expect(cj).not.toContain(corps);
      for (const key of [k.intake, k.admin]) expect(await ids(key)).toEqual(expect.arrayContaining([region, regiment, corps, triage]));
    });

    it('filters and pages', async () => {
      expect(await ids(k.admin, `teamId=${TEAM.r121Air}`)).toEqual([regiment]);
      expect(await ids(k.cjsAir, `teamId=${TEAM.r121Air}`)).toEqual([]);
      expect(await ids(k.admin, 'triage=true&limit=500')).toContain(triage);
      expect(await ids(k.admin, 'triage=true&limit=500')).not.toContain(region);
      expect(await ids(k.admin, 'status=claimed')).not.toContain(region);
      const all = await ids(k.admin);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await a.list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`, k.admin);
        seen.push(...r.json().items.map((x: { id: string }) => x.id));
        cursor = r.json().nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
      expect((await a.list('cursor=garbage', k.admin)).statusCode).toBe(400);
      expect((await a.list('status=lost', k.admin)).statusCode).toBe(400);
    });

    it('partners may not list; an invisible assignment is 404', async () => {
      expect((await a.list('', k.partner)).statusCode).toBe(403);
      expect((await a.get(region, k.partner)).statusCode).toBe(403);
      expect((await a.get(region, k.d8All)).statusCode).toBe(404);
      expect((await a.get(region, k.supD8)).statusCode).toBe(404);
      expect((await a.get('nope', k.admin)).statusCode).toBe(404);
      const ok = await a.get(region, k.supCJ);
      expect(ok.statusCode).toBe(200);
      expect(ok.headers.etag).toBe('"1"');
      expect(ok.json()).toMatchObject({
        id: region,
        status: 'pending',
        triage: false,
        subject: { kind: 'complaint' },
        history: [{ action: 'created', status: 'pending', byKeyId: null, reason: 'category' }],
      });
    });
  });

  describe('claim, decline, complete', () => {
    it('the team claims, then completes; history records who and when', async () => {
      const { rows } = await s.route({ category: 'air', location: P.corps });
      const id = rows[0].id;
      expect((await a.act(id, 'complete', k.d8All)).statusCode).toBe(409); // claim first
      const c = await a.act(id, 'claim', k.d8All);
      expect(c.statusCode).toBe(200);
      expect(c.json()).toMatchObject({ status: 'claimed', version: 2 });
      expect(c.headers.etag).toBe('"2"');
      expect((await a.act(id, 'claim', k.d8All)).statusCode).toBe(200); // a retried claim changes nothing
      const other = t.key({ role: 'inspector', side: 'corps', agencyCode: 'XPCC-D8', teamId: TEAM.d8All });
      const taken = await a.act(id, 'claim', other);
      expect(taken.statusCode).toBe(409);
      expect(taken.json().currentStatus).toBe('claimed');
      const done = await a.act(id, 'complete', k.d8All, { note: 'chimney inspected; order issued' });
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({ status: 'completed', completionNote: 'chimney inspected; order issued' });
      expect(done.json().history.map((h: { action: string }) => h.action)).toEqual(['created', 'claimed', 'completed']);
      expect(done.json().history[1]).toMatchObject({ byRole: 'inspector', byAgencyCode: 'XPCC-D8', status: 'claimed' });
      await t.app.runtime.settle();
      const types = eventsOfType(t, 'assignment.claimed')
        .concat(eventsOfType(t, 'assignment.completed'))
        .filter((e) => e.subject === `assignments/${id}`);
      expect(types.map((e) => e.type).sort()).toEqual(['assignment.claimed', 'assignment.completed']);
    });

    it('claim of another team’s assignment → 404 when it cannot see it, 403 naming the rule when it can; of a completed or declined one → 409', async () => {
      const { rows } = await s.route({ category: 'air', location: P.corps });
      const id = rows[0].id;
      // one rule everywhere: who cannot GET it gets 404 on every action too
      for (const key of [k.cjsAir, k.r121Air, k.supCJ]) {
        expect((await a.get(id, key)).statusCode).toBe(404);
        expect((await a.act(id, 'claim', key)).statusCode).toBe(404);
      }
      // the center sees every assignment but acts only on triage items
      expect((await a.get(id, k.intake)).statusCode).toBe(200);
      const byCenter = await a.act(id, 'claim', k.intake);
      expect(byCenter.statusCode).toBe(403);
      expect(byCenter.json()).toMatchObject({ type: expect.stringMatching(/forbidden$/), rule: 'assignment:team' });
      expect((await a.act(id, 'claim', k.partner)).statusCode).toBe(403);
      expect((await a.act(id, 'claim', k.supD8)).statusCode).toBe(200); // the agency's supervisor may act for the team
      expect((await a.act(id, 'complete', k.d8All)).statusCode).toBe(200);
      for (const action of ['claim', 'decline', 'complete'] as const) {
        const r = await a.act(id, action, k.d8All, action === 'decline' ? { reason: 'not ours' } : undefined);
        expect(r.statusCode).toBe(409);
        expect(r.json().currentStatus).toBe('completed');
      }
      const d = (await s.route({ category: 'air', location: P.corps })).rows[0].id;
      expect((await a.act(d, 'decline', k.d8All, { reason: 'duplicate of an open case' })).statusCode).toBe(200);
      const r = await a.act(d, 'claim', k.d8All);
      expect(r.statusCode).toBe(409);
      expect(r.json().currentStatus).toBe('declined');
      expect((await a.act('missing', 'claim', k.d8All)).statusCode).toBe(404);
    });

    it('decline needs a reason (400, nothing changes); an unknown suggested agency is 404', async () => {
      const id = (await s.route({ category: 'air', location: P.corps })).rows[0].id;
      for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x', extra: 1 }, undefined]) {
        const r = await a.act(id, 'decline', k.d8All, body);
        expect(r.statusCode).toBe(400);
        expect(r.headers['content-type']).toContain('application/problem+json');
      }
      expect((await a.act(id, 'decline', k.d8All, { reason: 'elsewhere', suggestedAgencyCode: 'NOPE' })).statusCode).toBe(404);
      expect((await a.get(id, k.admin)).json()).toMatchObject({ status: 'pending', version: 1 });
    });

    it('If-Match must match the current version (412)', async () => {
      const id = (await s.route({ category: 'air', location: P.corps })).rows[0].id;
      expect((await a.act(id, 'claim', k.d8All, undefined, { 'if-match': '"7"' })).statusCode).toBe(412);
      expect((await a.act(id, 'claim', k.d8All, undefined, { 'if-match': '"1"' })).statusCode).toBe(200);
    });
  });

  describe('decline re-routes', () => {
    it('to the suggested agency on the other side', async () => {
      const { id, rows } = await s.route({ category: 'air', location: P.region });
      const first = rows[0];
      expect(first.teamId).toBe(TEAM.cjsAir);
      const r = await a.act(first.id, 'decline', k.cjsAir, { reason: 'the chimney stands on corps land', suggestedAgencyCode: 'XPCC-D8' });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ status: 'declined', declineReason: 'the chimney stands on corps land', suggestedAgencyCode: 'XPCC-D8' });
      await t.app.runtime.settle();
      const next = leadOf(id);
      expect(next).toMatchObject({ teamId: TEAM.d8All, agencyCode: 'XPCC-D8', side: 'corps', via: 'suggested', previousId: first.id, status: 'pending' });
      const last = s.routed.filter((x) => x.id === id).at(-1)!;
      expect(last.outcome).toMatchObject({ side: 'corps', agencyCode: 'XPCC-D8', teamId: TEAM.d8All, triage: false });
    });

    it('to triage without a suggestion, or when the suggestion is the decliner itself', async () => {
      const one = await s.route({ category: 'air', location: P.region });
      await a.act(one.rows[0].id, 'decline', k.cjsAir, { reason: 'not an environmental matter' });
      const two = await s.route({ category: 'air', location: P.region });
      await a.act(two.rows[0].id, 'decline', k.cjsAir, { reason: 'try again', suggestedAgencyCode: 'CJS' });
      await t.app.runtime.settle();
      for (const { id } of [one, two]) expect(leadOf(id)).toMatchObject({ teamId: null, side: null, agencyCode: null, via: 'triage' });
    });

    it('declined twice → triage and the supervisors of every agency that declined are notified (no ping-pong)', async () => {
      const { id, rows } = await s.route({ category: 'air', location: P.region });
      await a.act(rows[0].id, 'decline', k.cjsAir, { reason: 'corps land', suggestedAgencyCode: 'XPCC-D8' });
      await t.app.runtime.settle();
      const second = leadOf(id);
      expect(second.agencyCode).toBe('XPCC-D8');
      const before = eventsOfType(t, 'notification.created').length;
      expect((await a.act(second.id, 'decline', k.d8All, { reason: 'region land', suggestedAgencyCode: 'CJS' })).statusCode).toBe(200);
      await t.app.runtime.settle();
      const third = leadOf(id);
      expect(third).toMatchObject({ teamId: null, side: null, agencyCode: null, via: 'declined_twice', previousId: second.id });
      expect(
        assignmentsOf(t, id)
          .filter((r) => r.role === 'lead')
          .map((r) => r.agencyCode),
      ).toEqual(['CJS', 'XPCC-D8', null]);
      const notes = eventsOfType(t, 'notification.created')
        .slice(before)
        .filter((e) => e.data.subject === `complaints/${id}`);
      expect(notes.map((n) => n.data.agencyCode).sort()).toEqual(['CJS', 'XPCC-D8']);
      for (const n of notes) {
        expect(n.data).toMatchObject({ kind: 'declined_twice', subject: `complaints/${id}`, assignmentId: third.id });
        const audience = t.app.deps.db
          .select()
          .from(eventAudience)
          .where(eq(eventAudience.position, n.position))
          .all()
          .map((x) => x.key);
        expect(audience).toEqual([`agency:${n.data.agencyCode}`]);
      }
      expect(s.routed.filter((x) => x.id === id).at(-1)!.outcome).toMatchObject({ triage: true, triageAssignmentId: third.id });

      // The center dispatches the triage item by naming an agency; a bare decline is refused.
      expect((await a.act(third.id, 'decline', k.intake, { reason: 'no agency' })).statusCode).toBe(400);
      expect((await a.act(third.id, 'claim', k.cjsAir)).statusCode).toBe(404); // a triage item is not the team's to see
      expect((await a.act(third.id, 'decline', k.intake, { reason: 'center decides: region ground', suggestedAgencyCode: 'CJS' })).statusCode).toBe(200);
      await t.app.runtime.settle();
      expect(leadOf(id)).toMatchObject({ teamId: TEAM.cjsAir, via: 'dispatched' });
    });

    it('declining a co-handling assignment leaves the lead alone', async () => {
      const { id, rows } = await s.route({ category: 'air', location: P.seam });
      const co = expectOne(rows.filter((r) => r.role === 'co_handling'));
      expect((await a.act(co.id, 'decline', k.d8All, { reason: 'nothing for us here' })).statusCode).toBe(200);
      await t.app.runtime.settle();
      expect(assignmentsOf(t, id)).toHaveLength(2);
      expect(leadOf(id).teamId).toBe(TEAM.cjsAir);
    });
  });

  describe('claim deadlines', () => {
    let d: TestApp;
    let ds: ReturnType<typeof testSubjects>;
    beforeAll(async () => {
      d = await makeApp({ mode });
      seedMap(d);
      ds = testSubjects(d);
    });
    afterAll(() => d.close());

    it('an unclaimed assignment turns overdue on the side’s queue: event and supervisors notified; a claimed one does not', async () => {
      const corps = (await ds.route({ category: 'air', location: P.corps })).rows[0];
      const region = (await ds.route({ category: 'air', location: P.region })).rows[0];
      const claimed = (await ds.route({ category: 'air', location: P.corps })).rows[0];
      const short = (await ds.route({ category: 'air', location: P.corps, claimHours: 2 })).rows[0];
      const triage = (await ds.route({ category: 'air', location: P.nowhere })).rows[0];
      const dk = d.key({ role: 'inspector', side: 'corps', agencyCode: 'XPCC-D8', teamId: TEAM.d8All });
      expect((await api(d).act(claimed.id, 'claim', dk)).statusCode).toBe(200);

      d.clock.advanceHours(3);
      await d.app.runtime.settle();
      const get = (id: string) =>
        api(d)
          .get(id, d.admin)
          .then((r) => r.json());
      expect(await get(short.id)).toMatchObject({ status: 'pending', overdue: true });
      expect(await get(corps.id)).toMatchObject({ overdue: false });

      d.clock.advanceHours(22); // 25 h after routing
      await d.app.runtime.settle();
      expect(await get(corps.id)).toMatchObject({ status: 'pending', overdue: true });
      expect((await get(corps.id)).history.map((h: { action: string }) => h.action)).toEqual(['created', 'overdue']);
      expect(await get(region.id)).toMatchObject({ overdue: true });
      expect(await get(claimed.id)).toMatchObject({ status: 'claimed', overdue: false });
      expect(await get(triage.id)).toMatchObject({ status: 'pending', overdue: true, triage: true });

      const overdue = eventsOfType(d, 'assignment.overdue').map((e) => e.data.id);
      expect(overdue.sort()).toEqual([corps.id, region.id, short.id, triage.id].sort());
      const notes = eventsOfType(d, 'notification.created').filter((e) => e.data.kind === 'assignment_overdue');
      // the center is told about its own triage items
      expect(notes.map((n) => `${n.data.assignmentId}:${n.data.agencyCode}`).sort()).toEqual(
        [`${corps.id}:XPCC-D8`, `${region.id}:CJS`, `${short.id}:XPCC-D8`, `${triage.id}:null`].sort(),
      );
      expect((await api(d).list('overdue=true', d.admin)).json().items).toHaveLength(4);

      // a second sweep changes nothing
      d.clock.advanceHours(48);
      await d.app.runtime.settle();
      expect(eventsOfType(d, 'assignment.overdue')).toHaveLength(4);

      // region and corps deadlines ran on separate queues
      if (mode === 'redis') {
        const rt = d.app.runtime as unknown as RedisRuntime;
        const ran = async (q: 'work-corps' | 'work-region') =>
          (await rt.queues.get(q)!.getJobs(['completed'])).filter((j) => j.name.startsWith('assignment.claim-deadline')).map((j) => j.data.assignmentId);
        expect((await ran('work-corps')).sort()).toEqual([corps.id, short.id].sort());
        expect(await ran('work-region')).toEqual([region.id]);
        expect(
          (await rt.queues.get('deadline')!.getJobs(['completed']))
            .filter((j) => j.name === 'assignment.claim-deadline.center')
            .map((j) => j.data.assignmentId),
        ).toEqual([triage.id]);
      } else {
        const q = d.app.deps.db
          .select()
          .from(jobs)
          .all()
          .filter((j) => j.name.startsWith('assignment.claim-deadline'));
        expect(q.filter((j) => j.queue === 'work-corps')).toHaveLength(2);
        expect(q.filter((j) => j.queue === 'work-region')).toHaveLength(1);
        expect(q.filter((j) => j.queue === 'deadline').map((j) => (j.payload as { assignmentId: string }).assignmentId)).toEqual([triage.id]);
      }
    });
  });
});
