import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes } from '../support/app.js';
import { caseApp, type CaseTest } from '../cases/helpers.js';
import { eventsOfSubject } from '../support/factories.js';

const notificationsOf = (t: CaseTest, subject: string) =>
  (t.app.deps.db.$client.prepare("SELECT data FROM events WHERE type = 'notification.created'").all() as { data: string }[])
    .map((r) => JSON.parse(r.data) as { kind: string; agencyCode: string; subject: string })
    .filter((n) => n.subject === subject);

const body = (over: Record<string, unknown> = {}) => ({
  kind: 'regular',
  title: '2026年第四季度兵地生态环境联席会商',
  convenerAgencyCode: '650000',
  agencyCodes: ['XPCC', 'XPCC-D8'],
  scheduledAt: '2026-12-10T02:00:00.000Z',
  place: '自治区生态环境厅三楼会议室',
  agenda: [{ title: '乌—昌—石区域冬季大气污染联防联控', links: [{ kind: 'rectification_task', id: 'rt-1' }] }],
  ...over,
});

describeModes('joint consultations (会商)', (mode) => {
  let t: CaseTest;
  const settle = () => t.app.runtime.settle();
  beforeAll(async () => {
    t = await caseApp({ mode });
  });
  afterAll(() => t.close());

  const convene = async (label: string, over: Record<string, unknown> = {}) => {
    const r = await t.req(label, 'POST', '/v1/consultations', body(over));
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; version: number; openDecisions: { id: string; status: string }[]; [k: string]: unknown };
  };
  const get = (label: string, id: string) => t.req(label, 'GET', `/v1/consultations/${id}`);
  const act = (label: string, id: string, action: string, b: unknown) => t.req(label, 'POST', `/v1/consultations/${id}/${action}`, b);

  it('convened by the region, attended by the corps; minutes only after it took place, by the convener; a decision goes overdue and is listed on the next agenda', async () => {
    t.clock.set('2026-12-01T02:00:00.000Z');
    const c = await convene('regionTop');
    expect(c).toMatchObject({ status: 'scheduled', agencyCodes: ['650000', 'XPCC', 'XPCC-D8'], convenerSide: 'region', openDecisions: [] });
    expect(c.attendance).toEqual([
      { agencyCode: '650000', status: 'confirmed', note: null, at: '2026-12-01T02:00:00.000Z' },
      { agencyCode: 'XPCC', status: 'invited', note: null, at: null },
      { agencyCode: 'XPCC-D8', status: 'invited', note: null, at: null },
    ]);
    const subject = `consultations/${c.id}`;
    expect(notificationsOf(t, subject).map((n) => [n.kind, n.agencyCode])).toEqual([
      ['consultation_invited', 'XPCC'],
      ['consultation_invited', 'XPCC-D8'],
    ]);

    // Attendance: the invited agency answers for itself.
    const yes = await act('d8Supervisor', c.id, 'attendance', { agencyCode: 'XPCC-D8', attending: true, note: '师局副局长张伟参会' });
    expect(yes.statusCode, yes.body).toBe(200);
    expect(yes.json().attendance[2]).toMatchObject({ agencyCode: 'XPCC-D8', status: 'confirmed', note: '师局副局长张伟参会' });
    expect((await act('d8Supervisor', c.id, 'attendance', { agencyCode: 'XPCC', attending: false })).json().rule).toBe('invited-agency-only');
    expect((await act('corpsTop', c.id, 'attendance', { agencyCode: '652301', attending: true })).json().errors[0].field).toBe('body/agencyCode');
    // Not a participant and not above one: the consultation is invisible.
    expect((await get('changjiSupervisor', c.id)).statusCode).toBe(404);
    expect((await act('changjiSupervisor', c.id, 'attendance', { agencyCode: 'XPCC-D8', attending: true })).statusCode).toBe(404);
    expect((await get('r121Supervisor', c.id)).statusCode).toBe(404);
    expect((await get('d8Inspector', c.id)).statusCode).toBe(200);

    const minutes = {
      attendees: ['王强（自治区生态环境厅）', '张伟（八师石河子市生态环境局）'],
      text: '会议通报了乌—昌—石区域冬季大气污染防治进展，议定以下事项。',
      decisions: [
        { text: '八师石河子市牵头完成辖区燃煤锅炉排查并通报自治区', ownerAgencyCode: 'XPCC-D8', dueOn: '2026-12-20' },
        { text: '自治区生态环境厅汇总形成联合执法方案', ownerAgencyCode: '650000', dueOn: '2027-01-15' },
      ],
    };
    // Before its time: 409.
    const early = await act('regionTop', c.id, 'minutes', minutes);
    expect(early.statusCode).toBe(409);
    expect(early.json().type).toMatch(/consultation-not-held-yet$/);

    t.clock.set('2026-12-10T06:00:00.000Z');
    expect((await act('d8Supervisor', c.id, 'minutes', minutes)).json().rule).toBe('convener-only');
    const badOwner = await act('regionTop', c.id, 'minutes', { ...minutes, decisions: [{ ...minutes.decisions[0], ownerAgencyCode: '652301' }] });
    expect(badOwner.json().errors[0].field).toBe('body/decisions/0/ownerAgencyCode');
    const badDue = await act('regionTop', c.id, 'minutes', { ...minutes, decisions: [{ ...minutes.decisions[0], dueOn: '2026-12-09' }] });
    expect(badDue.json().errors[0].field).toBe('body/decisions/0/dueOn');
    expect((await get('regionTop', c.id)).json().status).toBe('scheduled'); // refused: nothing changed

    const held = await act('regionTop', c.id, 'minutes', minutes);
    expect(held.statusCode, held.body).toBe(200);
    const h = held.json();
    expect(h.status).toBe('held');
    expect(
      h.decisions.map((d: { seq: number; ownerAgencyCode: string; dueAt: string; status: string }) => [d.seq, d.ownerAgencyCode, d.dueAt, d.status]),
    ).toEqual([
      [1, 'XPCC-D8', '2026-12-20T16:00:00.000Z', 'open'],
      [2, '650000', '2027-01-15T16:00:00.000Z', 'open'],
    ]);
    expect((await act('regionTop', c.id, 'minutes', minutes)).json().type).toMatch(/minutes-recorded$/);
    expect((await act('d8Supervisor', c.id, 'attendance', { agencyCode: 'XPCC-D8', attending: false })).json().type).toMatch(/consultation-held$/);
    const [d1, d2] = h.decisions as { id: string }[];
    expect(notificationsOf(t, `consultation-decisions/${d1.id}`).map((n) => [n.kind, n.agencyCode])).toEqual([['consultation_decision', 'XPCC-D8']]);

    // Progress by the owner only.
    const p = await t.req('d8Inspector', 'POST', `/v1/consultation-decisions/${d1.id}/progress`, { text: '已完成 30 台燃煤锅炉排查。' });
    expect(p.statusCode, p.body).toBe(201);
    expect((await t.req('regionTop', 'POST', `/v1/consultation-decisions/${d1.id}/progress`, { text: 'x' })).json().rule).toBe('decision-owner-only');

    // 24:00 China time of the due day passes with the decision open: overdue, owner and convener told.
    t.clock.set('2026-12-20T15:59:00.000Z');
    await settle();
    expect((await t.req('d8Supervisor', 'GET', `/v1/consultation-decisions/${d1.id}`)).json().overdue).toBe(false);
    t.clock.set('2026-12-20T16:00:00.000Z');
    await settle();
    const late = (await t.req('d8Supervisor', 'GET', `/v1/consultation-decisions/${d1.id}`)).json();
    expect(late).toMatchObject({ overdue: true, status: 'open', lastProgress: { text: '已完成 30 台燃煤锅炉排查。', byAgencyCode: 'XPCC-D8' } });
    expect(late.progress).toHaveLength(1);
    expect(eventsOfSubject(t, `consultation-decisions/${d1.id}`).map((e) => e.type)).toEqual([
      'consultation_decision.progress_reported',
      'consultation_decision.overdue',
    ]);
    expect(notificationsOf(t, `consultation-decisions/${d1.id}`).map((n) => [n.kind, n.agencyCode])).toEqual([
      ['consultation_decision', 'XPCC-D8'],
      ['consultation_decision_overdue', 'XPCC-D8'],
      ['consultation_decision_overdue', '650000'],
    ]);
    const overdueList = (await t.req('regionTop', 'GET', '/v1/consultation-decisions?overdue=true')).json().items;
    expect(overdueList.map((d: { id: string }) => d.id)).toEqual([d1.id]);

    // The next regular consultation lists both open decisions (督办事项); an ad-hoc one does not.
    const next = await convene('corpsTop', { convenerAgencyCode: 'XPCC', agencyCodes: ['650000', 'XPCC-D8'], scheduledAt: '2027-01-05T02:00:00.000Z' });
    expect(next.openDecisions.map((d) => d.id)).toEqual([d1.id, d2.id]);
    expect(next.openDecisions[0]).toMatchObject({ overdue: true });
    const adHoc = await convene('regionTop', { kind: 'ad_hoc', scheduledAt: '2027-01-06T02:00:00.000Z' });
    expect(adHoc.openDecisions).toEqual([]);

    // Done: it leaves the next agenda; a done decision takes no more reports.
    const done = await t.req('d8Supervisor', 'POST', `/v1/consultation-decisions/${d1.id}/progress`, { text: '排查完成，已通报自治区。', done: true });
    expect(done.statusCode, done.body).toBe(201);
    expect((await t.req('d8Supervisor', 'POST', `/v1/consultation-decisions/${d1.id}/progress`, { text: '再次报送' })).json().type).toMatch(/decision-done$/);
    expect((await get('corpsTop', next.id)).json().openDecisions.map((d: { id: string }) => d.id)).toEqual([d2.id]);

    // Once its minutes are recorded, the list it had is kept.
    t.clock.set('2027-01-05T08:00:00.000Z');
    const nextHeld = await act('corpsTop', next.id, 'minutes', { attendees: ['李明（兵团生态环境局）'], text: '督办上次会商议定事项。', decisions: [] });
    expect(nextHeld.statusCode, nextHeld.body).toBe(200);
    await t.req('regionTop', 'POST', `/v1/consultation-decisions/${d2.id}/progress`, { text: '方案已印发。', done: true });
    expect((await get('corpsTop', next.id)).json().openDecisions.map((d: { id: string; status: string }) => [d.id, d.status])).toEqual([[d2.id, 'done']]);

    expect(eventsOfSubject(t, subject).map((e) => e.type)).toEqual([
      'consultation.scheduled',
      'consultation.attendance_answered',
      'consultation.minutes_recorded',
    ]);
  });

  it('refuses a one-sided consultation, a past date, an unknown agency, and a convener the caller does not supervise', async () => {
    t.clock.set('2026-12-01T02:00:00.000Z');
    const oneSide = await t.req('regionTop', 'POST', '/v1/consultations', body({ agencyCodes: ['652301'] }));
    expect(oneSide.statusCode).toBe(400);
    expect(oneSide.json().errors[0].field).toBe('body/agencyCodes');
    expect((await t.req('regionTop', 'POST', '/v1/consultations', body({ scheduledAt: '2026-11-30T02:00:00.000Z' }))).json().errors[0].field).toBe(
      'body/scheduledAt',
    );
    expect((await t.req('regionTop', 'POST', '/v1/consultations', body({ agencyCodes: ['XPCC', 'NOPE'] }))).json().errors[0].field).toBe('body/agencyCodes/1');
    const notMine = await t.req('d8Supervisor', 'POST', '/v1/consultations', body());
    expect(notMine.statusCode).toBe(403);
    expect(notMine.json().rule).toBe('convener-only');
    expect((await t.req('changjiInspector', 'POST', '/v1/consultations', body())).statusCode).toBe(403);
  });

  it('lists what the caller sees, latest first', async () => {
    const seen = (await t.req('changjiPrefSupervisor', 'GET', '/v1/consultations')).json().items as unknown[];
    expect(seen).toEqual([]);
    const d8 = (await t.req('d8Supervisor', 'GET', '/v1/consultations?kind=regular')).json().items as { scheduledAt: string; kind: string }[];
    expect(d8.length).toBeGreaterThanOrEqual(2);
    expect(d8.every((c) => c.kind === 'regular')).toBe(true);
    expect(d8.map((c) => c.scheduledAt)).toEqual([...d8.map((c) => c.scheduledAt)].sort().reverse());
  });

  it('for every key: it sees a consultation’s or decision’s events if and only if it may GET it', async () => {
    const all = (await t.req('admin', 'GET', '/v1/events?limit=500')).json().items as { subject: string }[];
    const subjects = [...new Set(all.map((e) => e.subject).filter((s) => /^consultation(s|-decisions)\//.test(s)))];
    expect(subjects.length).toBeGreaterThanOrEqual(5);
    let seenSome = 0;
    for (const label of Object.keys(t.keys)) {
      const seen = new Set(((await t.req(label, 'GET', '/v1/events?limit=500')).json().items as { subject: string }[]).map((e) => e.subject));
      for (const s of subjects) {
        const can = (await t.req(label, 'GET', `/v1/${s}`)).statusCode === 200;
        expect(seen.has(s), `${label}: sees events of ${s} = ${seen.has(s)}, may GET it = ${can}`).toBe(can);
        if (can && label !== 'admin') seenSome++;
      }
    }
    expect(seenSome).toBeGreaterThan(0);
  });
});
