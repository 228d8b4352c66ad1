import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp, type Mode, type TestApp } from '../support/app.js';
import { DEMO_POINTS } from '../../src/reference/demo.js';

export { DEMO_POINTS };

/** Valid credit codes (check character computed by the GB 32100 algorithm). */
export const CODES = ['91350100M000100Y43', '91110000802100433B'];

export interface CaseTest extends TestApp {
  /** Keys by label: agency-bound inspectors/supervisors and others. */
  keys: Record<string, string>;
  as(label: string): { authorization: string };
  req(label: string, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/**
 * The app with the demo reference data (SEED_DEMO): region 650000 → 652300 → 652301 (Changji),
 * 650100 (Urumqi); corps XPCC → XPCC-D8 (Shihezi) → XPCC-D8-R121, XPCC-D6 (Wujiaqu), XPCC-D7.
 */
export async function caseApp(opts: { mode?: Mode; env?: Record<string, string> } = {}): Promise<CaseTest> {
  const t = await makeApp({ mode: opts.mode, env: { SEED_DEMO: 'true', ...opts.env } });
  const keys: Record<string, string> = {
    admin: t.admin,
    intake: t.key({ role: 'intake' }),
    partner: t.key({ role: 'partner' }),
    changjiInspector: t.key({ role: 'inspector', agencyCode: '652301', teamId: 'team-652301-general', side: 'region' }),
    changjiSupervisor: t.key({ role: 'supervisor', agencyCode: '652301', side: 'region' }),
    changjiPrefSupervisor: t.key({ role: 'supervisor', agencyCode: '652300', side: 'region' }),
    regionTop: t.key({ role: 'supervisor', agencyCode: '650000', side: 'region' }),
    urumqiSupervisor: t.key({ role: 'supervisor', agencyCode: '650100', side: 'region' }),
    d8Supervisor: t.key({ role: 'supervisor', agencyCode: 'XPCC-D8', side: 'corps' }),
    d8Inspector: t.key({ role: 'inspector', agencyCode: 'XPCC-D8', teamId: 'team-xpcc-d8-general', side: 'corps' }),
    d6Supervisor: t.key({ role: 'supervisor', agencyCode: 'XPCC-D6', side: 'corps' }),
    d7Supervisor: t.key({ role: 'supervisor', agencyCode: 'XPCC-D7', side: 'corps' }),
    corpsTop: t.key({ role: 'supervisor', agencyCode: 'XPCC', side: 'corps' }),
    r121Supervisor: t.key({ role: 'supervisor', agencyCode: 'XPCC-D8-R121', side: 'corps' }),
  };
  const as = (label: string) => t.auth(keys[label] ?? label);
  const req = (label: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: method as 'GET', url, headers: { ...as(label), ...headers }, ...(body !== undefined ? { payload: body as object } : {}) });
  return Object.assign(t, { keys, as, req });
}

export const caseBody = (over: Record<string, unknown> = {}) => ({
  title: 'Boiler emitting black smoke',
  category: 'air',
  leadAgencyCode: '652301',
  location: DEMO_POINTS.changjiCenter,
  summary: 'Inspection found a coal boiler without dust removal running.',
  origin: { kind: 'inspection' },
  ...over,
});

export async function createCase(t: CaseTest, over: Record<string, unknown> = {}, label = 'changjiInspector') {
  const r = await t.req(label, 'POST', '/v1/cases', caseBody(over));
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

export async function transition(t: CaseTest, id: string, to: string, extra: Record<string, unknown> = {}, label = 'changjiInspector') {
  return t.req(label, 'POST', `/v1/cases/${id}/transitions`, { to, ...extra });
}

/** Moves a case along a path of statuses, asserting each step succeeds. */
export async function walk(t: CaseTest, id: string, path: string[], label = 'changjiInspector') {
  for (const to of path) {
    const extra: Record<string, unknown> = {};
    if (to === 'suspended' || to === 'withdrawn') extra.reason = 'test';
    if (to === 'transferred') Object.assign(extra, { reason: 'test', toAgencyCode: '652300' });
    if (to === 'decided') extra.decision = { summary: 'Fine of 50,000 yuan', documentNumber: '昌环罚〔2026〕1号' };
    const r = await transition(t, id, to, extra, label);
    expect(r.statusCode, `${to}: ${r.body}`).toBe(200);
  }
}
