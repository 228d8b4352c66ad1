import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/global-setup.js';
import { until } from '../support/factories.js';

const ROOT = new URL('../../', import.meta.url).pathname;
/** close-with-grace's delay in src/server.ts: the process must be gone by then. */
const GRACE_MS = 10_000;

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
  });

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start and SIGTERM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enf-sigterm-'));
  let child: ChildProcess | undefined;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  afterAll(() => {
    // Its own process group (detached): whatever is left of npm → sh → node goes, and nothing else.
    if (child?.pid && !exited)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM to the pid of `npm start` drains and frees the port within the grace period', async () => {
    const port = await freePort();
    let out = '';
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'db.sqlite'), REDIS_URL: '', LOG_LEVEL: 'info' },
    });
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    child.once('exit', (code, signal) => (exited = { code, signal }));
    // `npm start` builds first (prestart): allow for a slow compile on a loaded machine.
    await until(async () => exited !== undefined || (await portOpen(port)), 150_000, 'the server to listen');
    expect(exited, out).toBeUndefined();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);

    const sent = Date.now();
    process.kill(child.pid!, 'SIGTERM');
    // npm may exit before node has drained: the port is what tells the server is gone.
    await until(async () => exited !== undefined && !(await portOpen(port)), GRACE_MS + 5_000, 'npm start to exit and free the port');
    expect(Date.now() - sent).toBeLessThan(GRACE_MS);
    // Nothing of the group is left running (node was npm's child through `exec`, not orphaned).
    await until(() => !groupAlive(child!.pid!), 5_000, 'the process group to be gone');
    expect(out).toMatch(/shutting down: draining requests and workers/);
  }, 200_000);
});
