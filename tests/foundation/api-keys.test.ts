import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeApp, type TestApp } from '../support/app.js';

describe('API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ env: { ADMIN_API_KEY: 'env-admin-key-0123456789abcdef0123456789' } });
  });
  afterAll(() => t.close());

  it('create → use → list (no secrets) → revoke → 401', async () => {
    const c = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.auth(t.admin), payload: { role: 'intake', name: 'hotline desk' } });
    expect(c.statusCode).toBe(201);
    const created = c.json();
    expect(created.key).toMatch(/^ek_[A-Za-z0-9_-]{43}$/);
    expect(c.headers.location).toBe(`/v1/api-keys/${created.id}`);

    // the key works and its last use is recorded
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const used = await t.app.inject({ url: '/v1/api-keys', headers: t.auth(created.key) });
    expect(used.statusCode).toBe(403); // intake may not manage keys, but is authenticated
    const list = (await t.app.inject({ url: '/v1/api-keys?limit=500', headers: t.auth(t.admin) })).json();
    const row = list.items.find((k: { id: string }) => k.id === created.id);
    expect(row.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(created.key);

    // only a hash is stored
    const stored = t.app.deps.db.$client.prepare('select * from api_keys where id = ?').get(created.id) as Record<string, unknown>;
    expect(JSON.stringify(stored)).not.toContain(created.key);

    const d = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.id}`, headers: t.auth(t.admin) });
    expect(d.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/v1/api-keys', headers: t.auth(created.key) })).statusCode).toBe(401);
  });

  it('revoking an unknown key is 404', async () => {
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/api-keys/nope', headers: t.auth(t.admin) })).statusCode).toBe(404);
  });

  it('binding rules: inspectors need an agency and a team that exist', async () => {
    const r1 = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.auth(t.admin), payload: { role: 'inspector' } });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().errors[0].field).toBe('body/agencyCode');
    const r2 = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.auth(t.admin), payload: { role: 'supervisor', agencyCode: 'NOPE' } });
    expect(r2.statusCode).toBe(404);
  });

  it('ADMIN_API_KEY from the environment is an admin', async () => {
    const r = await t.app.inject({ url: '/v1/api-keys', headers: t.auth('env-admin-key-0123456789abcdef0123456789') });
    expect(r.statusCode).toBe(200);
  });

  it('paginates without skipping or repeating', async () => {
    for (let i = 0; i < 7; i++) t.key({ role: 'partner', name: `p${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await t.app.inject({ url: `/v1/api-keys?limit=3${q}`, headers: t.auth(t.admin) })).json();
      seen.push(...page.items.map((k: { id: string }) => k.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const all = t.app.deps.db.$client.prepare('select count(*) n from api_keys').get() as { n: number };
    expect(seen.length).toBe(all.n);
    expect((await t.app.inject({ url: '/v1/api-keys?cursor=garbage', headers: t.auth(t.admin) })).statusCode).toBe(400);
  });

  it('the CLI creates a first admin key on a new install', () => {
    const db = join(t.dir, 'cli.db');
    const out = execFileSync('npx', ['tsx', 'src/cli/index.ts', 'keys', 'create', '--role', 'admin'], {
      env: { ...process.env, DATABASE_PATH: db },
      encoding: 'utf8',
    });
    const k = JSON.parse(out.trim().split('\n').pop()!);
    expect(k.role).toBe('admin');
    expect(k.key).toMatch(/^ek_/);
  });
});
