import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, redisUrl, type TestApp } from '../support/app.js';
import { P, TEAM, assignmentsOf, expectOne, keys, seedMap } from '../jurisdiction/fixture.js';
import type { RedisRuntime } from '../../src/queue/redis.js';

/**
 * An API process with WORKERS=off relays jobs to BullMQ but runs none; a separate worker process
 * (its own app, same database and Redis) routes them.
 */
(redisUrl() ? describe : describe.skip)('API without workers beside a worker process (Redis)', () => {
  let api: TestApp;
  let worker: TestApp | undefined;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    api = await makeApp({ mode: 'redis', workers: false, env: { DEDUP_WINDOW_HOURS: '0' } });
    seedMap(api);
    k = keys(api);
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
  });

  it('jobs wait in the queue until a worker process takes them', async () => {
    const r = await api.app.inject({
      method: 'POST',
      url: '/v1/complaints',
      headers: api.auth(k.intake),
      payload: { channel: 'web', category: 'air', description: 'dust', location: P.corps },
    });
    expect(r.statusCode).toBe(201);
    const id = r.json().id as string;
    expect((await api.app.inject({ method: 'POST', url: `/v1/complaints/${id}/accept`, headers: api.auth(k.intake) })).statusCode).toBe(200);
    const route = (api.app.runtime as unknown as RedisRuntime).queues.get('route')!;
    // the relay hands the job to BullMQ; nobody in the API process runs it
    for (let i = 0; i < 200; i++) {
      const c = await route.getJobCounts('waiting', 'prioritized');
      if (c.waiting + c.prioritized > 0) break;
      api.app.runtime.poke();
      await new Promise((res) => setTimeout(res, 25));
    }
    const c = await route.getJobCounts('waiting', 'prioritized', 'completed');
    expect(c.waiting + c.prioritized).toBe(1);
    expect(c.completed).toBe(0);
    expect(assignmentsOf(api, id)).toEqual([]);

    worker = await makeApp({ mode: 'redis', dir: api.dir, clock: api.clock, env: { REDIS_PREFIX: api.config.redisPrefix, DEDUP_WINDOW_HOURS: '0' } });
    await api.app.runtime.settle();
    expect(expectOne(assignmentsOf(api, id))).toMatchObject({ teamId: TEAM.d8All });
    expect((await route.getJobCounts('completed')).completed).toBe(1);
  });
});
