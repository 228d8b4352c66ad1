import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes } from '../support/app.js';
import { confirm, operationApp, propose, recordBody, type OperationTest } from './helpers.js';

/**
 * A cross operation (交叉执法): region teams visit a corps source. The visiting teams read the
 * cases it opens for the window only (a durable timer at its end revokes the grant); the case is
 * cross-filed to the other side; the frozen summary counts the cases' measures and fines.
 */
describeModes('cross operation: visiting teams read its cases for the window only; cross-filed; measures and fines in the summary', (mode) => {
  let t: OperationTest;
  let opId: string;
  let caseId: string;
  let urumqiAir: string;
  let urumqiGeneral: string;
  beforeAll(async () => {
    t = await operationApp(mode);
    urumqiAir = t.key({ role: 'inspector', agencyCode: '650100', teamId: 'team-650100-air', side: 'region' });
    urumqiGeneral = t.key({ role: 'inspector', agencyCode: '650100', teamId: 'team-650100-general', side: 'region' });
  });
  afterAll(() => t.close());

  it('region teams (Changji and Urumqi) visit a Shihezi source; the Changji pair records a case', async () => {
    const op = await propose(t, 'changjiSupervisor', {
      name: '2026年春季石河子重点排污单位交叉执法行动',
      kind: 'cross',
      partnerAgencyCodes: ['XPCC-D8', '650100'],
      focus: { categories: ['air'], areaIds: [], sourceIds: ['src-xpcc-d8-01'], supervisionClasses: [] },
      teams: ['team-652301-air', 'team-650100-air'],
    });
    opId = op.id;
    const confirmed = await confirm(t, 'd8Supervisor', opId);
    expect(confirmed.tasks.map((x) => [x.sourceId, x.teamIds])).toEqual([['src-xpcc-d8-01', ['team-652301-air']]]);
    const r = await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${confirmed.tasks[0].id}/record`, {
      ...recordBody({ officersPresent: ['insp-652301-01', 'insp-652301-02'], outcome: 'case' }),
      results: [{ itemCode: 'AIR-01', result: 'non_compliant', note: '脱硝设施未运行' }],
      case: { title: '石河子示例电力有限公司脱硝设施未正常运行', category: 'air', summary: '交叉执法检查发现脱硝设施停运' },
    });
    expect(r.statusCode, r.body).toBe(200);
    caseId = r.json().caseId;
    expect(caseId).toBeTruthy();
  });

  const caseEventsSeenBy = async (key: string) => {
    const r = await t.app.inject({ url: '/v1/events?limit=500', headers: t.auth(key) });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json().items as { subject: string }[]).filter((e) => e.subject === `cases/${caseId}`).length;
  };

  it('during the window a visiting team’s inspector reads the case and the source; another team of the same agency does not', async () => {
    expect((await t.app.inject({ url: `/v1/cases/${caseId}`, headers: t.auth(urumqiAir) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/v1/sources/src-xpcc-d8-01', headers: t.auth(urumqiAir) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/v1/cases/${caseId}`, headers: t.auth(urumqiGeneral) })).statusCode).toBe(404);
    // It sees the case's events iff it may GET the case: the ones before the grant and later ones.
    expect(await caseEventsSeenBy(urumqiAir)).toBeGreaterThan(0);
    expect(await caseEventsSeenBy(urumqiGeneral)).toBe(0);
    // Read only: the grant lets it add nothing.
    const note = await t.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/notes`, headers: t.auth(urumqiAir), payload: { text: '补充情况' } });
    expect([403, 404]).toContain(note.statusCode);
  });

  it('the case is cross-filed automatically with the other side’s co-handling party', async () => {
    await t.settle();
    const r = await t.req('admin', 'GET', `/v1/filings?caseId=${caseId}`);
    expect(r.statusCode, r.body).toBe(200);
    const items = r.json().items as { toAgencyCode: string; trigger: string; reasons: string[] }[];
    expect(items.find((f) => f.toAgencyCode === '652301')).toMatchObject({ trigger: 'registered', reasons: expect.arrayContaining(['co_handling']) });
  });

  it('when the window ends the visiting team loses the case (the co-handling agency keeps it)', async () => {
    t.clock.set('2026-03-13T16:00:01.000Z');
    await t.settle();
    expect((await t.app.inject({ url: `/v1/cases/${caseId}`, headers: t.auth(urumqiAir) })).statusCode).toBe(404);
    expect(await caseEventsSeenBy(urumqiAir)).toBe(0);
    expect((await t.req('insp-652301-01', 'GET', `/v1/cases/${caseId}`)).statusCode).toBe(200);
    const ev = await t.req('admin', 'GET', `/v1/events?subject=${encodeURIComponent(`joint-operations/${opId}`)}`);
    expect((ev.json().items as { type: string; data: any }[]).find((e) => e.type === 'joint_operation.window_ended')!.data.revokedCaseGrants).toBe(2); // both visiting teams
  });

  it('the frozen summary counts the cases’ measures and fines', async () => {
    for (const to of ['investigating', 'pending_decision']) {
      const r = await t.req('d8Supervisor', 'POST', `/v1/cases/${caseId}/transitions`, { to });
      expect(r.statusCode, r.body).toBe(200);
    }
    const m = await t.req('d8Supervisor', 'POST', `/v1/cases/${caseId}/measures`, {
      type: 'fine',
      amountFen: 5_000_000,
      legalBasis: '大气污染防治法 第九十九条',
    });
    expect(m.statusCode, m.body).toBe(201);
    const r = await t.req('changjiSupervisor', 'POST', `/v1/joint-operations/${opId}/close`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().summary).toMatchObject({ cases: 1, measures: { total: 1, byType: { fine: 1 } }, fines: { count: 1, totalFen: 5_000_000 } });
  });
});
