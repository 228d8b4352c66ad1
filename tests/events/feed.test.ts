import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudEvent } from 'cloudevents';
import { inTx } from '../../src/db/client.js';
import { appendEvent } from '../../src/outbox/index.js';
import { EVENT_TYPES } from '../../src/events/catalog.js';
import { makeApp, type TestApp } from '../support/app.js';
import { emit, seedAgencies, TEAM_ID } from './helpers.js';

const ISSUE_TYPES = [
  'complaint.received',
  'complaint.accepted',
  'complaint.not_accepted',
  'complaint.transferred',
  'complaint.routed',
  'complaint.replied',
  'complaint.closed',
  'complaint.overdue',
  'assignment.created',
  'assignment.claimed',
  'assignment.declined',
  'assignment.completed',
  'assignment.overdue',
  'case.registered',
  'case.status_changed',
  'case.measure_added',
  'case.overdue',
  'filing.created',
  'filing.acknowledged',
  'filing.overdue',
  'notification.created',
];

describe('event catalog, envelope and pull feed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ env: { PUBLIC_BASE_URL: 'https://api.enforcement.example' } });
    seedAgencies(t);
  });
  afterAll(() => t.close());

  it('GET /v1/event-types lists every type with a data schema, also in the OpenAPI document', async () => {
    const r = await t.app.inject({ url: '/v1/event-types', headers: t.auth(t.admin) });
    expect(r.statusCode).toBe(200);
    const types = r.json().items.map((i: { type: string }) => i.type);
    for (const ty of [...ISSUE_TYPES, 'ping']) expect(types).toContain(ty);
    const item = r.json().items.find((i: { type: string }) => i.type === 'case.registered');
    expect(item.dataSchema.type).toBe('object');
    expect(item.dataSchemaRef).toBe('EventData.case.registered');
    const doc = t.app.swagger() as unknown as { components: { schemas: Record<string, unknown> } };
    for (const ty of Object.keys(EVENT_TYPES)) expect(doc.components.schemas[`EventData.${ty}`], ty).toBeTruthy();
    expect(doc.components.schemas.CloudEvent).toBeTruthy();
  });

  it('envelopes are CloudEvents 1.0 that the cloudevents package accepts', async () => {
    const e = emit(t, { subject: 'complaints/c-env', agencyCode: 'XPCC-D8', side: 'corps', actorAgencyCode: 'XPCC-D8' });
    emit(t, { subject: 'complaints/c-env', type: 'complaint.accepted', agencyCode: 'XPCC-D8', side: 'corps' });
    const r = await t.app.inject({ url: `/v1/events?subject=complaints/c-env`, headers: t.auth(t.admin) });
    expect(r.statusCode).toBe(200);
    const [a, b] = r.json().items;
    const ce = new CloudEvent(a);
    expect(ce.specversion).toBe('1.0');
    expect(ce.id).toBe(e.id);
    expect(ce.source).toBe('https://api.enforcement.example/enforcement/agencies/XPCC-D8');
    expect(ce.type).toBe('complaint.received');
    expect(ce.subject).toBe('complaints/c-env');
    expect(ce.datacontenttype).toBe('application/json');
    expect(ce.agencycode).toBe('xpccd8');
    expect(ce.side).toBe('corps');
    expect([a.sequence, b.sequence]).toEqual([1, 2]);
    expect(() => ce.validate()).not.toThrow();
  });

  it('a rolled-back write publishes nothing', async () => {
    const before = (await t.app.inject({ url: '/v1/events?limit=500', headers: t.auth(t.admin) })).json().items.length;
    expect(() =>
      inTx(t.app.deps.db, (tx) => {
        appendEvent(tx, t.clock, { type: 'case.registered', subject: 'cases/rolled-back', data: { id: 'rolled-back' }, side: 'region', agencyCode: 'XJ' });
        throw new Error('the change failed');
      }),
    ).toThrow('the change failed');
    const after = (await t.app.inject({ url: '/v1/events?limit=500', headers: t.auth(t.admin) })).json().items;
    expect(after.length).toBe(before);
    expect(after.some((e: { subject: string }) => e.subject === 'cases/rolled-back')).toBe(false);
    const audience = t.app.deps.db.$client.prepare(`select count(*) n from event_audience where position not in (select position from events)`).get() as {
      n: number;
    };
    expect(audience.n).toBe(0);
  });

  it('pages never skip or repeat while writes continue', async () => {
    for (let i = 0; i < 7; i++) emit(t, { subject: `cases/p${i}`, type: 'case.registered' });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 20; round++) {
      const q = cursor ? `&after=${cursor}` : '';
      const page = (await t.app.inject({ url: `/v1/events?types=case.*&limit=3${q}`, headers: t.auth(t.admin) })).json();
      seen.push(...page.items.map((e: { id: string }) => e.id));
      cursor = page.nextCursor;
      if (round < 3) emit(t, { subject: `cases/live${round}`, type: 'case.status_changed' }); // concurrent writes
      if (!page.hasMore && round >= 3) break;
    }
    const all = t.app.deps.db.$client.prepare(`select id from events where type like 'case.%' order by position`).all() as { id: string }[];
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it('types: wildcards work; unknown types → 400 listing the valid ones; foreign cursors → 400', async () => {
    const ok = await t.app.inject({ url: '/v1/events?types=complaint.*,case.registered', headers: t.auth(t.admin) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().items.every((e: { type: string }) => e.type.startsWith('complaint.') || e.type === 'case.registered')).toBe(true);
    const bad = await t.app.inject({ url: '/v1/events?types=complaint.recieved', headers: t.auth(t.admin) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring/types');
    expect(bad.json().detail).toContain('complaint.received');
    expect(bad.json().validTypes).toContain('filing.acknowledged');
    const badWild = await t.app.inject({ url: '/v1/events?types=nothing.*', headers: t.auth(t.admin) });
    expect(badWild.statusCode).toBe(400);
    const foreign = Buffer.from(JSON.stringify({ c: '2026-01-01', i: 'x' })).toString('base64url');
    for (const c of [foreign, 'garbage', '12']) {
      const r = await t.app.inject({ url: `/v1/events?after=${c}`, headers: t.auth(t.admin) });
      expect(r.statusCode, c).toBe(400);
      expect(r.json().errors[0].field).toBe('querystring/after');
    }
  });

  it('visibility: other agencies’ events are hidden (supervisor subtree, inspector team/agency, partner side)', async () => {
    const urumqi = emit(t, { subject: 'cases/vis-urumqi', type: 'case.registered', agencyCode: 'XJ-URUMQI', side: 'region' });
    const kashi = emit(t, { subject: 'cases/vis-kashi', type: 'case.registered', agencyCode: 'XJ-KASHI', side: 'region' });
    const d8 = emit(t, { subject: 'cases/vis-d8', type: 'case.registered', agencyCode: 'XPCC-D8', side: 'corps' });
    const team = emit(t, {
      subject: 'assignments/vis-team',
      type: 'assignment.created',
      agencyCode: 'XJ-KASHI',
      side: 'region',
      audience: [`team:${TEAM_ID}`],
    });
    const ids = async (key: string) =>
      (
        (await t.app.inject({ url: '/v1/events?limit=500&types=case.registered,assignment.created', headers: t.auth(key) })).json().items as { id: string }[]
      ).map((e) => e.id);

    const top = await ids(t.key({ role: 'supervisor', agencyCode: 'XJ', side: 'region' }));
    expect(top).toEqual(expect.arrayContaining([urumqi.id, kashi.id, team.id]));
    expect(top).not.toContain(d8.id);

    const urumqiSup = await ids(t.key({ role: 'supervisor', agencyCode: 'XJ-URUMQI', side: 'region' }));
    expect(urumqiSup).toContain(urumqi.id);
    expect(urumqiSup).not.toContain(kashi.id);
    expect(urumqiSup).not.toContain(d8.id);

    const inspector = await ids(t.key({ role: 'inspector', agencyCode: 'XJ-URUMQI', side: 'region', teamId: TEAM_ID }));
    expect(inspector).toEqual(expect.arrayContaining([urumqi.id, team.id]));
    expect(inspector).not.toContain(kashi.id);

    // Partners GET no case and no assignment (404), so — a caller sees an event if and only if it
    // may GET its subject — they see none of these events, whatever their audience (issue 12,
    // finding 3: an unbound partner used to see both sides' cases and assignments here).
    const corpsPartner = await ids(t.key({ role: 'partner', side: 'corps', audience: 'side', scopes: ['events', 'complaints'] }));
    expect(corpsPartner).not.toContain(d8.id);
    expect(corpsPartner).not.toContain(urumqi.id);

    const statsOffice = await ids(t.key({ role: 'partner', audience: 'all', scopes: ['events', 'complaints'] }));
    for (const e of [urumqi, kashi, d8, team]) expect(statsOffice).not.toContain(e.id);
    // what the admin sees, for contrast
    expect(await ids(t.admin)).toEqual(expect.arrayContaining([urumqi.id, kashi.id, d8.id, team.id]));
  });

  it('no reporter data in events: appendEvent refuses it (the change rolls back), and the catalog has no such fields', async () => {
    const before = (t.app.deps.db.$client.prepare('select count(*) n from events').get() as { n: number }).n;
    for (const data of [
      { id: 'x', reporter: { name: 'Zhang San' } },
      { id: 'x', nested: [{ phone: '+86 138 0000 0000' }] },
      { id: 'x', queryCode: 'abc' },
    ]) {
      expect(() => emit(t, { subject: 'complaints/pii', data })).toThrow(/reporter personal data/);
    }
    expect((t.app.deps.db.$client.prepare('select count(*) n from events').get() as { n: number }).n).toBe(before);
    const pii = new Set(['reporter', 'reportername', 'reporterphone', 'reporteremail', 'phone', 'mobile', 'email', 'idnumber', 'idcard', 'querycode']);
    const walk = (s: unknown, path: string): string[] => {
      if (!s || typeof s !== 'object') return [];
      const props = (s as { properties?: Record<string, unknown> }).properties ?? {};
      return Object.entries(props).flatMap(([k, v]) => [...(pii.has(k.toLowerCase()) ? [`${path}.${k}`] : []), ...walk(v, `${path}.${k}`)]);
    };
    for (const [ty, e] of Object.entries(EVENT_TYPES)) expect(walk(e.data, ty)).toEqual([]);
  });
});
