import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { freePort, startRedis, waitForRedis } from '../support/global-setup.js';
import { makeApp } from '../support/app.js';

const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

describe('operations', () => {
  it('data survives a restart on the same DATABASE_PATH', async () => {
    const a = await makeApp();
    const c = await a.app.inject({ method: 'POST', url: '/v1/api-keys', headers: a.auth(a.admin), payload: { role: 'partner', name: 'stats office' } });
    expect(c.statusCode).toBe(201);
    await a.close({ keepDir: true });
    const b = await makeApp({ dir: a.dir });
    const r = await b.app.inject({ url: '/v1/api-keys', headers: b.auth(c.json().key) });
    expect(r.statusCode).toBe(403); // the key from before the restart is still known (partner: authenticated, not allowed)
    const list = (await b.app.inject({ url: '/v1/api-keys?limit=500', headers: b.auth(b.admin) })).json();
    expect(list.items.map((k: { name: string }) => k.name)).toContain('stats office');
    await b.close();
  });

  (hasRedis ? it : it.skip)('readiness reports 503 while Redis is down and recovers', async () => {
    const port = await freePort();
    let redis = startRedis(port);
    await waitForRedis(port);
    const t = await makeApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    try {
      // the producer connects asynchronously after start
      await expect.poll(async () => (await t.app.inject({ url: '/readyz' })).statusCode, { timeout: 10_000 }).toBe(200);
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      const down = await t.app.inject({ url: '/readyz' });
      expect(down.statusCode).toBe(503);
      expect(down.headers['content-type']).toMatch(/problem\+json/);
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      redis = startRedis(port);
      await waitForRedis(port);
      await expect.poll(async () => (await t.app.inject({ url: '/readyz' })).statusCode, { timeout: 10_000 }).toBe(200);
    } finally {
      await t.close();
      redis.kill('SIGKILL');
    }
  });
});
