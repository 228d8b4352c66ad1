/**
 * The monthly bulletin page in a real headless browser: Debian's chromium driven by
 * playwright-core, the page served by the real app over real HTTP on 127.0.0.1. Checks the three
 * charts are drawn (SVG with marks) and that the figures on the page are the JSON's, and saves a
 * screenshot (docs/monthly-bulletin.png, shown in the README). Without chromium the test is
 * skipped on a developer machine and fails under CI=true (.ci/run installs chromium).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { makeApp, type TestApp } from '../support/app.js';
import { FakeClock } from '../../src/clock.js';
import { DEMO_POINTS } from '../../src/reference/demo.js';
import { assignmentsOf } from '../support/factories.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../../docs/monthly-bulletin.png', import.meta.url));
const run = existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip;
const DAY = 86_400_000;

run('monthly bulletin in chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const inject = (key: string, method: string, url: string, payload?: unknown) =>
    t.app.inject({ method: method as 'GET', url, headers: t.auth(key), ...(payload !== undefined ? { payload: payload as object } : {}) });

  beforeAll(async () => {
    t = await makeApp({ env: { SEED_DEMO: 'true' }, clock: new FakeClock('2025-10-01T02:00:00.000Z') });
    const intake = t.key({ role: 'intake' });
    const teamKeys = new Map<string, string>();
    const teamKey = (a: { teamId: string | null; agencyCode: string | null; side: 'region' | 'corps' | null }) => {
      if (!teamKeys.has(a.teamId!)) teamKeys.set(a.teamId!, t.key({ role: 'inspector', agencyCode: a.agencyCode, teamId: a.teamId, side: a.side }));
      return teamKeys.get(a.teamId!)!;
    };
    const places = [DEMO_POINTS.changjiCenter, DEMO_POINTS.shiheziCenter, DEMO_POINTS.urumqiCenter, DEMO_POINTS.wujiaquCenter];
    // Six months of complaints on both sides; each is answered on time, answered late, or left open.
    const later: { at: number; run: () => Promise<void> }[] = [];
    for (let m = 0; m < 6; m++) {
      const start = Date.parse(`2025-${String(10 + m > 12 ? m - 2 : 10 + m).padStart(2, '0')}-03T02:00:00.000Z`.replace(/^2025-0([1-3])/, '2026-0$1'));
      for (const [j, p] of places.entries()) {
        for (let n = 0; n <= (m + j) % 3; n++) {
          t.clock.set(new Date(start + n * 3_600_000 + j * 60_000));
          const location = { lng: p.lng + n * 0.03, lat: p.lat + j * 0.001 };
          const r = await inject(intake, 'POST', '/v1/complaints', {
            channel: n % 2 ? 'wechat' : 'phone',
            category: 'air',
            description: `烟囱冒黑烟（${m}-${j}-${n}）`,
            location,
          });
          expect(r.statusCode, r.body).toBe(201);
          const id = r.json().id as string;
          expect((await inject(intake, 'POST', `/v1/complaints/${id}/accept`)).statusCode).toBe(200);
          const outcome = (m + j + n) % 4; // 0, 1: on time; 2: late; 3: open
          if (outcome === 3) continue;
          const at = start + (outcome === 2 ? 75 : 8 + 4 * outcome) * DAY;
          later.push({
            at,
            run: async () => {
              const lead = assignmentsOf(t, id, 'complaint').find((a) => a.role === 'lead' && a.status !== 'declined');
              if (!lead?.teamId) return;
              const key = teamKey(lead);
              if (lead.status === 'pending') expect((await inject(key, 'POST', `/v1/assignments/${lead.id}/claim`)).statusCode).toBe(200);
              await t.app.runtime.settle();
              const reply = await inject(key, 'POST', `/v1/complaints/${id}/reply`, { text: '已现场核查，责令停用燃煤锅炉并立案查处。' });
              expect(reply.statusCode, reply.body).toBe(200);
            },
          });
        }
      }
      await t.app.runtime.settle();
    }
    for (const a of later.sort((x, y) => x.at - y.at)) {
      if (a.at > Date.parse('2026-03-31T15:00:00.000Z')) continue;
      t.clock.set(new Date(a.at));
      await t.app.runtime.settle();
      await a.run();
    }
    // A case with a fine and a daily penalty in March, in Changji.
    t.clock.set('2026-03-10T02:00:00.000Z');
    const inspector = t.key({ role: 'inspector', agencyCode: '652301', teamId: 'team-652301-general', side: 'region' });
    const c = await inject(inspector, 'POST', '/v1/cases', {
      title: '燃煤锅炉未配套除尘设施',
      category: 'air',
      leadAgencyCode: '652301',
      location: DEMO_POINTS.changjiCenter,
      summary: '现场检查发现燃煤锅炉未配套除尘设施运行。',
      origin: { kind: 'inspection' },
    });
    expect(c.statusCode, c.body).toBe(201);
    // penalties are decided at pending_decision
    for (const to of ['investigating', 'pending_decision'])
      expect((await inject(inspector, 'POST', `/v1/cases/${c.json().id}/transitions`, { to })).statusCode).toBe(200);
    expect(
      (await inject(inspector, 'POST', `/v1/cases/${c.json().id}/measures`, { type: 'fine', amountFen: 5_000_000, legalBasis: '大气污染防治法 第九十九条' }))
        .statusCode,
    ).toBe(201);
    // Wednesday 1 April 2026 08:00 China time: the monthly run.
    t.clock.set('2026-04-01T00:00:05.000Z');
    await t.app.runtime.settle();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('draws the three charts and shows the JSON’s figures; saves docs/monthly-bulletin.png', async () => {
    const list = await fetch(`${base}/v1/reports?kind=monthly_bulletin&scope=sides`, { headers: t.auth(t.admin) });
    const item = (await list.json()).items[0];
    expect(item).toMatchObject({ periodFrom: '2026-03-01', periodTo: '2026-03-31' });
    const json = await (await fetch(`${base}/v1/reports/${item.id}`, { headers: t.auth(t.admin) })).json();
    const complaints = json.data.figures.find((f: { subject: string; side: string }) => f.subject === 'complaints' && f.side === 'all');
    expect(complaints.received).toBeGreaterThan(0);

    const page = await browser.newPage({ viewport: { width: 900, height: 1200 }, deviceScaleFactor: 1 });
    await page.setExtraHTTPHeaders(t.auth(t.admin));
    const res = await page.goto(`${base}/v1/reports/${item.id}.html`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe(json.title);

    // Charts: an SVG per chart, each with drawn marks, visible on the page.
    for (const name of ['on-time-by-agency', 'overdue-by-side', 'trend']) {
      const svg = page.locator(`figure[data-chart="${name}"] svg`);
      expect(await svg.count(), name).toBe(1);
      const box = await svg.boundingBox();
      expect(box!.width, name).toBeGreaterThan(200);
      expect(box!.height, name).toBeGreaterThan(100);
      expect(await svg.locator('path, rect, line').count(), name).toBeGreaterThan(5);
    }
    // the on-time bars: one per agency with a rate; the trend: 12 months on the axis
    const rated = json.data.onTimeByAgency.filter((a: { onTimeRate: number | null }) => a.onTimeRate !== null);
    expect(await page.locator('figure[data-chart="on-time-by-agency"] svg .mark-rect path').count()).toBe(rated.length);
    const trendText = await page.locator('figure[data-chart="trend"] svg').textContent();
    for (const m of ['2025-04', '2025-10', '2026-03']) expect(trendText).toContain(m);

    // Numbers: every figure cell carries the JSON's value and shows it.
    const cells = await page
      .locator('[data-field]')
      .evaluateAll((els) => els.map((e) => ({ field: e.getAttribute('data-field')!, value: e.getAttribute('data-value')!, text: e.textContent!.trim() })));
    const byField = new Map(cells.map((c) => [c.field, c]));
    const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
    for (const f of json.data.figures) {
      const k = `${f.subject}.${f.side}`;
      for (const n of ['received', 'closed', 'onTime', 'openPastDue', 'overdueNow'])
        expect(byField.get(`${k}.${n}`), `${k}.${n}`).toMatchObject({ value: String(f[n]), text: String(f[n]) });
      expect(byField.get(`${k}.onTimeRate`)).toMatchObject({ text: pct(f.onTimeRate) });
    }
    for (const a of json.data.onTimeByAgency) expect(byField.get(`agency.${a.agencyCode}.onTimeRate`)!.text).toBe(pct(a.onTimeRate));
    expect(byField.get('finesFen')).toMatchObject({ value: '5000000', text: '50,000.00' });
    // overdue by side: every open overdue item, whenever received (the older months' open complaints)
    const overdue = json.data.overdueBySide.filter((o: { subject: string }) => o.subject === 'complaints');
    expect(overdue.every((o: { overdueNow: number }) => o.overdueNow > 0)).toBe(true);
    expect(await page.locator('figure[data-chart="overdue-by-side"] svg .mark-rect path').count()).toBe(json.data.overdueBySide.length); // a bar per side and subject (zero-high when none)

    await page.emulateMedia({ media: 'screen' });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    // and it prints on A4
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await page.close();
  }, 120_000);
});
