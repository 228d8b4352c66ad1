import { expect } from 'vitest';
import { inspectionApp, type InspectionTest } from '../inspections/helpers.js';
import type { Mode } from '../support/app.js';

/**
 * The demo app of both sides (see tests/inspections/helpers.ts): demo sources (7 in 652301
 * Changji, 7 in XPCC-D8 Shihezi, 2 key each), checklists, rosters with an inspector key per
 * officer (label = roster id), supervisor keys by label. The FakeClock stands at 2026-03-02.
 */
export type OperationTest = InspectionTest;
export const operationApp = (mode: Mode = 'embedded'): Promise<OperationTest> => inspectionApp(mode);

export const operationBody = (over: Record<string, unknown> = {}) => ({
  name: '2026年春季昌吉—石河子重点排污单位联合执法行动',
  kind: 'joint',
  leadAgencyCode: '652301',
  partnerAgencyCodes: ['XPCC-D8'],
  window: { from: '2026-03-02', to: '2026-03-13' },
  focus: { categories: ['air'], areaIds: [], sourceIds: [], supervisionClasses: ['key'] },
  teams: ['team-652301-air', 'team-xpcc-d8-air'],
  note: '重点检查除尘、脱硝设施运行情况',
  ...over,
});

export async function propose(t: OperationTest, label: string, over: Record<string, unknown> = {}) {
  const r = await t.req(label, 'POST', '/v1/joint-operations', operationBody(over));
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; status: string; [k: string]: any };
}

export async function confirm(t: OperationTest, label: string, id: string) {
  const r = await t.req(label, 'POST', `/v1/joint-operations/${id}/confirm`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { id: string; status: string; tasks: any[]; progress: any; [k: string]: any };
}

export const recordBody = (over: Record<string, unknown> = {}) => ({
  results: [
    { itemCode: 'AIR-01', result: 'compliant', note: '除尘设施正常运行' },
    { itemCode: 'PERMIT-01', result: 'compliant' },
  ],
  officersPresent: ['insp-652301-01', 'insp-xpcc-d8-01'],
  evidence: ['照片 IMG-0301'],
  outcome: 'no_issue',
  ...over,
});

/** Types of the events a caller's feed shows for a subject. */
export async function feedTypes(t: OperationTest, label: string, subject: string) {
  const r = await t.req(label, 'GET', `/v1/events?subject=${encodeURIComponent(subject)}`);
  expect(r.statusCode, r.body).toBe(200);
  return (r.json().items as { type: string }[]).map((e) => e.type);
}
