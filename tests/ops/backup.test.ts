import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { makeApp, type TestApp } from '../support/app.js';
import { until } from '../support/factories.js';
import { Receiver, seedAgencies, subscribe } from '../events/helpers.js';
import { events } from '../../src/outbox/tables.js';
import { timers } from '../../src/queue/tables.js';
import { complaints } from '../../src/intake/tables.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const PII_KEY = '3f'.repeat(32);

/** `npm run cli -- …` as an operator runs it. */
const cli = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('backups that restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enf-backup-'));
  const backups = join(dir, 'backups');
  let a: TestApp | undefined;
  let b: TestApp | undefined;
  let rx: Receiver | undefined;
  afterAll(async () => {
    await rx?.close();
    await a?.close();
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a backup taken during a burst of writes restores into a fresh service with every acknowledged write, its outbox and timers, and no re-delivery', async () => {
    a = await makeApp({ env: { BACKUP_DIR: backups, BACKUP_KEEP: '2', PII_KEY } });
    seedAgencies(a);
    rx = await new Receiver().start();
    await subscribe(a, a.admin, { url: rx.url, types: ['complaint.received'] });
    const intake = a.key({ role: 'intake' });
    const file = (i: number) =>
      a!.app
        .inject({
          method: 'POST',
          url: '/v1/complaints',
          headers: a!.auth(intake),
          payload: { channel: 'phone', category: 'air', description: `smoke ${i}`, location: { lat: 43.8 + i / 1000, lng: 87.6 } },
        })
        .then((r) => {
          expect(r.statusCode).toBe(201);
          return r.json().id as string;
        });

    // Delivered before anything else happens.
    const early = await Promise.all([0, 1, 2, 3, 4].map(file));
    await a.app.runtime.settle();
    const deliveredBefore = new Set(rx.delivered.map((r) => r.json.id));
    expect(deliveredBefore.size).toBe(5);

    // The burst: three writers keep filing until the backup has finished.
    const acked = new Set<string>(early);
    let backupDone = false;
    let n = 100;
    const writers = [0, 1, 2].map(async () => {
      while (!backupDone) acked.add(await file(n++));
    });
    await until(() => acked.size >= 5 + 15, 20_000, 'some burst writes acknowledged');
    const ackedBeforeBackup = new Set(acked);
    const res = await a.app.inject({ method: 'POST', url: '/v1/admin/backups', headers: a.auth(a.admin) });
    backupDone = true;
    await Promise.all(writers);
    const ackedAfterBackup = acked.size;
    expect(ackedAfterBackup).toBeGreaterThan(ackedBeforeBackup.size);
    expect(res.statusCode).toBe(201);
    const taken = res.json() as { file: string; bytes: number; removed: string[] };
    expect(taken.file.startsWith(backups)).toBe(true);
    expect(taken.bytes).toBeGreaterThan(0);
    await a.app.runtime.settle();
    const deliveredByA = new Set(rx.delivered.map((r) => r.json.id));

    // While the service runs: the CLI backs up online, and restore is refused.
    const cliBackup = join(dir, 'cli.db');
    const out = cli(['backup', cliBackup], { DATABASE_PATH: a.config.databasePath });
    expect(out.status, out.stderr).toBe(0);
    const copy = new Database(cliBackup, { readonly: true });
    expect((copy.prepare('select count(*) n from complaints').get() as { n: number }).n).toBe(ackedAfterBackup);
    copy.close();
    const refused = cli(['restore', taken.file], { DATABASE_PATH: a.config.databasePath });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/restore refused: .* is in use .*stop the service/);
    await a.close({ keepDir: true });
    a = undefined;

    // Restore into a fresh service.
    const target = join(dir, 'restored', 'enforcement.db');
    const restored = cli(['restore', taken.file], { DATABASE_PATH: target });
    expect(restored.status, restored.stderr).toBe(0);
    const seenBefore = rx.requests.length;
    b = await makeApp({ env: { DATABASE_PATH: target, PII_KEY } });
    await b.app.runtime.settle();

    const rows = b.app.deps.db.select().from(complaints).all();
    const ids = new Set(rows.map((r) => r.id));
    for (const id of ackedBeforeBackup) expect(ids.has(id), `acknowledged ${id} before the backup`).toBe(true);
    for (const id of ids) {
      // Outbox and timers were written in each complaint's own transaction: all or nothing.
      expect(
        b.app.deps.db
          .select()
          .from(events)
          .where(eq(events.subject, `complaints/${id}`))
          .all().length,
      ).toBeGreaterThan(0);
      expect(
        b.app.deps.db
          .select()
          .from(timers)
          .where(eq(timers.id, `c-accept-${id}`))
          .get(),
      ).toBeDefined();
    }
    // Reporter data and the query codes still open with the same PII_KEY.
    const one = await b.app.inject({ url: `/v1/complaints/${early[0]}`, headers: b.auth(b.admin) });
    expect(one.statusCode).toBe(200);

    // Nothing delivered before the backup began is sent again; what is re-sent carries its original webhook-id.
    const after = rx.requests.slice(seenBefore).map((r) => r.json.id);
    for (const id of after) expect(deliveredBefore.has(id), `re-delivered ${id}`).toBe(false);
    const outbox = new Set(
      b.app.deps.db
        .select({ id: events.id })
        .from(events)
        .all()
        .map((e) => e.id),
    );
    for (const r of rx.requests.slice(seenBefore)) expect(r.headers['webhook-id']).toBe(r.json.id);
    for (const id of after) expect(outbox.has(id) || deliveredByA.has(id)).toBe(true);
    // Every complaint.received of the restored outbox reached the receiver (before or after).
    const received = new Set(rx.delivered.map((r) => r.json.id));
    for (const e of b.app.deps.db.select().from(events).where(eq(events.type, 'complaint.received')).all()) expect(received.has(e.id)).toBe(true);
  }, 120_000);

  it('keeps BACKUP_KEEP backups; without BACKUP_DIR the route says how to configure it', async () => {
    const c = await makeApp({ start: false, env: { BACKUP_DIR: join(dir, 'keep'), BACKUP_KEEP: '2' } });
    try {
      const runs = [];
      for (let i = 0; i < 3; i++) {
        c.clock.advance(60_000);
        runs.push((await c.app.inject({ method: 'POST', url: '/v1/admin/backups', headers: c.auth(c.admin) })).json());
      }
      expect(runs[2].removed).toHaveLength(1);
      expect(readdirSync(join(dir, 'keep')).filter((f) => f.endsWith('.db'))).toEqual([runs[1].file, runs[2].file].map((f) => f.split('/').pop()));
      expect((await c.app.inject({ method: 'POST', url: '/v1/admin/backups', headers: c.auth(c.key({ role: 'intake' })) })).statusCode).toBe(403);
    } finally {
      await c.close();
    }
    const d = await makeApp({ start: false });
    try {
      const r = await d.app.inject({ method: 'POST', url: '/v1/admin/backups', headers: d.auth(d.admin) });
      expect(r.statusCode).toBe(409);
      expect(r.json().detail).toMatch(/BACKUP_DIR/);
      expect(existsSync(join(d.dir, 'backups'))).toBe(false);
    } finally {
      await d.close();
    }
  });
});
