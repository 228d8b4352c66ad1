import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseApp, createCase, type CaseTest } from './helpers.js';
import { grantCaseAccess } from '../../src/cases/access.js';
import { inTx } from '../../src/db/client.js';

type Row = { read: number; listed: boolean; update: number; timeline: number };

/**
 * Case led by 652301 (Changji city, region), co-handled by XPCC-D6, cross-filed to XPCC-D7
 * (grantCaseAccess, as the cross-filing capability does when a filing arrives).
 */
const MATRIX: Record<string, Row> = {
  changjiInspector: { read: 200, listed: true, update: 200, timeline: 200 }, // lead
  changjiSupervisor: { read: 200, listed: true, update: 200, timeline: 200 }, // lead
  changjiPrefSupervisor: { read: 200, listed: true, update: 200, timeline: 200 }, // above the lead
  regionTop: { read: 200, listed: true, update: 200, timeline: 200 }, // top of the lead's side
  d6Supervisor: { read: 200, listed: true, update: 403, timeline: 200 }, // co-handling
  d7Supervisor: { read: 200, listed: true, update: 403, timeline: 200 }, // cross-filed
  corpsTop: { read: 200, listed: true, update: 403, timeline: 200 }, // above the co-handling and cross-filed agencies
  d8Supervisor: { read: 404, listed: false, update: 404, timeline: 404 }, // other side
  d8Inspector: { read: 404, listed: false, update: 404, timeline: 404 }, // other side
  urumqiSupervisor: { read: 404, listed: false, update: 404, timeline: 404 }, // other agency, same side
  intake: { read: 200, listed: true, update: 403, timeline: 200 }, // the 12369 center reads all
  admin: { read: 200, listed: true, update: 200, timeline: 200 },
  partner: { read: 404, listed: false, update: 404, timeline: 404 }, // partners use events
};

describe('case visibility matrix', () => {
  let t: CaseTest;
  let id: string;
  beforeAll(async () => {
    t = await caseApp();
    const c = await createCase(t, { coHandlingAgencyCodes: ['XPCC-D6'] });
    id = c.id;
    inTx(t.app.deps.db, (tx) => grantCaseAccess(tx, t.clock, { caseId: id, agencyCode: 'XPCC-D7', reason: 'filing:test' }));
    await t.app.runtime.settle();
  });
  afterAll(() => t.close());

  for (const [who, want] of Object.entries(MATRIX)) {
    it(`${who}: read ${want.read}, ${want.listed ? 'listed' : 'not listed'}, update ${want.update}, timeline ${want.timeline}`, async () => {
      const read = await t.req(who, 'GET', `/v1/cases/${id}`);
      expect(read.statusCode).toBe(want.read);
      if (want.read === 404) expect(read.json().detail).not.toContain('652301');
      const list = await t.req(who, 'GET', '/v1/cases?limit=500');
      if (who === 'partner') expect(list.statusCode).toBe(404);
      else expect(list.json().items.some((c: { id: string }) => c.id === id)).toBe(want.listed);
      const sync = await t.req(who, 'GET', '/v1/cases?updatedSince=0&limit=500');
      if (who !== 'partner') expect(sync.json().items.some((c: { id: string; deleted?: boolean }) => c.id === id && !c.deleted)).toBe(want.listed);
      const cur = (await t.req('admin', 'GET', `/v1/cases/${id}`)).headers.etag as string;
      const upd = await t.req(who, 'PATCH', `/v1/cases/${id}`, { summary: `edited by ${who}` }, { 'if-match': cur });
      expect(upd.statusCode, upd.body).toBe(want.update);
      const tl = await t.req(who, 'GET', `/v1/cases/${id}/timeline`);
      expect(tl.statusCode).toBe(want.timeline);
      const measures = await t.req(who, 'GET', `/v1/cases/${id}/measures`);
      expect(measures.statusCode).toBe(want.read);
    });
  }

  it('agencies below the lead see its cases but do not manage them', async () => {
    const c = await createCase(t, { leadAgencyCode: 'XPCC-D8', location: { lat: 44.31, lng: 86.08 } }, 'd8Supervisor');
    expect((await t.req('r121Supervisor', 'GET', `/v1/cases/${c.id}`)).statusCode).toBe(200);
    const upd = await t.req('r121Supervisor', 'PATCH', `/v1/cases/${c.id}`, { summary: 'x' }, { 'if-match': '"1"' });
    expect(upd.statusCode).toBe(403);
    // …while a case led by the regiment is seen by the division above it and not by another division.
    const r = await createCase(t, { leadAgencyCode: 'XPCC-D8-R121', location: { lat: 44.86, lng: 85.45 } }, 'r121Supervisor');
    expect((await t.req('d8Supervisor', 'GET', `/v1/cases/${r.id}`)).statusCode).toBe(200);
    expect((await t.req('d6Supervisor', 'GET', `/v1/cases/${r.id}`)).statusCode).toBe(404);
  });

  it('events for the case reach the lead, co-handling and cross-filed agencies', async () => {
    const c = await createCase(t, { coHandlingAgencyCodes: ['XPCC-D6'] });
    inTx(t.app.deps.db, (tx) => grantCaseAccess(tx, t.clock, { caseId: c.id, agencyCode: 'XPCC-D7', reason: 'filing:x' }));
    await t.req('changjiInspector', 'POST', `/v1/cases/${c.id}/transitions`, { to: 'investigating' });
    const db = t.app.deps.db.$client;
    const keys = db
      .prepare("SELECT a.key FROM events e JOIN event_audience a ON a.position = e.position WHERE e.subject = ? AND e.type = 'case.status_changed'")
      .all(`cases/${c.id}`)
      .map((r) => (r as { key: string }).key);
    expect(keys).toEqual(expect.arrayContaining(['agency:652301', 'agency:XPCC-D6', 'agency:XPCC-D7']));
  });
});
