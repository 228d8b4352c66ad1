import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/global-setup.js';
import { emit, seedAgencies, subscribe, until } from './helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const TOKEN = 'rcv_5c1f0c8e2d7a4b9f';

/** The README's receiver block, exactly as written there. */
function readmeSnippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- receiver-snippet -->\s*```js\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README has no receiver snippet');
  return m[1];
}

describe('the README receiver snippet verifies real deliveries (standardwebhooks)', () => {
  let t: TestApp;
  let child: ChildProcess | undefined;
  let out = '';
  // Inside node_modules so the snippet's `import 'standardwebhooks'` resolves as in a project.
  const dir = join(ROOT, 'node_modules', '.cache', `receiver-${process.pid}`);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeAll(async () => {
    t = await makeApp();
    seedAgencies(t);
  });

  it('accepts our signed deliveries once per webhook-id and refuses a forged one', async () => {
    const port = await freePort();
    const sub = await subscribe(t, t.admin, { url: `http://127.0.0.1:${port}/hook`, types: ['case.*'], headers: { 'X-Receiver-Token': TOKEN } });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'receiver.mjs'), readmeSnippet());
    child = spawn(process.execPath, [join(dir, 'receiver.mjs')], {
      env: { ...process.env, WEBHOOK_SECRET: sub.secret, RECEIVER_TOKEN: TOKEN, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    await until(() => out.includes('listening'), 15_000, 'the receiver to listen');

    const e1 = emit(t, { subject: 'cases/s-1', type: 'case.registered' });
    const e2 = emit(t, { subject: 'cases/s-2', type: 'case.status_changed' });
    await t.app.runtime.settle();
    await until(() => out.includes(e2.id), 10_000, 'the second event verified');
    expect(out).toContain(`verified case.registered ${e1.id}`);
    expect(out).toContain(`verified case.status_changed ${e2.id}`);

    // A replay re-sends with the same webhook-id: verified, not handled twice.
    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/subscriptions/${sub.id}/replay`,
      headers: t.auth(t.admin),
      payload: { from: new Date(0).toISOString() },
    });
    expect(replay.statusCode).toBeLessThan(300);
    await t.app.runtime.settle();
    const deliveries = (await t.app.inject({ url: `/v1/subscriptions/${sub.id}/deliveries?limit=100`, headers: t.auth(t.admin) })).json().items as {
      status: string;
      kind: string;
    }[];
    expect(deliveries.filter((d) => d.kind === 'replay').every((d) => d.status === 'delivered')).toBe(true);
    expect(out.split(e1.id).length - 1).toBe(1);

    // Forged: a wrong signature is refused, and so is a right signature without the receiver's token.
    const forged = await fetch(`http://127.0.0.1:${port}/hook`, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA', 'x-receiver-token': TOKEN },
      body: '{}',
    });
    expect(forged.status).toBe(401);
  });
});
