import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { caseApp, caseBody, createCase, DEMO_POINTS, walk, type CaseTest } from './helpers.js';
import { casesForComplaint } from '../../src/cases/service.js';
import { events } from '../../src/outbox/tables.js';

describe('case registration', () => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp();
  });
  afterAll(() => t.close());

  const post = (body: Record<string, unknown>, label = 'changjiInspector', headers: Record<string, string> = {}) =>
    t.req(label, 'POST', '/v1/cases', body, headers);

  it('201 registered with a number unique per agency and year, an ETag and a Location', async () => {
    const a = await post(caseBody());
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json()).toMatchObject({ status: 'registered', number: '652301-2026-00001', leadAgencyCode: '652301', side: 'region', version: 1 });
    expect(a.headers.location).toBe(`/v1/cases/${a.json().id}`);
    expect(a.headers.etag).toBe('"1"');
    expect((await createCase(t)).number).toBe('652301-2026-00002');
    expect((await createCase(t, { leadAgencyCode: '650100', location: DEMO_POINTS.urumqiCenter }, 'admin')).number).toBe('650100-2026-00001');
    const ev = t.app.deps.db
      .select()
      .from(events)
      .where(and(eq(events.type, 'case.registered'), eq(events.subject, `cases/${a.json().id}`)))
      .get()!;
    expect(ev.data).toMatchObject({ id: a.json().id, number: '652301-2026-00001', leadAgencyCode: '652301', status: 'registered' });
  });

  it('the year is the year in China (UTC+8): numbering restarts at 00001', async () => {
    const t2 = await caseApp();
    try {
      t2.clock.set('2026-12-31T15:59:00.000Z'); // 23:59 in Urumqi/Beijing time
      expect((await createCase(t2)).number).toBe('652301-2026-00001');
      t2.clock.set('2026-12-31T16:00:00.000Z'); // 00:00 on 1 January 2027
      expect((await createCase(t2)).number).toBe('652301-2027-00001');
      expect((await createCase(t2)).number).toBe('652301-2027-00002');
    } finally {
      await t2.close();
    }
  });

  it('unknown agency, co-handling agency, source or complaint → 404 naming which', async () => {
    for (const [over, what] of [
      [{ leadAgencyCode: 'NOPE' }, 'agency NOPE'],
      [{ coHandlingAgencyCodes: ['XPCC-D6', 'NOPE2'] }, 'agency NOPE2'],
      [{ sourceId: 'no-such-source' }, 'source no-such-source'],
      [{ origin: { kind: 'complaint', complaintIds: ['no-such-complaint'] } }, 'complaint no-such-complaint'],
    ] as const) {
      const r = await post(caseBody(over));
      expect(r.statusCode, JSON.stringify(over)).toBe(404);
      expect(r.json().detail).toContain(what);
    }
  });

  it('bad input → 400 and nothing registered', async () => {
    const before = (await t.req('admin', 'GET', '/v1/cases?limit=500')).json().items.length;
    const bad: [Record<string, unknown>, string][] = [
      [{ origin: { kind: 'complaint' } }, 'body/origin/complaintIds'],
      [{ coHandlingAgencyCodes: ['652301'] }, 'body/coHandlingAgencyCodes'],
      [{ title: 'x'.repeat(201) }, 'body/title'],
      [{ category: 'smell' }, 'body/category'],
      [{ location: { lat: 95, lng: 87 } }, 'body/location/lat'],
      [{ origin: { kind: 'rumour' } }, 'body/origin/kind'],
      [{ number: 'MY-NUMBER' }, 'body/number'],
      [{ status: 'closed' }, 'body/status'],
    ];
    for (const [over, field] of bad) {
      const r = await post(caseBody(over));
      expect(r.statusCode, JSON.stringify(over)).toBe(400);
      expect(
        r.json().errors.map((e: { field: string }) => e.field),
        JSON.stringify(over),
      ).toContain(field);
    }
    const { summary: _s, ...noSummary } = caseBody();
    expect((await post(noSummary)).statusCode).toBe(400);
    expect((await t.req('admin', 'GET', '/v1/cases?limit=500')).json().items.length).toBe(before);
  });

  it('who may register: own agency or below; supervisors above; admin any; intake 403; partner 404', async () => {
    expect((await post(caseBody({ leadAgencyCode: '652300' }))).statusCode).toBe(403);
    expect((await post(caseBody({ leadAgencyCode: '650100' }))).statusCode).toBe(403);
    expect((await post(caseBody({ leadAgencyCode: 'XPCC-D8' }))).statusCode).toBe(403);
    expect((await post(caseBody(), 'changjiPrefSupervisor')).statusCode).toBe(201);
    expect((await post(caseBody({ leadAgencyCode: 'XPCC-D8-R121', location: DEMO_POINTS.regiment121Center }), 'd8Supervisor')).statusCode).toBe(201);
    expect((await post(caseBody({ leadAgencyCode: '654003', location: DEMO_POINTS.kuytunCenter }), 'admin')).statusCode).toBe(201);
    expect((await post(caseBody(), 'intake')).statusCode).toBe(403);
    expect((await post(caseBody(), 'partner')).statusCode).toBe(404);
  });

  it('a place on the seam gets a co-handling agency of the other side automatically', async () => {
    const c = await createCase(t, { location: DEMO_POINTS.seamNearShihezi });
    expect(c).toMatchObject({ joint: true, coHandlingAgencyCodes: ['XPCC-D8'] });
    const inside = await createCase(t, { location: DEMO_POINTS.shiheziCenter });
    expect(inside).toMatchObject({ joint: true, coHandlingAgencyCodes: ['XPCC-D8'], gridId: 'area-xpcc-d8-grid-01' });
    const plain = await createCase(t);
    expect(plain).toMatchObject({ joint: false, coHandlingAgencyCodes: [] });
    // A named co-handling agency of the other side replaces the automatic one.
    const named = await createCase(t, { location: DEMO_POINTS.seamNearShihezi, coHandlingAgencyCodes: ['XPCC-D6'] });
    expect(named.coHandlingAgencyCodes).toEqual(['XPCC-D6']);
    // Routing later adds nothing twice.
    await t.app.runtime.settle();
    expect((await t.req('admin', 'GET', `/v1/cases/${c.id}`)).json().coHandlingAgencyCodes).toEqual(['XPCC-D8']);
  });

  it('a source of the other side gets that side’s agency as co-handling', async () => {
    const s = await t.req('admin', 'POST', '/v1/sources', {
      name: '五家渠化工厂',
      creditCode: '91110000802100433B',
      side: 'corps',
      agencyCode: 'XPCC-D6',
      location: DEMO_POINTS.wujiaquCenter,
      address: '五家渠市',
      industry: '化工',
    });
    expect(s.statusCode, s.body).toBe(201);
    const c = await createCase(t, { sourceId: s.json().id });
    expect(c).toMatchObject({ sourceId: s.json().id, coHandlingAgencyCodes: ['XPCC-D6'], partyName: '五家渠化工厂' });
  });

  it('opening a case from complaints links them both ways; closing calls the complaint flow', async () => {
    const cp = await t.req('intake', 'POST', '/v1/complaints', {
      channel: 'phone',
      category: 'air',
      description: 'Black smoke',
      location: DEMO_POINTS.changjiCenter,
    });
    expect(cp.statusCode, cp.body).toBe(201);
    const complaintId = cp.json().id;
    const c = await createCase(t, { origin: { kind: 'complaint', complaintIds: [complaintId] } });
    expect(c.origin).toEqual({ kind: 'complaint', complaintIds: [complaintId] });
    expect(casesForComplaint(t.app.deps.db, complaintId)).toEqual([c.id]);
    const calls: unknown[] = [];
    const prior = t.app.deps.services.onCaseClosed;
    t.app.deps.services.onCaseClosed = (_tx, ids, caseId) => void calls.push({ ids, caseId });
    try {
      await walk(t, c.id, ['investigating', 'pending_decision', 'decided', 'executing']);
      expect(calls).toEqual([]);
      await walk(t, c.id, ['closed']);
      expect(calls).toEqual([{ ids: [complaintId], caseId: c.id }]);
    } finally {
      t.app.deps.services.onCaseClosed = prior;
    }
  });

  it('Idempotency-Key: a retried POST returns the same case, not a second one', async () => {
    const h = { 'idempotency-key': 'field-app-retry-1' };
    const a = await post(caseBody({ title: 'Retried' }), 'changjiInspector', h);
    const b = await post(caseBody({ title: 'Retried' }), 'changjiInspector', h);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().id).toBe(a.json().id);
    const other = await post(caseBody({ title: 'Different' }), 'changjiInspector', h);
    expect(other.statusCode).toBe(422);
  });
});
