import { expect } from 'vitest';
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp, type Mode, type TestApp } from '../support/app.js';
import { createKey } from '../../src/auth/keys.js';
import { inTx, type Tx } from '../../src/db/client.js';
import { seedDemoSources } from '../../src/cases/sources.js';
import { seedDemoInspections } from '../../src/inspections/demo.js';
import { inspectors } from '../../src/inspections/tables.js';
import { DEMO_INSPECTORS } from '../../src/reference/demo.js';

/**
 * The app with the demo data of both sides: reference data (SEED_DEMO), the demo pollution
 * sources with their classes (7 in 652301 Changji: 2 key, 2 special, 3 general; 7 in XPCC-D8
 * Shihezi, the same), the checklist of 650000 and XPCC (AIR-01, WATER-01, PERMIT-01, WASTE-01)
 * and the rosters (652301: 4 officers, 652300: 1, XPCC-D8: 4, XPCC-D8-R121: 1). Every roster
 * officer gets an inspector key linked to his roster entry (label = his roster id).
 */
export interface InspectionTest extends TestApp {
  keys: Record<string, string>;
  as(label: string): { authorization: string };
  req(label: string, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  pub(url: string): Promise<LightMyRequestResponse>;
  settle(): Promise<void>;
}

export async function inspectionApp(mode: Mode = 'embedded', env: Record<string, string> = {}): Promise<InspectionTest> {
  const t = await makeApp({ mode, env: { SEED_DEMO: 'true', ...env } });
  seedDemoSources(t.app.deps.db, t.clock);
  seedDemoInspections(t.app.deps.db, t.clock);
  const keys: Record<string, string> = {
    admin: t.admin,
    changjiSupervisor: t.key({ role: 'supervisor', agencyCode: '652301', side: 'region' }),
    changjiPrefSupervisor: t.key({ role: 'supervisor', agencyCode: '652300', side: 'region' }),
    urumqiSupervisor: t.key({ role: 'supervisor', agencyCode: '650100', side: 'region' }),
    regionTop: t.key({ role: 'supervisor', agencyCode: '650000', side: 'region' }),
    d8Supervisor: t.key({ role: 'supervisor', agencyCode: 'XPCC-D8', side: 'corps' }),
    corpsTop: t.key({ role: 'supervisor', agencyCode: 'XPCC', side: 'corps' }),
    d6Supervisor: t.key({ role: 'supervisor', agencyCode: 'XPCC-D6', side: 'corps' }),
    partner: t.key({ role: 'partner' }),
  };
  for (const o of DEMO_INSPECTORS) {
    const side = o.agencyCode.startsWith('XPCC') ? 'corps' : 'region';
    const { key, id } = inTx(t.app.deps.db, (tx) => createKeyRow(tx, t, { agencyCode: o.agencyCode, teamId: o.teamId, side }));
    keys[o.id] = key;
    t.app.deps.db.update(inspectors).set({ keyId: id }).where(eq(inspectors.id, o.id)).run();
  }
  const as = (label: string) => t.auth(keys[label] ?? label);
  const req = (label: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: method as 'GET', url, headers: { ...as(label), ...headers }, ...(body !== undefined ? { payload: body as object } : {}) });
  const pub = (url: string) => t.app.inject({ method: 'GET', url });
  return Object.assign(t, { keys, as, req, pub, settle: () => t.app.runtime.settle() });
}

function createKeyRow(tx: Tx, t: TestApp, k: { agencyCode: string; teamId: string; side: 'region' | 'corps' }) {
  const r = createKey(tx, t.clock, { role: 'inspector', ...k, name: 'officer' });
  return { key: r.key, id: r.id };
}

/** Deterministic 32-byte secrets per label (tests only; real parties use 32 random bytes). */
export const secretOf = (label: string) => createHash('sha256').update(`secret:${label}`).digest('hex');
export const commitmentOf = (secretHex: string) => createHash('sha256').update(Buffer.from(secretHex, 'hex')).digest('hex');

export const planBody = (over: Record<string, unknown> = {}) => ({
  name: '2026年春季昌吉市污染源双随机抽查',
  agencyCode: '652301',
  scope: {},
  period: { from: '2026-03-09', to: '2026-04-30' },
  ratios: { key: 0.5, special: 0.5, general: 0.34 },
  inspectorsPerTarget: 2,
  mode: 'same_side',
  itemCodes: ['AIR-01', 'WATER-01'],
  parties: ['652301', '652300'],
  ...over,
});

export async function createPlan(t: InspectionTest, label: string, over: Record<string, unknown> = {}) {
  const r = await t.req(label, 'POST', '/v1/inspection-plans', planBody(over));
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; status: string; [k: string]: any };
}

/** Commits every party (label per party agency), then reveals them all; returns the last reveal's response. */
export async function commitAndReveal(t: InspectionTest, planId: string, parties: [agencyCode: string, label: string][], salt = '') {
  for (const [code, label] of parties) {
    const r = await t.req(label, 'POST', `/v1/inspection-plans/${planId}/commitments`, {
      agencyCode: code,
      commitment: commitmentOf(secretOf(planId + code + salt)),
    });
    expect(r.statusCode, r.body).toBe(200);
  }
  let last: LightMyRequestResponse | undefined;
  for (const [code, label] of parties)
    last = await t.req(label, 'POST', `/v1/inspection-plans/${planId}/reveals`, { agencyCode: code, secret: secretOf(planId + code + salt) });
  return last!;
}
