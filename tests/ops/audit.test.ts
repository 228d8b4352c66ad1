import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { AT, create, get, keys, ok, post, seedMap } from '../intake/helpers.js';
import { subjectOf } from '../../src/http/audit.js';

const REPORTER = { name: '王秘密', phone: '+86 139-1234-5678', email: 'wang.secret@example.cn', anonymous: false };

interface Entry {
  id: string;
  at: string;
  keyId: string | null;
  role: string | null;
  side: string | null;
  agencyCode: string | null;
  teamId: string | null;
  method: string;
  route: string | null;
  path: string;
  subject: string | null;
  status: number;
  outcome: string;
  requestId: string;
}

describe('audit log', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  let keyIds: Record<string, string>;
  beforeAll(async () => {
    t = await makeApp({});
    seedMap(t);
    k = keys(t);
    const rows = t.app.deps.db.$client.prepare('SELECT id, name, role, agency_code AS agencyCode FROM api_keys').all() as {
      id: string;
      role: string;
      agencyCode: string | null;
    }[];
    keyIds = {
      intake: rows.find((r) => r.role === 'intake')!.id,
      supCJ: rows.find((r) => r.role === 'supervisor' && r.agencyCode === 'CJ')!.id,
    };
  });
  afterAll(() => t.close());

  const audit = async (query: string) => {
    const r = await get(t, t.admin, `/v1/admin/audit?${query}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json().items as Entry[];
  };

  it('records a write with who, what, when, the request id and the outcome; reads are not recorded', async () => {
    t.clock.set(new Date('2026-12-01T02:00:00.000Z'));
    const r = await post(t, k.intake, '/v1/complaints', {
      channel: 'phone',
      category: 'air',
      description: '烟囱冒黑烟',
      location: AT.region,
      reporter: REPORTER,
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id as string;
    await get(t, k.intake, `/v1/complaints/${id}`);
    const [e, ...more] = await audit(`subject=complaints/${id}`);
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      at: '2026-12-01T02:00:00.000Z',
      keyId: keyIds.intake,
      role: 'intake',
      method: 'POST',
      route: '/v1/complaints',
      path: '/v1/complaints',
      subject: `complaints/${id}`,
      status: 201,
      outcome: 'allowed',
      requestId: r.headers['x-request-id'],
    });
    // An action on it names the same subject.
    await ok(t, k.intake, id, 'accept');
    const entries = await audit(`subject=complaints/${id}`);
    expect(entries.map((x) => [x.route, x.status])).toEqual([
      ['/v1/complaints/:id/accept', 200],
      ['/v1/complaints', 201],
    ]);
  });

  it('records every denied attempt (401 without a key, 403 for a role that may not), reads included', async () => {
    const before = (await audit('outcome=denied&limit=100')).length;
    const noKey = await t.app.inject({ method: 'POST', url: '/v1/teams', payload: { agencyCode: 'CJS', name: 'x', categories: ['air'] } });
    expect(noKey.statusCode).toBe(401);
    const forbidden = await post(t, k.supCJ, '/v1/teams', { agencyCode: 'CJS', name: 'x', categories: ['air'] });
    expect(forbidden.statusCode).toBe(403);
    const deniedRead = await get(t, k.supCJ, '/v1/admin/pii-reads');
    expect(deniedRead.statusCode).toBe(403);
    const denied = await audit('outcome=denied&limit=100');
    expect(denied).toHaveLength(before + 3);
    expect(denied.slice(0, 3).map((x) => [x.method, x.path, x.status, x.keyId])).toEqual([
      ['GET', '/v1/admin/pii-reads', 403, keyIds.supCJ],
      ['POST', '/v1/teams', 403, keyIds.supCJ],
      ['POST', '/v1/teams', 401, null],
    ]);
    expect(denied[1]).toMatchObject({ role: 'supervisor', side: 'region', agencyCode: 'CJ' });
    expect((await audit(`actor=${keyIds.supCJ}`)).every((x) => x.keyId === keyIds.supCJ)).toBe(true);
  });

  it('keeps no reporter data, body or query string', async () => {
    const c = await create(t, k.intake, { reporter: REPORTER, description: '夜间噪声扰民' });
    await t.app.inject({ method: 'GET', url: `/v1/public/complaints/${c.number}?code=WRONGCODE`, headers: t.auth(k.supCJ) });
    const all = JSON.stringify(t.app.deps.db.$client.prepare('SELECT * FROM audit_log').all());
    for (const s of [REPORTER.name, REPORTER.phone, REPORTER.email, '夜间噪声扰民', c.queryCode, 'WRONGCODE']) expect(all).not.toContain(s);
  });

  it('filters by time window and pages newest first without repeats', async () => {
    t.clock.set(new Date('2026-12-02T00:00:00.000Z'));
    for (let i = 0; i < 5; i++) await create(t, k.intake);
    const window = await audit('from=2026-12-02T00:00:00.000Z&to=2026-12-03T00:00:00.000Z&limit=100');
    expect(window).toHaveLength(5);
    const seen: string[] = [];
    let cursor = '';
    do {
      const r = await get(t, t.admin, `/v1/admin/audit?from=2026-12-02T00:00:00.000Z&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.json().items.map((x: Entry) => x.id));
      cursor = r.json().nextCursor ?? '';
    } while (cursor);
    expect(seen).toEqual(window.map((x) => x.id));
  });

  it('only admins read it; it is append-only at the database', async () => {
    expect((await get(t, k.supCJ, '/v1/admin/audit')).statusCode).toBe(403);
    expect((await get(t, k.intake, '/v1/admin/audit')).statusCode).toBe(403);
    expect(() => t.app.deps.db.$client.prepare("UPDATE audit_log SET outcome = 'allowed'").run()).toThrow(/append-only/);
    expect(() => t.app.deps.db.$client.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });
});

describe('audit subject', () => {
  it('names the subject as events do', () => {
    expect(subjectOf('/v1/cases/abc/measures/m1/lift', undefined)).toBe('cases/abc');
    expect(subjectOf('/v1/cases', '/v1/cases/abc')).toBe('cases/abc');
    expect(subjectOf('/v1/admin/jobs/j1/retry', undefined)).toBe('admin/jobs/j1');
    expect(subjectOf('/open311/v2/requests.json', '/v1/complaints/c1')).toBe('complaints/c1');
  });
});
