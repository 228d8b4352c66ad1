import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { events } from '../../src/outbox/tables.js';
import { PiiCipher } from '../../src/intake/pii.js';
import { AT, act, assignmentsOf, create, get, keys, ok, post, row, seedMap } from './helpers.js';

const REPORTER = { name: '王秘密', phone: '+86 139-1234-5678', email: 'wang.secret@example.cn', anonymous: false };
const SECRETS = [REPORTER.name, REPORTER.phone, REPORTER.email, '13912345678', 'wang.secret'];
const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));

describeModes('reporter confidentiality', (mode) => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  let id: string;
  beforeAll(async () => {
    // debug logging: the strictest place to look for leaks
    t = await makeApp({ mode, env: { LOG_LEVEL: 'trace' } });
    seedMap(t);
    k = keys(t);
    id = (await create(t, k.partner, { location: AT.region, reporter: REPORTER, description: 'Smoke behind the school' })).id;
    await ok(t, k.intake, id, 'accept');
    await t.app.runtime.settle();
    await ok(t, k.cjsAir, id, 'start');
    // only the team that claimed the lead assignment replies
    const lead = assignmentsOf(t, id)[0];
    expect((await post(t, k.cjsAir, `/v1/assignments/${lead.id}/claim`)).statusCode).toBe(200);
    await ok(t, k.cjsAir, id, 'reply', { text: 'Handled.' });
    await t.app.runtime.settle();
  });
  afterAll(() => t.close());

  it('reporter fields are encrypted at rest (AES-256-GCM, bound to the complaint)', () => {
    const r = row(t, id);
    expect(r.reporterEnc).toMatch(/^v1\./);
    expect(leaks(JSON.stringify(r))).toEqual([]);
    const raw = t.app.deps.db.$client.prepare('SELECT * FROM complaints WHERE id = ?').get(id);
    expect(leaks(JSON.stringify(raw))).toEqual([]);
  });

  it('intake and admin see the reporter, and every read is recorded and listable by admins', async () => {
    for (const key of [k.intake, k.admin]) {
      const d = (await get(t, key, `/v1/complaints/${id}`)).json();
      expect(d.reporter).toEqual({ name: REPORTER.name, phone: REPORTER.phone, email: REPORTER.email, anonymous: false });
    }
    const audit = await get(t, k.admin, `/v1/admin/pii-reads?complaintId=${id}`);
    expect(audit.statusCode).toBe(200);
    const items = audit.json().items;
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ complaintId: id, role: 'admin', via: 'GET /v1/complaints/{id}', at: t.clock.now().toISOString() });
    expect(items[1].role).toBe('intake');
    expect((await get(t, k.intake, '/v1/admin/pii-reads')).statusCode).toBe(403);
    // pagination of the audit
    const p1 = (await get(t, k.admin, `/v1/admin/pii-reads?complaintId=${id}&limit=1`)).json();
    expect(p1.items).toHaveLength(1);
    const p2 = (await get(t, k.admin, `/v1/admin/pii-reads?complaintId=${id}&limit=1&cursor=${p1.nextCursor}`)).json();
    expect(p2.items[0].id).toBe(items[1].id);
  });

  it('every other role that can see the complaint gets no reporter (and no read is recorded)', async () => {
    const before = (await get(t, k.admin, `/v1/admin/pii-reads?complaintId=${id}`)).json().items.length;
    for (const [name, key] of [
      ['inspector', k.cjsAir],
      ['supervisor', k.supCJ],
      ['partner', k.partner],
    ] as const) {
      const d = await get(t, key, `/v1/complaints/${id}`);
      expect(d.statusCode, name).toBe(200);
      expect(d.json().reporter, name).toBeUndefined();
      expect(leaks(d.body), name).toEqual([]);
      const list = await get(t, key, '/v1/complaints');
      expect(leaks(list.body), name).toEqual([]);
    }
    // lists never carry reporter fields, even for intake
    expect(leaks((await get(t, k.intake, '/v1/complaints')).body)).toEqual([]);
    expect((await get(t, k.admin, `/v1/admin/pii-reads?complaintId=${id}`)).json().items.length).toBe(before); // lists are not reads
  });

  it('reporter fields are absent from every event and every log line', () => {
    const all = t.app.deps.db.select().from(events).all();
    expect(all.length).toBeGreaterThan(4);
    expect(leaks(JSON.stringify(all))).toEqual([]);
    expect(t.logs.length).toBeGreaterThan(0);
    expect(leaks(t.logs.join('\n'))).toEqual([]);
  });

  it('a validation error on reporter fields does not echo the value', async () => {
    const bad = { ...REPORTER, phone: 'call 13912345678 now!' };
    const r = await post(t, k.intake, '/v1/complaints', { channel: 'phone', category: 'air', description: 'x', location: AT.region, reporter: bad });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors.map((e: { field: string }) => e.field)).toContain('body/reporter/phone');
    expect(r.body).not.toContain('13912345678');
    expect(leaks(r.body)).toEqual([]);
    const badEmail = await post(t, k.intake, '/v1/complaints', {
      channel: 'phone',
      category: 'air',
      description: 'x',
      location: AT.region,
      reporter: { ...REPORTER, email: 'wang.secret at example' },
    });
    expect(badEmail.statusCode).toBe(400);
    expect(leaks(badEmail.body)).toEqual([]);
    expect(leaks(t.logs.join('\n'))).toEqual([]);
  });
});

describe('visibility of complaints', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  let region: string;
  let corps: string;
  let partnerOwn: string;
  beforeAll(async () => {
    t = await makeApp();
    seedMap(t);
    k = keys(t);
    region = (await create(t, k.intake, { location: AT.region })).id;
    corps = (await create(t, k.intake, { location: AT.corps })).id;
    partnerOwn = (await create(t, k.partner, { location: AT.farRegion, category: 'water' })).id;
    for (const id of [region, corps]) await ok(t, k.intake, id, 'accept');
    await t.app.runtime.settle();
  });
  afterAll(() => t.close());

  const ids = async (key: string, q = '') => (await get(t, key, `/v1/complaints${q}`)).json().items.map((i: { id: string }) => i.id);

  it('intake and admin see all', async () => {
    expect(await ids(k.intake)).toEqual(expect.arrayContaining([region, corps, partnerOwn]));
    expect(await ids(k.admin)).toEqual(expect.arrayContaining([region, corps, partnerOwn]));
  });

  it('supervisors see their subtree only; the other side gets 404', async () => {
    expect(await ids(k.supCJ)).toEqual([region]);
    expect(await ids(k.supD8)).toEqual([corps]);
    expect((await get(t, k.supD8, `/v1/complaints/${region}`)).statusCode).toBe(404);
  });

  it('inspectors see complaints with an assignment to their team', async () => {
    expect(await ids(k.cjsAir)).toEqual([region]);
    expect(await ids(k.d8All)).toEqual([corps]);
    expect((await get(t, k.cjsAir, `/v1/complaints/${corps}`)).statusCode).toBe(404);
  });

  it('partners see only what they created; a not-visible complaint is 404 for actions too', async () => {
    expect(await ids(k.partner)).toEqual([partnerOwn]);
    expect(await ids(k.partner2)).toEqual([]);
    expect((await get(t, k.partner2, `/v1/complaints/${partnerOwn}`)).statusCode).toBe(404);
    expect((await act(t, k.supD8, region, 'extend', { days: 1, reason: 'x' })).statusCode).toBe(404);
  });

  it('list filters and cursor pagination', async () => {
    expect(await ids(k.intake, '?side=corps')).toEqual([corps]);
    expect(await ids(k.intake, '?agencyCode=CJS')).toEqual([region]);
    expect(await ids(k.intake, '?teamId=team-d8-all')).toEqual([corps]);
    expect(await ids(k.intake, '?category=water')).toEqual([partnerOwn]);
    expect(await ids(k.intake, '?status=received')).toEqual([partnerOwn]);
    expect(await ids(k.intake, '?channel=web')).toEqual([]);
    expect((await ids(k.intake, '?q=chimney')).length).toBe(3);
    expect(await ids(k.intake, '?q=%25')).toEqual([]);
    expect(await ids(k.intake, `?receivedFrom=${encodeURIComponent(t.clock.now().toISOString())}`)).toHaveLength(3);
    expect(await ids(k.intake, `?receivedTo=${encodeURIComponent(t.clock.now().toISOString())}`)).toHaveLength(0);
    const p1 = (await get(t, k.intake, '/v1/complaints?limit=2')).json();
    expect(p1.items).toHaveLength(2);
    const p2 = (await get(t, k.intake, `/v1/complaints?limit=2&cursor=${p1.nextCursor}`)).json();
    expect(p2.items).toHaveLength(1);
    expect(p2.nextCursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((i: { id: string }) => i.id)).size).toBe(3);
    expect((await get(t, k.intake, '/v1/complaints?cursor=garbage')).statusCode).toBe(400);
    expect((await get(t, k.intake, '/v1/complaints?status=lost')).statusCode).toBe(400);
  });
});

describe('PII key', () => {
  it('without PII_KEY a key file is generated beside the database (0600) with a warning, and reused', async () => {
    const t = await makeApp();
    const file = join(t.dir, 'test.db.pii-key');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(t.logs.some((l) => /PII_KEY is not set/.test(l) && /"level":40/.test(l))).toBe(true);
    const k = keys(t);
    const c = await create(t, k.intake, { reporter: REPORTER });
    await t.close({ keepDir: true });
    // a restart on the same database reads the same key: the reporter still decrypts
    const t2 = await makeApp({ dir: t.dir });
    const d = (await get(t2, t2.admin, `/v1/complaints/${c.id}`)).json();
    expect(d.reporter.name).toBe(REPORTER.name);
    await t2.close();
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('PII_KEY is used when set; another key cannot decrypt', async () => {
    const key = 'ab'.repeat(32);
    const t = await makeApp({ env: { PII_KEY: key } });
    expect(existsSync(join(t.dir, 'test.db.pii-key'))).toBe(false);
    const k = keys(t);
    const c = await create(t, k.intake, { reporter: REPORTER });
    const enc = row(t, c.id).reporterEnc!;
    expect(new PiiCipher(key).decrypt(enc, c.id).name).toBe(REPORTER.name);
    expect(() => new PiiCipher('cd'.repeat(32)).decrypt(enc, c.id)).toThrow();
    expect(() => new PiiCipher(key).decrypt(enc, 'another-id')).toThrow();
    await t.close();
  });
});
