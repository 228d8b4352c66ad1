import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { AT, TEAM, assignmentsOf, create, get, keys, ok, post, seedMap } from '../intake/helpers.js';
import { percentiles, onTimeRate } from '../../src/domain/stats.js';
import { caseApp, createCase, DEMO_POINTS, walk, type CaseTest } from '../cases/helpers.js';

const DAY = 86_400_000;

describe('on-time rate and percentiles (the formula)', () => {
  it('counts open overdue items: 1 on time, 1 late, 1 open past due → 1/3, where closed-only counting says 1/2', () => {
    expect(onTimeRate(1, 2, 1)).toBe(0.3333);
    expect(onTimeRate(1, 2, 0)).toBe(0.5);
    expect(onTimeRate(0, 0, 0)).toBeNull();
  });
  it('nearest-rank median and p90', () => {
    expect(percentiles([5, 1, 3, 2, 4])).toEqual({ n: 5, median: 3, p90: 5 });
    expect(percentiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({ n: 10, median: 5, p90: 9 });
    expect(percentiles([])).toEqual({ n: 0, median: null, p90: null });
  });
});

describe('GET /v1/stats/complaints', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  const stats = (key: string, q: string) => get(t, key, `/v1/stats/complaints?${q}`);
  beforeAll(async () => {
    t = await makeApp({});
    seedMap(t);
    k = keys(t);

    // 2 March 2026 10:00 China time: three region complaints and one corps complaint accepted,
    // one region complaint not accepted.
    t.clock.set('2026-03-02T02:00:00.000Z');
    // ≈ 1.6 km apart: not duplicates of each other
    const region = await Promise.all([86.01, 86.03, 86.05].map((lng) => create(t, k.intake, { location: { lat: 44.05, lng } })));
    const corps = await create(t, k.intake, { location: AT.corps });
    const refused = await create(t, k.intake, { location: { lat: 44.05, lng: 86.08 } });
    for (const c of [...region, corps]) await ok(t, k.intake, c.id, 'accept');
    t.clock.advance(DAY);
    await ok(t, k.intake, refused.id, 'reject', { reason: '属于劳动争议，请向劳动监察部门反映' });
    await t.app.runtime.settle();
    for (const c of region) {
      const [a] = assignmentsOf(t, c.id);
      expect((await post(t, k.cjsAir, `/v1/assignments/${a.id}/claim`)).statusCode).toBe(200);
    }
    const [ca] = assignmentsOf(t, corps.id);
    expect(ca.teamId).toBe(TEAM.d8All);
    await t.app.runtime.settle();
    // A: answered after 5 days (on time).
    t.clock.set('2026-03-07T02:00:00.000Z');
    await ok(t, k.cjsAir, region[0].id, 'reply', { text: '已现场核查，锅炉已停用并立案处罚。' });
    // The reply deadline: 60 days from 3 March end on 1 May, a holiday (1–5 May), so 24:00 China
    // time on Wednesday 6 May. B: answered late, on 8 May.
    t.clock.set('2026-05-08T02:00:00.000Z');
    await ok(t, k.cjsAir, region[1].id, 'reply', { text: '经核查，该企业已完成整改。' });
    await t.app.runtime.settle();
    // C (region) and the corps complaint stay unanswered: open past due now.
  });
  afterAll(() => t.close());

  it('on-time rate counts the open overdue complaint: 1 ÷ (2 closed + 1 open past due) for the region, not 1 ÷ 2', async () => {
    const r = await stats(k.intake, 'from=2026-03-01&to=2026-03-31&groupBy=side');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.total).toMatchObject({ received: 5, accepted: 4, notAccepted: 1, closed: 2, closedOnTime: 1, openPastDue: 2, overdueNow: 2 });
    expect(body.total.onTimeRate).toBe(0.25); // 1 ÷ (2 + 2)
    const region = body.groups.find((g: { key: string }) => g.key === 'region');
    expect(region.label).toBe('自治区');
    expect(region.figures).toMatchObject({ received: 3, closed: 2, closedOnTime: 1, openPastDue: 1, onTimeRate: 0.3333 });
    // closed-only counting would say 1 ÷ 2
    expect(region.figures.closedOnTime / region.figures.closed).toBe(0.5);
    expect(region.figures.daysToAccept).toEqual({ n: 3, median: 0, p90: 0 });
    expect(region.figures.daysToClose).toEqual({ n: 2, median: 5, p90: 67 });
    // the not-accepted one has no side (never routed)
    expect(body.groups.find((g: { key: string | null }) => g.key === null).figures).toMatchObject({ received: 1, notAccepted: 1 });
  });

  it('counts only what the caller may see: a corps agency does not count region complaints', async () => {
    const d8 = (await stats(k.supD8, 'from=2026-03-01&to=2026-03-31&groupBy=agency')).json();
    expect(d8.total).toMatchObject({ received: 1, accepted: 1, closed: 0, openPastDue: 1, onTimeRate: 0 });
    expect(d8.groups.map((g: { key: string }) => g.key)).toEqual(['XPCC-D8']);
    const cj = (await stats(k.supCJ, 'from=2026-03-01&to=2026-03-31&groupBy=agency')).json();
    expect(cj.total).toMatchObject({ received: 3, closed: 2, onTimeRate: 0.3333 });
    expect(cj.groups.map((g: { key: string }) => g.key)).toEqual(['CJS']);
  });

  it('groups by week and month in China time', async () => {
    const w = (await stats(k.intake, 'from=2026-03-01&to=2026-03-31&groupBy=week')).json();
    // 2 March 2026 is a Monday; the rejection date does not move the receipt week
    expect(w.groups.map((g: { key: string }) => g.key)).toEqual(['2026-03-02']);
    const m = (await stats(k.intake, 'from=2026-01-01&to=2026-05-31&groupBy=month')).json();
    expect(m.groups).toEqual([expect.objectContaining({ key: '2026-03', label: '2026-03' })]);
    // outside the period: nothing
    expect((await stats(k.intake, 'from=2026-04-01&to=2026-04-30')).json().total.received).toBe(0);
  });

  it('400 listing the valid dimensions for an unknown groupBy; 400 for more than 5 years; partners 403', async () => {
    const bad = await stats(k.intake, 'groupBy=colour');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json()).toMatchObject({
      errors: [{ field: 'querystring/groupBy' }],
      validDimensions: ['side', 'agency', 'team', 'category', 'channel', 'month', 'week'],
    });
    expect(bad.json().errors[0].reason).toContain('side, agency, team, category, channel, month, week');
    // channel is a complaint dimension only
    const cases = await get(t, k.intake, '/v1/stats/cases?groupBy=channel');
    expect(cases.statusCode).toBe(400);
    expect(cases.json().validDimensions).toEqual(['side', 'agency', 'team', 'category', 'month', 'week']);
    expect((await get(t, k.intake, '/v1/stats/rectification?groupBy=team')).json().validDimensions).toEqual(['side', 'agency', 'month', 'week']);
    const long = await stats(k.intake, 'from=2021-01-01&to=2026-01-01');
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0].field).toBe('querystring/to');
    expect((await stats(k.intake, 'from=2021-01-01&to=2025-12-31')).statusCode).toBe(200);
    expect((await stats(k.intake, 'from=2026-03-02&to=2026-03-01')).json().errors[0].field).toBe('querystring/from');
    expect((await stats(k.partner, '')).statusCode).toBe(403);
  });

  it('every subject answers for every dimension it lists', async () => {
    for (const [subject, dims] of Object.entries({
      complaints: ['side', 'agency', 'team', 'category', 'channel', 'month', 'week'],
      cases: ['side', 'agency', 'team', 'category', 'month', 'week'],
      filings: ['side', 'agency', 'category', 'month', 'week'],
      assignments: ['side', 'agency', 'team', 'category', 'month', 'week'],
      rectification: ['side', 'agency', 'month', 'week'],
    }))
      for (const g of [undefined, ...dims]) {
        const r = await get(t, k.supCJ, `/v1/stats/${subject}?from=2026-01-01&to=2026-12-31${g ? `&groupBy=${g}` : ''}`);
        expect(r.statusCode, `${subject} ${g}: ${r.body}`).toBe(200);
      }
    const a = (await get(t, k.intake, '/v1/stats/assignments?from=2026-03-01&to=2026-03-31&groupBy=team')).json();
    expect(a.groups.find((g: { key: string }) => g.key === TEAM.cjsAir).figures).toMatchObject({ received: 3, claimed: 3, declined: 0 });
    expect(a.declinesByTeam).toEqual([]);
  });
});

describe('GET /v1/stats/cases, /rectification: figures match what each caller may list', () => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp({});
    t.clock.set('2026-03-02T02:00:00.000Z');
    const decided = await createCase(t);
    await walk(t, decided.id, ['investigating', 'pending_decision']);
    const fine = await t.req('changjiInspector', 'POST', `/v1/cases/${decided.id}/measures`, {
      type: 'fine',
      amountFen: 5_000_000,
      legalBasis: '大气污染防治法 第九十九条',
    });
    expect(fine.statusCode, fine.body).toBe(201);
    expect((await t.req('changjiInspector', 'POST', `/v1/cases/${decided.id}/measures`, { type: 'warning', description: '责令改正' })).statusCode).toBe(201);
    t.clock.set('2026-03-12T02:00:00.000Z');
    await walk(t, decided.id, ['decided']);
    await createCase(t); // never decided: past its 90 days by June
    await createCase(t, { leadAgencyCode: 'XPCC-D8', location: DEMO_POINTS.shiheziCenter }, 'd8Inspector');
    const task = await t.req('changjiSupervisor', 'POST', '/v1/rectification-tasks', {
      code: '四-1',
      title: '强化重点区域大气污染防治',
      origin: '中央环境保护督察反馈意见',
      kind: 'staged',
      leadAgencyCode: '652301',
      responsiblePerson: '李建国',
      measures: ['淘汰城市建成区燃煤锅炉'],
      target: '细颗粒物浓度下降',
      dueOn: '2026-04-30',
    });
    expect(task.statusCode, task.body).toBe(201);
    t.clock.set('2026-06-15T02:00:00.000Z');
    await t.app.runtime.settle();
  });
  afterAll(() => t.close());

  it('cases: decided on time ÷ (decided + undecided past the 90 days); measures by type, fines in fen', async () => {
    const r = await t.req('changjiSupervisor', 'GET', '/v1/stats/cases?from=2026-03-01&to=2026-03-31&groupBy=agency');
    expect(r.statusCode, r.body).toBe(200);
    const total = r.json().total;
    expect(total).toMatchObject({
      received: 2,
      decided: 1,
      decidedOnTime: 1,
      openPastDue: 1,
      overdueNow: 1,
      onTimeRate: 0.5,
      finesFen: 5_000_000,
      dailyPenaltyFen: 0,
    });
    expect(total.measuresByType).toEqual([
      { type: 'fine', count: 1, amountFen: 5_000_000 },
      { type: 'warning', count: 1, amountFen: 0 },
    ]);
    expect(total.daysToDecide).toEqual({ n: 1, median: 10, p90: 10 });
    expect(r.json().groups.map((g: { key: string; label: string }) => [g.key, g.label])).toEqual([['652301', '昌吉市']]);
  });

  it('each caller counts exactly the cases its list shows', async () => {
    for (const label of ['admin', 'changjiSupervisor', 'regionTop', 'd8Supervisor', 'd6Supervisor', 'changjiInspector', 'intake']) {
      const listed = (await t.req(label, 'GET', '/v1/cases?limit=500')).json().items.length;
      const counted = (await t.req(label, 'GET', '/v1/stats/cases?from=2026-01-01&to=2026-12-31')).json().total.received;
      expect(counted, label).toBe(listed);
    }
  });

  it('rectification: a task past its due date and not closed off counts against the rate', async () => {
    const r = (await t.req('changjiSupervisor', 'GET', '/v1/stats/rectification?from=2026-04-01&to=2026-04-30&groupBy=side')).json();
    expect(r.total).toMatchObject({ due: 1, closedOff: 0, openPastDue: 1, overdueNow: 1, onTimeRate: 0 });
    expect(r.total.missedWeeks).toBeGreaterThan(0);
    expect(r.groups.map((g: { key: string }) => g.key)).toEqual(['region']);
    // the corps division does not see the region's task
    expect((await t.req('d8Supervisor', 'GET', '/v1/stats/rectification?from=2026-04-01&to=2026-04-30')).json().total.due).toBe(0);
  });
});
