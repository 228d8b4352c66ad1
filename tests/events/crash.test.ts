import { expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { describeModes, redisUrl, type Mode } from '../support/app.js';
import { Receiver, until } from './helpers.js';

const ADMIN = `crash-admin-${randomUUID()}`;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The real server in a child process (as `npm start` runs it). */
async function startServer(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
      return fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    60_000,
    'server up',
  );
  return { child, base };
}

const killed = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

describeModes('crash consistency', (mode: Mode) => {
  it('SIGKILL mid-burst: every create answered 201 survives, and each of its events is delivered', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enf-crash-'));
    const env: Record<string, string> = {
      DATABASE_PATH: join(dir, 'crash.db'),
      ADMIN_API_KEY: ADMIN,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      PUBLIC_BASE_URL: 'http://localhost:3000',
    };
    if (mode === 'redis') Object.assign(env, { REDIS_URL: redisUrl()!, REDIS_PREFIX: `crash${randomUUID().slice(0, 8)}` });
    const rx = await new Receiver().start();
    const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

    let srv = await startServer(env);
    const sub = await fetch(`${srv.base}/v1/subscriptions`, { method: 'POST', headers: auth, body: JSON.stringify({ url: rx.url, types: ['complaint.*'] }) });
    expect(sub.status).toBe(201);

    // a burst of creates from 8 concurrent clients; SIGKILL once 40 have been answered
    const answered: string[] = [];
    let stop = false;
    const client = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await fetch(`${srv.base}/v1/complaints`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({
              channel: 'web',
              category: 'noise',
              description: `burst ${w}-${i}`,
              location: { lat: 44.05 + w * 0.01, lng: 86.03 + i * 0.01 },
            }),
          });
          if (r.status === 201) answered.push(((await r.json()) as { id: string }).id);
          else if (r.status !== 201) throw new Error(`create answered ${r.status}: ${await r.text()}`);
        } catch (err) {
          if (stop) return;
          throw err;
        }
        if (answered.length >= 40 && !stop) {
          stop = true;
          srv.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(client));
    await killed(srv.child);
    expect(answered.length).toBeGreaterThanOrEqual(40);

    srv = await startServer(env);
    try {
      // every create that was answered 201 is there
      for (const id of answered) expect((await fetch(`${srv.base}/v1/complaints/${id}`, { headers: auth })).status, id).toBe(200);
      // every event of those complaints reaches the receiver (at least once; once by webhook-id)
      const db = new Database(env.DATABASE_PATH, { readonly: true });
      const expected = () =>
        (db.prepare(`select id, subject from events where type like 'complaint.%'`).all() as { id: string; subject: string }[]).filter((e) =>
          answered.includes(e.subject.split('/')[1]),
        );
      const received = () => new Set(rx.requests.map((r) => r.headers['webhook-id'] as string));
      await until(() => expected().every((e) => received().has(e.id)), 120_000, 'all events delivered');
      expect(expected().length).toBeGreaterThanOrEqual(answered.length);
      // nothing was published that is not in the outbox (no event of a rolled-back create)
      const all = new Set((db.prepare('select id from events').all() as { id: string }[]).map((r) => r.id));
      for (const id of received()) expect(all.has(id)).toBe(true);
      db.close();
    } finally {
      srv.child.kill('SIGTERM');
      await killed(srv.child);
      await rx.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
