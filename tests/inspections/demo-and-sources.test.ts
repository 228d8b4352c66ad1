import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoSources } from '../../src/cases/sources.js';
import { seedDemoInspections } from '../../src/inspections/demo.js';
import { DEMO_INSPECTION_ITEMS, DEMO_INSPECTORS, DEMO_SOURCES } from '../../src/reference/demo.js';
import { validateCreditCode } from '../../src/cases/credit-code.js';
import { inspectionApp, type InspectionTest } from './helpers.js';

describe('random inspections: demo data and the sources’ supervision class', () => {
  let t: InspectionTest;
  beforeAll(async () => {
    t = await inspectionApp();
  });
  afterAll(() => t.close());

  it('demo sources of both sides carry a class (and valid credit codes); the checklist and rosters exist on both sides; seeding again changes nothing', async () => {
    for (const side of ['region', 'corps'] as const) {
      const classes = new Set(DEMO_SOURCES.filter((s) => s.side === side).map((s) => s.supervisionClass));
      expect(classes).toEqual(new Set(['key', 'special', 'general']));
    }
    for (const s of DEMO_SOURCES) expect(validateCreditCode(s.creditCode), s.creditCode).toMatchObject({ valid: true, warnings: [] });
    const src = (await t.req('admin', 'GET', '/v1/sources/src-xpcc-d8-01')).json();
    expect(src).toMatchObject({ supervisionClass: 'key', supervisionClassSetOn: '2026-03-02', side: 'corps' });
    expect(new Set(DEMO_INSPECTORS.map((o) => (o.agencyCode.startsWith('XPCC') ? 'corps' : 'region')))).toEqual(new Set(['region', 'corps']));
    const items = (await t.req('admin', 'GET', '/v1/inspection-items?limit=500')).json().items;
    expect(items).toHaveLength(DEMO_INSPECTION_ITEMS.length);
    expect((await t.req('admin', 'GET', '/v1/inspectors?limit=500')).json().items).toHaveLength(DEMO_INSPECTORS.length);
    expect(seedDemoSources(t.app.deps.db, t.clock)).toBe(0);
    expect(seedDemoInspections(t.app.deps.db, t.clock)).toEqual({ items: 0, inspectors: 0 });
  });

  it('a source takes a class at creation and on change; the date it was set follows (China time); a bad class → 400', async () => {
    const r = await t.req('admin', 'POST', '/v1/sources', {
      name: '五家渠示例热力有限公司',
      creditCode: '91350100M000100Y43',
      side: 'corps',
      agencyCode: 'XPCC-D6',
      location: { lat: 44.17, lng: 87.54 },
      address: '五家渠市示例路1号',
      industry: '热力生产',
      supervisionClass: 'special',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ supervisionClass: 'special', supervisionClassSetOn: '2026-03-02' });
    t.clock.set('2026-03-05T17:00:00.000Z'); // 2026-03-06 01:00 China time
    const p = await t.req('admin', 'PATCH', `/v1/sources/${r.json().id}`, { supervisionClass: 'key' }, { 'if-match': '"1"' });
    expect(p.json()).toMatchObject({ supervisionClass: 'key', supervisionClassSetOn: '2026-03-06' });
    const bad = await t.req('admin', 'PATCH', `/v1/sources/${r.json().id}`, { supervisionClass: 'important' }, { 'if-match': '"2"' });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .join(' '),
    ).toMatch(/supervisionClass/);
    const off = await t.req('admin', 'PATCH', `/v1/sources/${r.json().id}`, { supervisionClass: null }, { 'if-match': '"2"' });
    expect(off.json()).toMatchObject({ supervisionClass: null, supervisionClassSetOn: null });
    // Checklist item rules: duplicate code → 409; another agency's supervisor → 403.
    const item = {
      agencyCode: '652301',
      code: 'NOISE-01',
      name: '噪声排放情况',
      legalBasis: '《中华人民共和国噪声污染防治法》',
      categories: ['noise'],
      targetClasses: ['general'],
      method: '现场监测',
    };
    expect((await t.req('changjiSupervisor', 'POST', '/v1/inspection-items', item)).statusCode).toBe(201);
    expect((await t.req('changjiSupervisor', 'POST', '/v1/inspection-items', item)).statusCode).toBe(409);
    expect((await t.req('d8Supervisor', 'POST', '/v1/inspection-items', item)).statusCode).toBe(403);
  });
});
