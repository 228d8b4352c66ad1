import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { makeApp, type TestApp } from '../support/app.js';
import { freePort, startRedis, waitForRedis } from '../support/global-setup.js';
import { P, TEAM, assignmentsOf, expectOne, keys, seedMap } from '../jurisdiction/fixture.js';
import { fileComplaint, until } from '../support/factories.js';

const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

(hasRedis ? describe : describe.skip)('Redis outage during intake', () => {
  let port: number;
  let redis: ChildProcess;
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    port = await freePort();
    redis = startRedis(port);
    await waitForRedis(port);
    t = await makeApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, DEDUP_WINDOW_HOURS: '0', LOG_LEVEL: 'error' } });
    seedMap(t);
    k = keys(t);
  });
  afterAll(async () => {
    await t?.close();
    redis?.kill('SIGKILL');
  });

  const intake = (location: { lat: number; lng: number }) => fileComplaint(t, k.intake, location);
  const ready = async () => (await t.app.inject({ url: '/readyz' })).statusCode;

  it('the API keeps accepting, /readyz reports it, and every complaint is routed exactly once when Redis returns', async () => {
    expect(t.app.runtime.mode).toBe('redis');
    const before = await intake(P.corps);
    await t.app.runtime.settle();
    expect(assignmentsOf(t, before)).toHaveLength(1);

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    await until(async () => (await ready()) === 503, 20_000, 'readyz 503');

    const during = [await intake(P.corps), await intake(P.region), await intake(P.seam)];
    expect(await ready()).toBe(503);
    for (const id of during) expect(assignmentsOf(t, id)).toEqual([]);

    redis = startRedis(port);
    await waitForRedis(port);
    await until(async () => (await ready()) === 200, 20_000, 'readyz 200');
    await t.app.runtime.settle(30_000);

    expect(expectOne(assignmentsOf(t, during[0]))).toMatchObject({ teamId: TEAM.d8All });
    expect(expectOne(assignmentsOf(t, during[1]))).toMatchObject({ teamId: TEAM.cjsAir });
    expect(assignmentsOf(t, during[2])).toHaveLength(2);
    expect(assignmentsOf(t, before)).toHaveLength(1);

    // The relay re-reading everything (e.g. after a crash) still changes nothing.
    const { setCheckpoint } = await import('../../src/queue/relay.js');
    setCheckpoint(t.app.deps.db, 0);
    t.app.runtime.poke();
    await t.app.runtime.settle(30_000);
    expect([before, ...during].map((id) => assignmentsOf(t, id).length)).toEqual([1, 1, 1, 2]);
  });
});
