import { expect } from 'vitest';
import { inspectionApp, type InspectionTest } from '../inspections/helpers.js';
import type { Mode } from '../support/app.js';
import { seedDemoAir } from '../../src/air/index.js';
import { DEMO_POINTS } from '../../src/reference/demo.js';

/**
 * The demo app of both sides (tests/inspections/helpers.ts) plus the demo zones 乌—昌—石 and
 * 奎—独—乌 and the demo reduction lists (src-652301-01/02, src-xpcc-d8-01/02), and one more listed
 * source on the seam: a region source of 652300 about 240 m east of Shihezi (DEMO_POINTS.seamNearShihezi),
 * inside the joint buffer. Extra supervisor keys: d7Supervisor (XPCC-D7, in 奎—独—乌 only).
 */
export interface AirTest extends InspectionTest {
  seamSourceId: string;
}

export const measuresBody = (over: Partial<Record<'yellow' | 'orange' | 'red', unknown>> = {}) => ({
  levels: {
    yellow: { measures: [{ type: 'enhanced_dust_control', description: '料场覆盖、道路洒水' }], reductions: { so2: 10, nox: 10, pm: 15, vocs: 10 } },
    orange: { measures: [{ type: 'limit_load', description: '限产30%' }, { type: 'stop_transport' }], reductions: { so2: 22, nox: 22, pm: 25, vocs: 20 } },
    red: { measures: [{ type: 'stop_process', description: '停产' }, { type: 'stop_transport' }], reductions: { so2: 40, nox: 40, pm: 45, vocs: 35 } },
    ...over,
  },
});

export async function airApp(mode: Mode = 'embedded'): Promise<AirTest> {
  const t = await inspectionApp(mode);
  seedDemoAir(t.app.deps);
  t.keys.d7Supervisor = t.key({ role: 'supervisor', agencyCode: 'XPCC-D7', side: 'corps' });
  const p = DEMO_POINTS.seamNearShihezi;
  const r = await t.req('admin', 'POST', '/v1/sources', {
    name: '昌吉州示例建材有限公司（石河子交界处）',
    creditCode: '916523007003000127',
    side: 'region',
    agencyCode: '652300',
    location: { lat: p.lat, lng: p.lng },
    address: '昌吉州示例工业园（与石河子市交界）',
    industry: '建筑材料',
    supervisionClass: 'key',
  });
  expect(r.statusCode, r.body).toBe(201);
  const seamSourceId = r.json().id as string;
  const m = await t.req('admin', 'PUT', `/v1/sources/${seamSourceId}/emergency-measures`, measuresBody());
  expect(m.statusCode, m.body).toBe(200);
  return Object.assign(t, { seamSourceId });
}

export const alertBody = (over: Record<string, unknown> = {}) => ({
  zoneId: 'zone-wu-chang-shi',
  level: 'orange',
  startsAt: '2026-03-03T00:00:00+08:00',
  expectedEndAt: '2026-03-06T00:00:00+08:00',
  basis: { forecastDailyAqi: [230, 320, 280] },
  ...over,
});

export async function issue(t: AirTest, label: string, over: Record<string, unknown> = {}) {
  const r = await t.req(label, 'POST', '/v1/air-alerts', alertBody(over));
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; operationId: string | null; [k: string]: any };
}
