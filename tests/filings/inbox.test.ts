import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { caseAccess } from '../../src/cases/tables.js';
import { DEMO_POINTS, filingApp, filingsOf, inbox, newCase, SEAM, type CaseTest } from './helpers.js';

describeModes('filings: inbox, acknowledgement, comments, information requests, manual filings', (mode) => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await filingApp(mode);
  });
  afterAll(() => t.close());

  const settle = () => t.app.runtime.settle();
  const jointFiling = async () => {
    const c = await newCase(t, { location: SEAM });
    await settle();
    const [f] = filingsOf(t, c.id);
    expect(f.toAgencyCode).toBe('XPCC-D8');
    return { c, f };
  };

  it('the received filing is an inbox item of the receiving agency, newest first, linked to the filing', async () => {
    const { c, f } = await jointFiling();
    const { f: f2 } = await jointFiling();
    for (const who of ['d8Supervisor', 'd8Inspector']) {
      const items = await inbox(t, who, 'kind=filing');
      expect(items[0]).toMatchObject({
        kind: 'filing',
        status: 'pending',
        filingId: f2.id,
        subject: `filings/${f2.id}`,
        link: `/v1/filings/${f2.id}`,
        read: false,
      });
      const mine = items.find((i) => i.filingId === f.id)!;
      expect(mine.data).toMatchObject({ caseId: c.id, caseNumber: c.number, fromAgencyCode: '652301', trigger: 'registered' });
      expect(items.indexOf(mine)).toBeGreaterThan(0);
    }
    // Not in the sending agency's inbox, nor a third agency's.
    expect((await inbox(t, 'changjiSupervisor', 'kind=filing')).some((i) => i.filingId === f.id)).toBe(false);
    expect((await inbox(t, 'd6Supervisor')).some((i) => i.filingId === f.id)).toBe(false);
    // Roles: admins and partners have no inbox.
    expect((await t.req('partner', 'GET', '/v1/inbox')).statusCode).toBe(403);
  });

  it('read / unread: marking an item read, filtering, and another agency’s item → 404', async () => {
    const { f } = await jointFiling();
    const item = (await inbox(t, 'd8Supervisor', 'kind=filing')).find((i) => i.filingId === f.id)!;
    expect((await t.req('changjiSupervisor', 'POST', `/v1/inbox/${item.id}/read`)).statusCode).toBe(404);
    const r = await t.req('d8Inspector', 'POST', `/v1/inbox/${item.id}/read`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: item.id, read: true });
    const again = await t.req('d8Supervisor', 'POST', `/v1/inbox/${item.id}/read`);
    expect(again.json().readAt).toBe(r.json().readAt);
    expect((await inbox(t, 'd8Supervisor', 'unread=true')).some((i) => i.id === item.id)).toBe(false);
    expect((await inbox(t, 'd8Supervisor', 'unread=false')).map((i) => i.id)).toContain(item.id);
    expect((await t.req('d8Supervisor', 'POST', '/v1/inbox/nope/read')).statusCode).toBe(404);
    // Bad filter → 400.
    expect((await t.req('d8Supervisor', 'GET', '/v1/inbox?kind=spam')).statusCode).toBe(400);
  });

  it('keyset pages of the inbox never repeat or skip an item', async () => {
    await jointFiling();
    const all = await inbox(t, 'd8Supervisor', 'limit=500');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await t.req('d8Supervisor', 'GET', `/v1/inbox?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.json().items.map((i: { id: string }) => i.id));
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((i) => i.id));
  });

  it('acknowledgement by the receiving agency; twice → 409; who sees it but may not → 403 naming the rule; who cannot see it → 404', async () => {
    const { f } = await jointFiling();
    // the filing agency (and an agency above the receiver) sees the filing but does not acknowledge it
    for (const who of ['changjiSupervisor', 'changjiInspector', 'corpsTop']) {
      expect((await t.req(who, 'GET', `/v1/filings/${f.id}`)).statusCode, who).toBe(200);
      const r = await t.req(who, 'POST', `/v1/filings/${f.id}/acknowledge`);
      expect(r.statusCode, who).toBe(403);
      expect(r.json(), who).toMatchObject({ rule: 'acknowledge:receiving-agency' });
    }
    expect((await t.req('changjiInspector', 'POST', `/v1/filings/${f.id}/acknowledge`)).json().detail).toMatch(/made by your agency/);
    expect((await t.req('d6Supervisor', 'GET', `/v1/filings/${f.id}`)).statusCode).toBe(404);
    expect((await t.req('d6Supervisor', 'POST', `/v1/filings/${f.id}/acknowledge`)).statusCode).toBe(404);
    expect((await t.req('d8Inspector', 'POST', '/v1/filings/unknown/acknowledge')).statusCode).toBe(404);
    const r = await t.req('d8Inspector', 'POST', `/v1/filings/${f.id}/acknowledge`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: expect.any(String), acknowledgedAt: t.clock.now().toISOString() });
    const twice = await t.req('d8Supervisor', 'POST', `/v1/filings/${f.id}/acknowledge`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().type).toContain('already-acknowledged');
    const item = (await inbox(t, 'd8Supervisor', 'kind=filing')).find((i) => i.filingId === f.id)!;
    expect(item.status).toBe('acknowledged');
    expect((await inbox(t, 'd8Supervisor', 'kind=filing&status=pending')).some((i) => i.filingId === f.id)).toBe(false);
    await settle();
    const evs = t.app.deps.db.$client.prepare('SELECT type FROM events WHERE subject = ? ORDER BY sequence').all(`filings/${f.id}`);
    expect(evs).toEqual([{ type: 'filing.created' }, { type: 'filing.acknowledged' }]);
  });

  it('request-info round trip: the question lands in the filing agency’s inbox, its answer comes back as a notification', async () => {
    const { f } = await jointFiling();
    // Only the receiving agency asks: the sender gets 403, a stranger 404.
    expect((await t.req('changjiSupervisor', 'POST', `/v1/filings/${f.id}/request-info`, { question: 'x' })).statusCode).toBe(403);
    expect((await t.req('d6Supervisor', 'POST', `/v1/filings/${f.id}/request-info`, { question: 'x' })).statusCode).toBe(404);
    expect((await t.req('d8Supervisor', 'POST', `/v1/filings/${f.id}/request-info`, { question: 'q'.repeat(2001) })).statusCode).toBe(400);
    const q = await t.req('d8Supervisor', 'POST', `/v1/filings/${f.id}/request-info`, { question: 'Which boiler was sealed, and who owns it?' });
    expect(q.statusCode, q.body).toBe(201);
    expect(q.json()).toMatchObject({ kind: 'question', agencyCode: 'XPCC-D8', answeredAt: null });
    const asked = (await inbox(t, 'changjiSupervisor', 'kind=info_request')).find((i) => i.filingId === f.id)!;
    expect(asked).toMatchObject({ status: 'open', message: 'Which boiler was sealed, and who owns it?', link: `/v1/filings/${f.id}` });
    expect((await inbox(t, 'changjiInspector', 'kind=info_request&status=open')).some((i) => i.filingId === f.id)).toBe(true);
    // The receiver cannot answer its own question; an unknown question → 404.
    expect((await t.req('d8Supervisor', 'POST', `/v1/filings/${f.id}/comments`, { text: 'a', answers: q.json().id })).statusCode).toBe(403);
    expect((await t.req('changjiInspector', 'POST', `/v1/filings/${f.id}/comments`, { text: 'a', answers: 'nope' })).statusCode).toBe(404);
    const a = await t.req('changjiInspector', 'POST', `/v1/filings/${f.id}/comments`, { text: 'Boiler no. 2 of 昌吉某热力公司.', answers: q.json().id });
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json()).toMatchObject({ kind: 'answer', answersId: q.json().id, agencyCode: '652301' });
    expect((await t.req('changjiInspector', 'POST', `/v1/filings/${f.id}/comments`, { text: 'again', answers: q.json().id })).statusCode).toBe(409);
    // The request is answered; the asking agency is told.
    expect((await inbox(t, 'changjiSupervisor', 'kind=info_request')).find((i) => i.filingId === f.id)!.status).toBe('answered');
    const told = (await inbox(t, 'd8Supervisor', 'kind=notification')).find((i) => i.filingId === f.id)!;
    expect(told).toMatchObject({ notificationKind: 'filing_info_answered', subject: `filings/${f.id}`, link: `/v1/filings/${f.id}` });
    // Both sides read the exchange on the filing.
    for (const who of ['d8Inspector', 'changjiSupervisor']) {
      const got = (await t.req(who, 'GET', `/v1/filings/${f.id}`)).json();
      expect(got.comments.map((x: { kind: string; text: string }) => [x.kind, x.text])).toEqual([
        ['question', 'Which boiler was sealed, and who owns it?'],
        ['answer', 'Boiler no. 2 of 昌吉某热力公司.'],
      ]);
      expect(got.comments[0].answeredAt).toBe(a.json().createdAt);
    }
  });

  it('comments: up to 2,000 characters (more → 400), by either agency; strangers 404', async () => {
    const { f } = await jointFiling();
    const long = await t.req('d8Supervisor', 'POST', `/v1/filings/${f.id}/comments`, { text: 'x'.repeat(2001) });
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0].field).toContain('text');
    expect((await t.req('d8Supervisor', 'POST', `/v1/filings/${f.id}/comments`, { text: 'x'.repeat(2000) })).statusCode).toBe(201);
    expect((await t.req('changjiSupervisor', 'POST', `/v1/filings/${f.id}/comments`, { text: '收到' })).statusCode).toBe(201);
    expect((await t.req('d6Supervisor', 'POST', `/v1/filings/${f.id}/comments`, { text: 'x' })).statusCode).toBe(404);
    expect((await t.req('d8Supervisor', 'POST', `/v1/filings/${f.id}/comments`, { text: 'x', extra: 1 })).statusCode).toBe(400);
    const got = (await t.req('d8Supervisor', 'GET', `/v1/filings/${f.id}`)).json();
    expect(got.comments.map((x: { agencyCode: string }) => x.agencyCode)).toEqual(['XPCC-D8', '652301']);
  });

  it('the receiver reads the case (cross-filed), nobody else gains access', async () => {
    // A case far from corps ground, filed by hand with XPCC-D7.
    const c = await newCase(t, { location: DEMO_POINTS.changjiCenter });
    await settle();
    expect((await t.req('d7Supervisor', 'GET', `/v1/cases/${c.id}`)).statusCode).toBe(404);
    const r = await t.req('changjiSupervisor', 'POST', `/v1/cases/${c.id}/filings`, {
      toAgencyCode: 'XPCC-D7',
      note: 'Smoke drifts onto the 7th division’s fields',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      trigger: 'manual',
      reasons: ['manual'],
      fromAgencyCode: '652301',
      toAgencyCode: 'XPCC-D7',
      note: 'Smoke drifts onto the 7th division’s fields',
      status: 'pending',
    });
    expect(r.headers.location).toBe(`/v1/filings/${r.json().id}`);
    expect((await t.req('d7Supervisor', 'GET', `/v1/cases/${c.id}`)).statusCode).toBe(200);
    expect(
      t.app.deps.db
        .select()
        .from(caseAccess)
        .where(eq(caseAccess.caseId, c.id))
        .all()
        .map((a) => [a.agencyCode, a.reason]),
    ).toEqual([['XPCC-D7', `filing:${r.json().id}`]]);
    expect((await t.req('d7Inspector', 'GET', `/v1/cases/${c.id}`)).statusCode).toBe(200);
    expect((await t.req('corpsTop', 'GET', `/v1/cases/${c.id}`)).statusCode).toBe(200); // above the receiver
    for (const who of ['d6Supervisor', 'd8Supervisor', 'urumqiSupervisor']) expect((await t.req(who, 'GET', `/v1/cases/${c.id}`)).statusCode, who).toBe(404);
    // The filing itself: the two agencies (and supervisors above them) and admins; others 404.
    for (const who of ['d7Inspector', 'd7Supervisor', 'changjiInspector', 'changjiPrefSupervisor', 'corpsTop', 'admin'])
      expect((await t.req(who, 'GET', `/v1/filings/${r.json().id}`)).statusCode, who).toBe(200);
    for (const who of ['d6Supervisor', 'd8Inspector', 'urumqiSupervisor'])
      expect((await t.req(who, 'GET', `/v1/filings/${r.json().id}`)).statusCode, who).toBe(404);
    // …and D7 has it in its inbox.
    expect((await inbox(t, 'd7Inspector', 'kind=filing')).map((i) => i.filingId)).toContain(r.json().id);
  });

  it('manual filing: same side → 422, unknown agency → 404, invisible case → 404, same version twice → 409', async () => {
    const c = await newCase(t, { location: DEMO_POINTS.changjiCenter });
    const same = await t.req('changjiSupervisor', 'POST', `/v1/cases/${c.id}/filings`, { toAgencyCode: '650100' });
    expect(same.statusCode).toBe(422);
    expect(same.json().detail).toContain('same-side transfers are case transfers');
    expect((await t.req('changjiSupervisor', 'POST', `/v1/cases/${c.id}/filings`, { toAgencyCode: 'NOPE' })).statusCode).toBe(404);
    expect((await t.req('d6Supervisor', 'POST', `/v1/cases/${c.id}/filings`, { toAgencyCode: '650100' })).statusCode).toBe(404);
    expect((await t.req('changjiSupervisor', 'POST', `/v1/cases/${c.id}/filings`, { toAgencyCode: 'XPCC-D6', extra: true })).statusCode).toBe(400);
    expect((await t.req('changjiSupervisor', 'POST', `/v1/cases/${c.id}/filings`, { toAgencyCode: 'XPCC-D6', note: 'n'.repeat(2001) })).statusCode).toBe(400);
    expect((await t.req('partner', 'POST', `/v1/cases/${c.id}/filings`, { toAgencyCode: 'XPCC-D6' })).statusCode).toBe(403);
    expect(filingsOf(t, c.id)).toEqual([]);
    const ok = await t.req('admin', 'POST', `/v1/cases/${c.id}/filings`, { toAgencyCode: 'XPCC-D6' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().fromAgencyCode).toBe('652301'); // an admin files for the lead agency
    const dup = await t.req('changjiInspector', 'POST', `/v1/cases/${c.id}/filings`, { toAgencyCode: 'XPCC-D6' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().filingId).toBe(ok.json().id);
    // Idempotency-Key: a retried request returns the same filing.
    const c2 = await newCase(t, { location: DEMO_POINTS.changjiCenter });
    const h = { 'idempotency-key': `k-${c2.id}` };
    const first = await t.req('changjiInspector', 'POST', `/v1/cases/${c2.id}/filings`, { toAgencyCode: 'XPCC-D6' }, h);
    const retry = await t.req('changjiInspector', 'POST', `/v1/cases/${c2.id}/filings`, { toAgencyCode: 'XPCC-D6' }, h);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).toBe(first.json().id);
    expect(filingsOf(t, c2.id)).toHaveLength(1);
  });

  it('GET /v1/filings: supervisors see their subtree as sender or receiver, admins all; filters', async () => {
    const { c, f } = await jointFiling();
    const list = async (who: string, q: string) => {
      const r = await t.req(who, 'GET', `/v1/filings?${q}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json().items.map((x: { id: string }) => x.id) as string[];
    };
    expect(await list('d8Supervisor', `caseId=${c.id}`)).toEqual([f.id]);
    expect(await list('changjiSupervisor', `caseId=${c.id}`)).toEqual([f.id]);
    expect(await list('regionTop', `caseId=${c.id}`)).toEqual([f.id]);
    expect(await list('corpsTop', `caseId=${c.id}&toAgencyCode=XPCC-D8&fromAgencyCode=652301&status=pending`)).toEqual([f.id]);
    expect(await list('admin', `caseId=${c.id}`)).toEqual([f.id]);
    expect((await t.req('changjiSupervisor', 'POST', `/v1/filings/${f.id}/comments`, { text: 'See the attached decision.' })).statusCode).toBe(201);
    const item = (await t.req('d8Supervisor', 'GET', `/v1/filings?caseId=${c.id}`)).json().items[0];
    expect(item).toMatchObject({ id: f.id, snapshot: { id: c.id }, comments: [{ kind: 'comment', text: 'See the attached decision.', agencyCode: '652301' }] });
    expect(await list('d6Supervisor', `caseId=${c.id}`)).toEqual([]);
    expect(await list('urumqiSupervisor', `caseId=${c.id}`)).toEqual([]);
    expect(await list('d8Supervisor', `caseId=${c.id}&status=acknowledged`)).toEqual([]);
    expect(await list('d8Supervisor', `caseId=${c.id}&fromAgencyCode=XPCC-D8`)).toEqual([]);
    expect((await t.req('d8Inspector', 'GET', '/v1/filings')).statusCode).toBe(403);
    expect((await t.req('admin', 'GET', '/v1/filings?status=lost')).statusCode).toBe(400);
    // Newest first, pages without repeats.
    const all = await list('admin', 'limit=500');
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await t.req('admin', 'GET', `/v1/filings?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...r.json().items.map((x: { id: string }) => x.id));
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });
});
