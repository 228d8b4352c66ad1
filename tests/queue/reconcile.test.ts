import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { eq } from 'drizzle-orm';
import { makeApp, type TestApp } from '../support/app.js';
import { freePort, startRedis, waitForRedis } from '../support/global-setup.js';
import { P, assignmentsOf, eventsOfType, keys, registryOf, seedMap } from '../jurisdiction/fixture.js';
import { Receiver, emit, subscribe, until } from '../events/helpers.js';
import { checkpoint, lastPosition } from '../../src/queue/relay.js';
import { jobFailures } from '../../src/queue/tables.js';
import { complaints } from '../../src/intake/tables.js';
import { throttledErrors, type RedisRuntime } from '../../src/queue/redis.js';
import type { Deps } from '../../src/deps.js';
import { fileComplaint } from '../support/factories.js';

const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
const DAY = 86_400_000;
const GRACE_MS = 1_000;

/**
 * Jobs handed to Redis and then lost with it: an API process without workers relays a burst
 * (and the deadline sweep fires timers) into BullMQ, Redis is killed before any worker runs
 * them and comes back empty on the same port; a worker process started then must still do all
 * of it, once.
 */
(hasRedis ? describe : describe.skip)('Redis comes back empty', () => {
  let port: number;
  let redis: ChildProcess;
  let api: TestApp;
  let worker: TestApp | undefined;
  let k: ReturnType<typeof keys>;
  const env = () => ({ REDIS_URL: `redis://127.0.0.1:${port}`, DEDUP_WINDOW_HOURS: '0', RECONCILE_GRACE_MS: String(GRACE_MS) });
  const startWorker = () => makeApp({ dir: api.dir, clock: api.clock, env: { ...env(), REDIS_PREFIX: api.config.redisPrefix } });
  const rt = () => api.app.runtime as unknown as RedisRuntime;

  beforeAll(async () => {
    port = await freePort();
    redis = startRedis(port);
    await waitForRedis(port);
    api = await makeApp({ env: env(), workers: false });
    seedMap(api);
    k = keys(api);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    redis?.kill('SIGKILL');
  });

  const file = (location: { lat: number; lng: number }, accept: boolean) => fileComplaint(api, k.intake, location, accept);
  const waiting = async (queue: string) => {
    const c = await rt()
      .queues.get(queue as never)!
      .getJobCounts('waiting', 'prioritized');
    return c.waiting + c.prioritized;
  };
  const readyz = async () => (await api.app.inject({ url: '/readyz' })).json();

  it('routes every answered complaint once and delivers each event, fires the deadline and the webhook retry', async () => {
    const rx = await new Receiver().start();
    await subscribe(api, api.admin, { url: rx.url, types: ['complaint.*'] });
    const startPosition = lastPosition(api.app.deps.db);

    // A delivery whose first attempt fails while a worker runs; its retry is a durable timer.
    const flaky = await new Receiver().start();
    flaky.respond = (_r, n) => (n === 1 ? 503 : 204);
    await subscribe(api, api.admin, { url: flaky.url, types: ['case.registered'] });
    worker = await startWorker();
    emit(api, { subject: 'cases/retry-1', type: 'case.registered' });
    api.app.runtime.poke();
    await until(() => flaky.requests.length === 1, 10_000, 'first attempt');
    await worker.app.runtime.settle();
    await worker.close();
    worker = undefined;

    // The burst, answered 201/200 with no worker running: the relay hands every job to Redis.
    const burst: string[] = [];
    for (let i = 0; i < 12; i++) burst.push(await file(i % 2 ? P.region : P.corps, true));
    const late = await file(P.corps, false);
    await until(
      () => {
        api.app.runtime.poke();
        return checkpoint(api.app.deps.db) >= lastPosition(api.app.deps.db);
      },
      10_000,
      'relay',
    );
    await until(async () => (await waiting('route')) === burst.length, 10_000, 'route jobs in Redis');
    // The acceptance deadline of `late` and the webhook retry fire into Redis too.
    // (the acceptance period ends 24:00 China time of its last day: go just past it)
    const lateDue = api.app.deps.db.select().from(complaints).where(eq(complaints.id, late)).get()!.acceptanceDueAt;
    api.clock.set(new Date(Date.parse(lateDue) + 60_000));
    await api.app.runtime.sweep();
    const fired = api.app.deps.db.$client.prepare('select name from timers where fired_at is not null and reconciled_at is null order by name').all() as {
      name: string;
    }[];
    // The reports' recurring schedule (report.weekly/monthly, queue deadline) may fire in the same jump.
    const reports = fired.filter((f) => f.name.startsWith('report.')).length;
    expect(fired.filter((f) => !f.name.startsWith('report.'))).toEqual([{ name: 'complaint.deadline' }, { name: 'events.attempt' }]);
    expect(await waiting('deadline')).toBe(1 + reports);

    // Past the grace period, but Redis holds every job: nothing is re-added (nothing runs twice).
    expect(await rt().reconcile()).toBe(0);
    expect((await readyz()).unreconciledOldestMs).toBeGreaterThanOrEqual(api.config.complaintAcceptDays * DAY);

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    redis = startRedis(port); // no persistence: empty
    await waitForRedis(port);
    api.clock.advance(2 * GRACE_MS); // the timers fired just now: let their grace period pass too

    worker = await startWorker();
    const w = worker;
    const expected = () =>
      new Set(
        api.app.deps.db.$client
          .prepare("select id from events where type like 'complaint.%' and position > ?")
          .all(startPosition)
          .map((r) => (r as { id: string }).id),
      );
    const deliveredIds = () => rx.delivered.map((r) => r.headers['webhook-id'] as string);
    await until(
      () => {
        const want = expected();
        const got = new Set(deliveredIds());
        return (
          burst.every((id) => assignmentsOf(api, id).length > 0) &&
          flaky.delivered.length === 1 &&
          eventsOfType(api, 'complaint.overdue').some((e) => e.subject === `complaints/${late}`) &&
          [...want].every((id) => got.has(id))
        );
      },
      30_000,
      'recovery',
    );
    await w.app.runtime.settle(30_000);
    await api.app.runtime.settle(30_000);

    for (const id of burst) expect(assignmentsOf(api, id), id).toHaveLength(1);
    expect(api.app.deps.db.select().from(complaints).where(eq(complaints.id, late)).get()).toMatchObject({ overdue: true, overdueDeadline: 'acceptance' });
    expect(eventsOfType(api, 'complaint.overdue').filter((e) => e.subject === `complaints/${late}`)).toHaveLength(1);
    expect(flaky.requests.map((r) => r.answered)).toEqual([503, 204]);
    // Every event delivered, each exactly once by webhook-id.
    expect(new Set(deliveredIds())).toEqual(expected());
    expect(deliveredIds()).toHaveLength(expected().size);

    const logs = [...api.logs, ...w.logs].map((l) => JSON.parse(l) as { msg: string; count?: number; oldestAgeMs?: number });
    const readds = logs.filter((l) => l.msg === 'reconciler re-added jobs Redis no longer held');
    expect(readds.length).toBeGreaterThan(0);
    expect(readds.reduce((n, l) => n + l.count!, 0)).toBeGreaterThanOrEqual(burst.length + 2);
    expect(readds[0].oldestAgeMs).toBeGreaterThanOrEqual(GRACE_MS);

    // Once the last work is past the grace period and done, nothing is unreconciled.
    api.clock.advance(2 * GRACE_MS);
    await api.app.runtime.settle(30_000);
    expect((await readyz()).unreconciledOldestMs).toBeNull();
    await rx.close();
    await flaky.close();
  }, 120_000);

  it('a job that failed for good is accounted for, not re-added after Redis loses it', async () => {
    let runs = 0;
    worker ??= await startWorker();
    // Each process has its own registry: the API derives the job, the worker runs it.
    for (const t of [api, worker]) {
      registryOf(t).handle('test.doomed', {
        queue: 'route',
        attempts: 1,
        run: () => {
          runs++;
          throw new Error('doomed');
        },
      });
    }
    registryOf(api).react(['test.doomed.requested'], (e) => [{ queue: 'route', name: 'test.doomed', id: `doomed-${e.id}`, payload: {} }]);
    const ev = emit(api, { subject: 'tests/doomed', type: 'test.doomed.requested' });
    api.app.runtime.poke();
    await until(
      async () =>
        (await api.app.inject({ url: '/v1/admin/jobs/failed', headers: api.auth(api.admin) }))
          .json()
          .items.some((j: { id: string }) => j.id === `doomed-${ev.id}`),
      10_000,
      'dead-lettered',
    );
    api.clock.advance(2 * GRACE_MS);
    expect(await rt().reconcile()).toBe(0);
    expect(
      api.app.deps.db
        .select()
        .from(jobFailures)
        .where(eq(jobFailures.jobId, `doomed-${ev.id}`))
        .get(),
    ).toBeDefined();
    for (const q of rt().queues.values()) await q.obliterate({ force: true }); // Redis forgets it
    expect(await rt().reconcile()).toBe(0);
    expect(runs).toBe(1);
  }, 60_000);
});

(hasRedis ? describe : describe.skip)('Redis eviction policy', () => {
  const redisWith = async (args: string[]) => {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
    await waitForRedis(port);
    return { child, url: `redis://127.0.0.1:${port}` };
  };
  const policyWarned = (t: TestApp) => t.logs.some((l) => l.includes('maxmemory-policy is not noeviction'));

  it('warns at start when Redis may evict jobs, and tolerates CONFIG being disabled', async () => {
    const lru = await redisWith(['--maxmemory-policy', 'allkeys-lru']);
    const locked = await redisWith(['--maxmemory-policy', 'allkeys-lru', '--rename-command', 'CONFIG', '']);
    const fine = await redisWith(['--maxmemory-policy', 'noeviction']);
    const apps = await Promise.all([lru, locked, fine].map((r) => makeApp({ env: { REDIS_URL: r.url, LOG_LEVEL: 'debug' }, workers: false })));
    try {
      await until(() => policyWarned(apps[0]), 10_000, 'eviction warning');
      await until(() => apps[1].logs.some((l) => l.includes('could not read Redis maxmemory-policy')), 10_000, 'CONFIG refused');
      await until(async () => (await apps[2].app.inject({ url: '/readyz' })).statusCode === 200, 10_000, 'ready');
      expect(apps.map(policyWarned)).toEqual([true, false, false]);
      expect((await apps[1].app.inject({ url: '/readyz' })).statusCode).toBe(200);
    } finally {
      for (const a of apps) await a.close();
      for (const r of [lru, locked, fine]) r.child.kill('SIGKILL');
    }
  });
});

describe('throttled Redis error logs', () => {
  it('logs at most one line per source per interval, with the count it held back', () => {
    const lines: Record<string, unknown>[] = [];
    const log = { warn: (o: Record<string, unknown>) => lines.push(o) } as unknown as Deps['log'];
    let now = 0;
    const onError = throttledErrors(log, 'producer', { everyMs: 10_000, now: () => now });
    for (let i = 0; i < 5; i++) {
      onError(new Error('connect ECONNREFUSED'));
      now += 1_000;
    }
    now = 10_500;
    onError(new Error('connect ECONNREFUSED'));
    expect(lines).toEqual([
      { source: 'producer', err: 'connect ECONNREFUSED', suppressed: 0 },
      { source: 'producer', err: 'connect ECONNREFUSED', suppressed: 4 },
    ]);
  });
});
