import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { TEAM, assignmentsOf, create, keys as intakeKeys, ok, seedMap } from '../intake/helpers.js';
import { walk } from '../cases/helpers.js';
import { filingApp, filingsOf, newCase, SEAM, type CaseTest } from '../filings/helpers.js';

/**
 * The access matrix (issue 12, "Done when"): role × side × resource × action → 200/403/404, on a
 * world with both sides' agencies, teams and keys, including acting after a decline, after a
 * close and after a transfer. One rule everywhere: who cannot see a resource gets 404 (on GET and
 * on every action); who sees it but may not act gets 403 naming the rule; a role that can never
 * act there is refused (403) before the resource is read.
 */
type Cell = [key: string, method: 'GET' | 'POST', path: string, body: unknown, expected: number];

describeModes('access matrix', (mode) => {
  describe('complaints and assignments', () => {
    let t: TestApp;
    let k: Record<string, string>;
    beforeAll(async () => {
      t = await makeApp({ mode });
      seedMap(t);
      k = { ...intakeKeys(t) };
    });
    afterAll(() => t.close());

    const call = (key: string, method: string, url: string, body?: unknown) =>
      t.app.inject({ method: method as 'GET', url, headers: t.auth(key), ...(body !== undefined ? { payload: body as object } : {}) });
    const check = async (cells: Cell[]) => {
      for (const [key, method, path, body, expected] of cells) {
        const r = await call(k[key], method, path, body);
        expect(r.statusCode, `${key} ${method} ${path}: ${r.body}`).toBe(expected);
        if (expected === 403 && method === 'POST') expect(r.json().type, `${key} ${path}`).toMatch(/forbidden$/);
      }
    };
    /** A complaint on region ground (each > 500 m from the last: no duplicates), routed to the CJS air team (lead pending). */
    let n = 0;
    const routed = async (by = 'intake') => {
      const i = n++;
      const location = { lat: 44.01 + 0.008 * Math.floor(i / 10), lng: 86.01 + 0.008 * (i % 10) };
      const c = await create(t, k[by], { location });
      await ok(t, k.intake, c.id, 'accept');
      await t.app.runtime.settle();
      const lead = assignmentsOf(t, c.id).find((a) => a.role === 'lead')!;
      expect(lead.teamId).toBe(TEAM.cjsAir);
      return { c: `/v1/complaints/${c.id}`, a: `/v1/assignments/${lead.id}`, id: c.id, leadId: lead.id };
    };
    const reply = { text: 'Handled.' };

    it('reads: complaint and its assignment, by every role of both sides', async () => {
      const { c, a } = await routed('partner');
      await check([
        ['admin', 'GET', c, undefined, 200],
        ['intake', 'GET', c, undefined, 200],
        ['cjsAir', 'GET', c, undefined, 200],
        ['supCJ', 'GET', c, undefined, 200],
        ['d8All', 'GET', c, undefined, 404],
        ['supD8', 'GET', c, undefined, 404],
        ['partner', 'GET', c, undefined, 200], // it created it
        ['partner2', 'GET', c, undefined, 404],
        ['admin', 'GET', a, undefined, 200],
        ['intake', 'GET', a, undefined, 200],
        ['cjsAir', 'GET', a, undefined, 200],
        ['supCJ', 'GET', a, undefined, 200],
        ['d8All', 'GET', a, undefined, 404],
        ['supD8', 'GET', a, undefined, 404],
        ['partner', 'GET', a, undefined, 403], // partners have no work list
      ]);
    });

    it('writes on an open complaint: reply needs the claimed lead; start the lead team; the other side 404', async () => {
      const { c, a } = await routed();
      await check([
        ['d8All', 'POST', c + '/reply', reply, 404],
        ['supD8', 'POST', c + '/reply', reply, 404],
        ['d8All', 'POST', c + '/start', undefined, 404],
        ['d8All', 'POST', a + '/claim', undefined, 404],
        ['supD8', 'POST', a + '/claim', undefined, 404],
        ['partner', 'POST', c + '/reply', reply, 403],
        ['partner', 'POST', a + '/claim', undefined, 403],
        ['cjsAir', 'POST', c + '/reply', reply, 403], // not claimed yet
        ['intake', 'POST', a + '/claim', undefined, 403], // the center acts on triage items only
        ['cjsAir', 'POST', a + '/claim', undefined, 200],
      ]);
      await t.app.runtime.settle();
      await check([['cjsAir', 'POST', c + '/reply', reply, 200]]);
      for (const who of ['supCJ', 'intake', 'admin']) {
        const x = await routed();
        await check([[who, 'POST', x.c + '/reply', reply, 200]]);
      }
      const s = await routed();
      await check([
        ['supD8', 'POST', s.c + '/start', undefined, 404],
        ['cjsAir', 'POST', s.c + '/start', undefined, 200],
      ]);
    });

    it('after a decline: the declining team reads but cannot write; the new lead may', async () => {
      const { c, a, id } = await routed();
      expect((await call(k.cjsAir, 'POST', a + '/decline', { reason: 'corps ground', suggestedAgencyCode: 'XPCC-D8' })).statusCode).toBe(200);
      await t.app.runtime.settle();
      const next = `/v1/assignments/${assignmentsOf(t, id).find((x) => x.status === 'pending')!.id}`;
      await check([
        ['cjsAir', 'GET', c, undefined, 200],
        ['cjsAir', 'GET', a, undefined, 200],
        ['cjsAir', 'POST', c + '/reply', reply, 403],
        ['cjsAir', 'POST', c + '/start', undefined, 403],
        ['supCJ', 'POST', c + '/reply', reply, 403],
        ['supCJ', 'POST', c + '/extend', { days: 3, reason: 'x' }, 403],
        ['cjsAir', 'POST', a + '/claim', undefined, 409],
        ['cjsAir', 'GET', next, undefined, 404],
        ['cjsAir', 'POST', next + '/claim', undefined, 404],
        ['d8All', 'GET', c, undefined, 200],
        ['d8All', 'POST', c + '/reply', reply, 403], // claim first
        ['d8All', 'POST', next + '/claim', undefined, 200],
      ]);
      await t.app.runtime.settle();
      await check([['d8All', 'POST', c + '/reply', reply, 200]]);
    });

    it('after a close: the assignment is cancelled, every action on it 409, the complaint takes no reply', async () => {
      const { c, a } = await routed();
      await check([['cjsAir', 'POST', a + '/claim', undefined, 200]]);
      await t.app.runtime.settle();
      await check([['cjsAir', 'POST', c + '/reply', reply, 200]]);
      await ok(t, k.intake, c.split('/').pop()!, 'close');
      await check([
        ['cjsAir', 'GET', a, undefined, 200],
        ['cjsAir', 'POST', a + '/complete', {}, 409],
        ['cjsAir', 'POST', a + '/decline', { reason: 'x' }, 409],
        ['supCJ', 'POST', a + '/claim', undefined, 409],
        ['cjsAir', 'POST', c + '/reply', reply, 403], // no open lead any more
        ['intake', 'POST', c + '/reply', reply, 409], // the center may, but the complaint is closed
        ['d8All', 'POST', a + '/claim', undefined, 404],
      ]);
    });
  });

  describe('cases and filings', () => {
    let t: CaseTest;
    beforeAll(async () => {
      t = await filingApp(mode);
    });
    afterAll(() => t.close());
    const check = async (cells: Cell[]) => {
      for (const [key, method, path, body, expected] of cells) {
        const r = await t.req(key, method, path, body);
        expect(r.statusCode, `${key} ${method} ${path}: ${r.body}`).toBe(expected);
      }
    };
    const warning = { type: 'warning', description: '责令改正' };
    const note = { text: 'Seen on site.' };

    it('a joint case cross-filed to the corps: reads, measures, notes, acknowledgement', async () => {
      const c = await newCase(t, { location: SEAM });
      await t.app.runtime.settle();
      const [f] = filingsOf(t, c.id);
      const cp = `/v1/cases/${c.id}`;
      const fp = `/v1/filings/${f.id}`;
      await check([
        ['admin', 'GET', cp, undefined, 200],
        ['intake', 'GET', cp, undefined, 200],
        ['changjiInspector', 'GET', cp, undefined, 200],
        ['changjiSupervisor', 'GET', cp, undefined, 200],
        ['regionTop', 'GET', cp, undefined, 200],
        ['d8Supervisor', 'GET', cp, undefined, 200], // filed to it
        ['d8Inspector', 'GET', cp, undefined, 200],
        ['d6Supervisor', 'GET', cp, undefined, 404],
        ['urumqiSupervisor', 'GET', cp, undefined, 404],
        ['partner', 'GET', cp, undefined, 404],
        ['changjiInspector', 'POST', cp + '/measures', warning, 201],
        ['changjiPrefSupervisor', 'POST', cp + '/measures', warning, 201],
        ['d8Supervisor', 'POST', cp + '/measures', warning, 403],
        ['intake', 'POST', cp + '/measures', warning, 403],
        ['d6Supervisor', 'POST', cp + '/measures', warning, 404],
        ['d8Supervisor', 'POST', cp + '/notes', note, 201], // the seam makes the corps side co-handling
        ['d7Supervisor', 'POST', cp + '/notes', note, 404],
        ['changjiInspector', 'POST', cp + '/notes', note, 201],
        ['urumqiSupervisor', 'POST', cp + '/notes', note, 404],
        ['changjiInspector', 'GET', fp, undefined, 200],
        ['d8Inspector', 'GET', fp, undefined, 200],
        ['d6Supervisor', 'GET', fp, undefined, 404],
        ['changjiInspector', 'POST', fp + '/acknowledge', undefined, 403], // its own filing
        ['corpsTop', 'POST', fp + '/acknowledge', undefined, 403],
        ['d6Supervisor', 'POST', fp + '/acknowledge', undefined, 404],
        ['d8Inspector', 'POST', fp + '/acknowledge', undefined, 200],
        ['d8Supervisor', 'POST', fp + '/acknowledge', undefined, 409],
      ]);
    });

    it('after a transfer the former lead reads but no longer changes the case; after a withdrawal nobody adds measures', async () => {
      const c = await newCase(t);
      const cp = `/v1/cases/${c.id}`;
      await walk(t, c.id, ['transferred']);
      await check([
        ['changjiInspector', 'GET', cp, undefined, 200],
        ['changjiInspector', 'POST', cp + '/measures', warning, 403],
        ['changjiInspector', 'POST', cp + '/transitions', { to: 'investigating' }, 403],
        ['changjiPrefSupervisor', 'POST', cp + '/transitions', { to: 'investigating' }, 200],
        ['changjiPrefSupervisor', 'POST', cp + '/measures', warning, 201],
      ]);
      await walk(t, c.id, ['withdrawn'], 'changjiPrefSupervisor');
      await check([['changjiPrefSupervisor', 'POST', cp + '/measures', warning, 409]]);
    });
  });
});
