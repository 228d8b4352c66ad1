import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseApp, DEMO_POINTS, type CaseTest } from '../cases/helpers.js';
import { eventsOfType } from '../support/factories.js';
import { describeModes } from '../support/app.js';
import { nextRun, periodOf } from '../../src/reports/service.js';
import { formatOf } from '../../src/reports/routes.js';

const notifications = (t: CaseTest) =>
  (t.app.deps.db.$client.prepare("SELECT data FROM events WHERE type = 'notification.created'").all() as { data: string }[])
    .map((r) => JSON.parse(r.data) as { kind: string; agencyCode: string; subject: string })
    .filter((n) => n.kind === 'report_published');

describe('when reports are made (China time)', () => {
  it('weekly: every Monday 08:00 for the week before; monthly: first working day 08:00 for the month before', () => {
    expect(periodOf('weekly_dispatch', '2026-03-09')).toEqual({ from: '2026-03-02', to: '2026-03-08' });
    expect(periodOf('monthly_bulletin', '2026-04-01')).toEqual({ from: '2026-03-01', to: '2026-03-31' });
    // Tuesday 3 March 10:00 China time → Monday 9 March 08:00 China time
    expect(nextRun('weekly_dispatch', new Date('2026-03-03T02:00:00Z')).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    // Monday 07:59 China time: later that morning
    expect(nextRun('weekly_dispatch', new Date('2026-03-08T23:59:00Z')).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    // 1–3 January 2026 are holidays and Sunday 4 January is a working day (调休): the bulletin comes out on a Sunday
    expect(nextRun('monthly_bulletin', new Date('2025-12-15T02:00:00Z')).toISOString()).toBe('2026-01-04T00:00:00.000Z');
    // National Day 1–7 October 2026, then Thursday 8 October
    expect(nextRun('monthly_bulletin', new Date('2026-09-15T02:00:00Z')).toISOString()).toBe('2026-10-08T00:00:00.000Z');
  });
  it('Accept negotiation', () => {
    expect(formatOf(undefined)).toBe('json');
    expect(formatOf('text/csv')).toBe('csv');
    expect(formatOf('text/html,application/xhtml+xml,*/*;q=0.8')).toBe('html');
    expect(formatOf('application/json;q=0.9, text/csv;q=0.5')).toBe('json');
  });
});

describeModes('weekly dispatch and monthly bulletin', (mode) => {
  let t: CaseTest;
  const settle = () => t.app.runtime.settle();
  beforeAll(async () => {
    t = await caseApp({ mode });
    // Monday 2 March 2026: complaints on both sides, accepted.
    t.clock.set('2026-03-02T03:00:00.000Z');
    for (const location of [DEMO_POINTS.changjiCenter, DEMO_POINTS.shiheziCenter, { lng: 87.33, lat: 44.02 }]) {
      const r = await t.req('intake', 'POST', '/v1/complaints', { channel: 'phone', category: 'air', description: '烟囱冒黑烟', location });
      expect(r.statusCode, r.body).toBe(201);
      expect((await t.req('intake', 'POST', `/v1/complaints/${r.json().id}/accept`)).statusCode).toBe(200);
    }
    await settle();
    // Monday 9 March 08:00:01 China time: the weekly run.
    t.clock.set('2026-03-09T00:00:01.000Z');
    await settle();
  });
  afterAll(() => t.close());

  const list = async (label: string, q = '') => {
    const r = await t.req(label, 'GET', `/v1/reports${q}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as {
      items: { id: string; kind: string; scope: string; agencyCode: string | null; title: string; periodFrom: string }[];
      nextCursor: string | null;
    };
  };

  it('the Monday run stores a dispatch per agency and one side by side, publishes report.published and notifies the agencies it names', async () => {
    const all = (await list('admin', '?limit=500')).items;
    const weekly = all.filter((r) => r.kind === 'weekly_dispatch');
    expect(weekly.length).toBeGreaterThan(5);
    expect(new Set(weekly.map((r) => r.periodFrom))).toEqual(new Set(['2026-03-02']));
    const sides = weekly.filter((r) => r.scope === 'sides');
    expect(sides).toHaveLength(1);
    expect(sides[0].title).toBe('兵地对照（自治区 · 兵团）周调度（2026-03-02 至 2026-03-08）');
    const changji = weekly.find((r) => r.agencyCode === '652301')!;
    expect(eventsOfType(t, 'report.published').length).toBe(weekly.length);
    const told = notifications(t);
    expect(told.filter((n) => n.subject === `reports/${changji.id}`).map((n) => n.agencyCode)).toEqual(['652301']);
    expect(
      told
        .filter((n) => n.subject === `reports/${sides[0].id}`)
        .map((n) => n.agencyCode)
        .sort(),
    ).toEqual(['650000', 'XPCC']);
    // The run is once: settling again makes nothing new, and the next run waits for next Monday.
    await settle();
    expect((await list('admin', '?limit=500')).items).toHaveLength(all.length);
  });

  it('an agency sees its own reports and the side-by-side ones; not the other side’s agencies; partners 403', async () => {
    const cj = (await list('changjiSupervisor')).items;
    expect(new Set(cj.map((r) => r.agencyCode ?? 'sides'))).toEqual(new Set(['652301', 'sides']));
    const d8 = (await list('d8Supervisor')).items;
    expect(new Set(d8.map((r) => r.agencyCode ?? 'sides'))).toEqual(new Set(['XPCC-D8', 'XPCC-D8-R121', 'sides']));
    const pref = (await list('changjiPrefSupervisor')).items;
    expect(new Set(pref.map((r) => r.agencyCode ?? 'sides'))).toEqual(new Set(['652300', '652301', 'sides']));
    const d8Report = d8.find((r) => r.agencyCode === 'XPCC-D8')!;
    expect((await t.req('changjiSupervisor', 'GET', `/v1/reports/${d8Report.id}`)).statusCode).toBe(404);
    expect((await t.req('changjiInspector', 'GET', `/v1/reports/${cj.find((r) => r.agencyCode === '652301')!.id}`)).statusCode).toBe(200);
    expect((await t.req('partner', 'GET', '/v1/reports')).statusCode).toBe(403);
  });

  it('an agency’s dispatch counts what the agency sees; the side-by-side one counts both sides', async () => {
    const items = (await list('admin', '?kind=weekly_dispatch&limit=500')).items;
    const get = async (id: string) => (await t.req('admin', 'GET', `/v1/reports/${id}`)).json();
    const sides = await get(items.find((r) => r.scope === 'sides')!.id);
    const total = sides.data.figures.find((f: { subject: string; side: string }) => f.subject === 'complaints' && f.side === 'all');
    expect(total).toMatchObject({ received: 3 });
    expect(sides.data.figures.find((f: { subject: string; side: string }) => f.subject === 'complaints' && f.side === 'corps')).toMatchObject({ received: 1 });
    const cj = await get(items.find((r) => r.agencyCode === '652301')!.id);
    expect(cj.data.figures.find((f: { subject: string; side: string }) => f.subject === 'complaints' && f.side === 'all')).toMatchObject({ received: 2 });
    expect(cj.data.figures.some((f: { side: string }) => f.side === 'corps')).toBe(false);
    expect(cj.data.trend).toHaveLength(12);
    expect(cj.data.trend.at(-1)).toMatchObject({ period: '2026-03-02', received: 2 });
  });

  it('the first working day of the month brings the monthly bulletins; JSON, CSV (BOM) and HTML with SVG charts', async () => {
    t.clock.set('2026-04-01T00:00:01.000Z');
    await settle();
    const monthly = (await list('changjiSupervisor', '?kind=monthly_bulletin')).items;
    expect(monthly.map((r) => r.scope).sort()).toEqual(['agency', 'sides']);
    const b = monthly.find((r) => r.scope === 'agency')!;
    expect(b).toMatchObject({ title: '昌吉市2026年3月月通报', periodFrom: '2026-03-01' });
    const csv = await t.req('changjiSupervisor', 'GET', `/v1/reports/${b.id}`, undefined, { accept: 'text/csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.rawPayload.subarray(0, 3).toString('hex')).toBe('efbbbf');
    expect(csv.body).toContain('一、主要指标\r\n项目,兵地,收到/到期');
    expect(csv.body).toContain('信访举报,合计,2,');
    expect((await t.req('changjiSupervisor', 'GET', `/v1/reports/${b.id}.csv`)).body).toBe(csv.body);
    for (const r of [
      await t.req('changjiSupervisor', 'GET', `/v1/reports/${b.id}`, undefined, { accept: 'text/html' }),
      await t.req('changjiSupervisor', 'GET', `/v1/reports/${b.id}.html`),
    ]) {
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body.match(/<svg/g)).toHaveLength(3);
      expect(r.body).toContain('@page { size: A4');
      expect(r.body).toContain('data-field="complaints.all.received" data-value="2"');
    }
    expect((await t.req('d8Supervisor', 'GET', `/v1/reports/${b.id}.html`)).statusCode).toBe(404);
  });

  it('keyset paging, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await list('admin', `?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    }
    const all = (await list('admin', '?limit=500')).items.map((r) => r.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await t.req('admin', 'GET', '/v1/reports?cursor=nonsense')).statusCode).toBe(400);
  });
});
