import { expect } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Mode } from '../support/app.js';
import { caseApp, caseBody, DEMO_POINTS, type CaseTest } from '../cases/helpers.js';
import { filings } from '../../src/filings/tables.js';

export { DEMO_POINTS, type CaseTest };

/**
 * The app with the demo reference data of both sides (SEED_DEMO): region 650000 → 652300 →
 * 652301 (Changji), 650100; corps XPCC → XPCC-D8 (Shihezi) → XPCC-D8-R121, XPCC-D6, XPCC-D7.
 * Keys (labels) from tests/cases/helpers.ts, plus inspectors of XPCC-D7 and XPCC-D6.
 */
export async function filingApp(mode: Mode = 'embedded', env: Record<string, string> = {}): Promise<CaseTest> {
  const t = await caseApp({ mode, env });
  t.keys.d7Inspector = t.key({ role: 'inspector', agencyCode: 'XPCC-D7', teamId: 'team-xpcc-d7-general', side: 'corps' });
  t.keys.d6Inspector = t.key({ role: 'inspector', agencyCode: 'XPCC-D6', teamId: 'team-xpcc-d6-general', side: 'corps' });
  t.keys.changjiPrefInspector = t.key({ role: 'inspector', agencyCode: '652300', teamId: 'team-652300-general', side: 'region' });
  return t;
}

/** Region point ≈ 240 m east of Shihezi (corps, XPCC-D8): a joint place. */
export const SEAM = DEMO_POINTS.seamNearShihezi;
/** Corps point ≈ 230 m west of Shihezi's eastern edge (region 652300 beyond it). */
export const CORPS_SEAM = { lng: 86.177, lat: 44.31 };

export async function newCase(t: CaseTest, over: Record<string, unknown> = {}, label = 'changjiInspector') {
  const r = await t.req(label, 'POST', '/v1/cases', caseBody(over));
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; number: string; version: number; [k: string]: unknown };
}

export const filingsOf = (t: CaseTest, caseId: string) =>
  t.app.deps.db.select().from(filings).where(eq(filings.caseId, caseId)).orderBy(filings.createdAt, filings.id).all();

export async function addMeasure(t: CaseTest, caseId: string, body: Record<string, unknown>, label = 'changjiInspector') {
  const r = await t.req(label, 'POST', `/v1/cases/${caseId}/measures`, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

export const MEASURES = {
  heavyFine: (fen: number) => ({ type: 'fine', amountFen: fen, legalBasis: '大气污染防治法 第九十九条' }),
  warning: { type: 'warning', legalBasis: '环境保护法' },
  hearingNotice: { type: 'hearing_notice', servedOn: '2026-03-02' },
  sealSeizure: { type: 'seal_seizure', startsOn: '2026-03-02', endsOn: '2026-03-31' },
  productionRestriction: { type: 'production_restriction', startsOn: '2026-03-02', endsOn: '2026-04-30' },
  productionSuspension: { type: 'production_suspension', servedOn: '2026-03-02' },
  policeTransfer: {
    type: 'police_transfer',
    transferKind: 'criminal',
    decidedAt: '2026-03-02T02:00:00.000Z',
    transferredAt: '2026-03-02T08:00:00.000Z',
    receivingBureau: '昌吉市公安局',
  },
  listedSupervision: (supervisingAgencyCode: string) => ({ type: 'listed_supervision', supervisingAgencyCode, deadline: '2026-06-30' }),
};

export async function inbox(t: CaseTest, label: string, query = '') {
  const r = await t.req(label, 'GET', `/v1/inbox${query ? `?${query}` : ''}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as {
    id: string;
    kind: string;
    status: string;
    subject: string;
    link: string;
    filingId: string | null;
    notificationKind: string | null;
    message: string;
    data: Record<string, unknown>;
    read: boolean;
  }[];
}
