import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { registryOf } from '../jurisdiction/fixture.js';
import { inTx } from '../../src/db/client.js';
import { appendEvent } from '../../src/outbox/index.js';

describeModes('failed jobs: dead-letter list and retry', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ mode });
  });
  afterAll(() => t.close());

  it('a handler that always fails retries with backoff, ends in the dead-letter list, and an admin can retry it', async () => {
    let fail = true;
    let runs = 0;
    const reg = registryOf(t);
    reg.handle('test.flaky', {
      queue: 'route',
      attempts: 2,
      backoffMs: 5,
      run: () => {
        runs++;
        if (fail) throw new Error('boom: downstream unavailable');
      },
    });
    reg.react(['test.flaky.requested'], (e) => [{ queue: 'route', name: 'test.flaky', id: `flaky-${e.id}`, payload: { n: 1 } }]);
    const ev = inTx(t.app.deps.db, (tx) => appendEvent(tx, t.clock, { type: 'test.flaky.requested', subject: 'tests/flaky', data: {} }));
    const jobId = `flaky-${ev.id}`;
    t.app.runtime.poke();
    await t.app.runtime.settle();
    t.clock.advance(60_000); // the embedded runner waits out the backoff on the injected clock
    await t.app.runtime.settle();
    expect(runs).toBe(2);

    const list = await t.app.inject({ url: '/v1/admin/jobs/failed', headers: t.auth(t.admin) });
    expect(list.statusCode).toBe(200);
    const item = list.json().items.find((j: { id: string }) => j.id === jobId);
    expect(item).toMatchObject({ id: jobId, queue: 'route', name: 'test.flaky', attempts: 2, payload: { n: 1 } });
    expect(item.error).toContain('boom');

    const intake = t.key({ role: 'intake' });
    expect((await t.app.inject({ url: '/v1/admin/jobs/failed', headers: t.auth(intake) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/v1/admin/jobs/${jobId}/retry`, headers: t.auth(intake) })).statusCode).toBe(403);

    fail = false;
    const retry = await t.app.inject({ method: 'POST', url: `/v1/admin/jobs/${jobId}/retry`, headers: t.auth(t.admin) });
    expect(retry.statusCode).toBe(202);
    await t.app.runtime.settle();
    expect(runs).toBe(3);
    const after = await t.app.inject({ url: '/v1/admin/jobs/failed', headers: t.auth(t.admin) });
    expect(after.json().items.find((j: { id: string }) => j.id === jobId)).toBeUndefined();
    expect((await t.app.inject({ method: 'POST', url: `/v1/admin/jobs/${jobId}/retry`, headers: t.auth(t.admin) })).statusCode).toBe(404);
  });
});
