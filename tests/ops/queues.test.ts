import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { registryOf } from '../support/factories.js';
import { emit } from '../events/helpers.js';

describeModes('admin queues: pause and resume a side, dashboard', (mode) => {
  let t: TestApp;
  const ran: string[] = [];
  beforeAll(async () => {
    t = await makeApp({ mode });
    const reg = registryOf(t);
    for (const queue of ['work-region', 'work-corps'] as const) reg.handle(`test.${queue}`, { queue, run: (p: { n: string }) => void ran.push(p.n) });
    reg.react(['test.side.work'], (e) => [
      { queue: e.data.queue as 'work-region', name: `test.${e.data.queue}`, id: `side-${e.id}`, payload: { n: e.data.n } },
    ]);
  });
  afterAll(() => t.close());

  const post = (name: string, action: string, key = t.admin) =>
    t.app.inject({ method: 'POST', url: `/v1/admin/queues/${name}/${action}`, headers: t.auth(key) });
  const work = (queue: string, n: string) => emit(t, { subject: `tests/${n}`, type: 'test.side.work', data: { queue, n } });

  it('only admins pause, and only the side work queues', async () => {
    expect((await post('work-region', 'pause', t.key({ role: 'supervisor', side: 'region', agencyCode: 'XJ' }))).statusCode).toBe(403);
    const other = await post('route', 'pause');
    expect(other.statusCode).toBe(400);
    expect(other.json().errors[0].field).toMatch(/name/);
    expect((await t.app.inject({ method: 'POST', url: '/v1/admin/queues/work-region/pause' })).statusCode).toBe(401);
  });

  it("a paused side's jobs wait (the other side's run); after resume they run", async () => {
    const paused = await post('work-region', 'pause');
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toEqual({ queue: 'work-region', paused: true });
    work('work-region', 'r1');
    work('work-corps', 'c1');
    work('work-region', 'r2');
    await t.app.runtime.settle();
    expect(ran).toEqual(['c1']);
    const counts = (await t.app.inject({ url: '/v1/admin/queues', headers: t.auth(t.admin) })).json();
    expect(counts['work-region']).toMatchObject({ paused: true, waiting: 2 });
    expect(counts['work-corps']).toMatchObject({ paused: false, waiting: 0 });
    // Still paused after more passes and time.
    t.clock.advance(60_000);
    await t.app.runtime.settle();
    expect(ran).toEqual(['c1']);

    const resumed = await post('work-region', 'resume');
    expect(resumed.json()).toEqual({ queue: 'work-region', paused: false });
    await t.app.runtime.settle();
    expect(ran.sort()).toEqual(['c1', 'r1', 'r2']);
    expect((await t.app.inject({ url: '/v1/admin/queues', headers: t.auth(t.admin) })).json()['work-region']).toMatchObject({ paused: false, waiting: 0 });
  });

  if (mode === 'redis')
    it('Bull Board at /admin/queues: admin only (no key 401, another role 403)', async () => {
      expect((await t.app.inject({ url: '/admin/queues' })).statusCode).toBe(401);
      expect((await t.app.inject({ url: '/admin/queues', headers: t.auth(t.key({ role: 'intake' })) })).statusCode).toBe(403);
      const page = await t.app.inject({ url: '/admin/queues', headers: t.auth(t.admin) });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const api = await t.app.inject({ url: '/admin/queues/api/queues', headers: t.auth(t.admin) });
      expect(api.statusCode).toBe(200);
      expect((api.json().queues as { name: string }[]).map((q) => q.name).sort()).toEqual([
        'deadline',
        'deliver',
        'notify',
        'route',
        'work-corps',
        'work-region',
      ]);
      expect((await t.app.inject({ url: '/admin/queues/api/queues', headers: t.auth(t.key({ role: 'intake' })) })).statusCode).toBe(403);
    });
  else
    it('without Redis there is no Bull Board; GET /v1/admin/queues shows the embedded runner', async () => {
      expect((await t.app.inject({ url: '/admin/queues', headers: t.auth(t.admin) })).statusCode).toBe(404);
      expect(Object.keys((await t.app.inject({ url: '/v1/admin/queues', headers: t.auth(t.admin) })).json()).sort()).toEqual([
        'deadline',
        'deliver',
        'notify',
        'route',
        'work-corps',
        'work-region',
      ]);
    });
});
