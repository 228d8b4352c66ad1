import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes } from '../support/app.js';
import { feedTypes } from '../operations/helpers.js';
import { airApp, issue, type AirTest } from './helpers.js';

const ZONE_SUPERVISORS = ['urumqiSupervisor', 'changjiPrefSupervisor', 'changjiSupervisor', 'd8Supervisor', 'd6Supervisor'];

describeModes('heavy-pollution weather: an orange alert over 乌—昌—石, linkage patrols, upgrade to red, lift', (mode) => {
  let t: AirTest;
  let alertId: string;
  let opId: string;
  let tasks: { id: string; sourceId: string; teamIds: string[]; status: string; alertLevel: string; requiredMeasures: string[] }[];
  beforeAll(async () => {
    t = await airApp(mode);
  });
  afterAll(() => t.close());

  const inboxKinds = async (label: string) => {
    const r = await t.req(label, 'GET', '/v1/inbox?limit=100');
    expect(r.statusCode, r.body).toBe(200);
    return (r.json().items as { subject: string; notificationKind: string | null; agencyCode: string }[])
      .filter((i) => i.subject === `air-alerts/${alertId}`)
      .map((i) => `${i.agencyCode}:${i.notificationKind}`);
  };

  it('a Changji supervisor issues orange on a forecast that meets the rule: a joint operation opens with a patrol task per listed source', async () => {
    const a = await issue(t, 'changjiSupervisor');
    alertId = a.id;
    expect(a).toMatchObject({
      level: 'orange',
      status: 'active',
      supportedLevel: 'orange',
      overrideReason: null,
      zoneName: '乌—昌—石',
      issuedByAgencyCode: '652301',
    });
    expect(a.agencyCodes).toEqual(expect.arrayContaining(['650100', '652300', '652301', 'XPCC-D8', 'XPCC-D6']));
    expect(a.operationId).toBeTruthy();
    opId = a.operationId!;
    const op = (await t.req('changjiSupervisor', 'GET', `/v1/joint-operations/${opId}`)).json();
    expect(op).toMatchObject({ status: 'confirmed', kind: 'joint', airAlertId: alertId, leadAgencyCode: '652301' });
    tasks = op.tasks;
    const bySource = Object.fromEntries(tasks.map((x) => [x.sourceId, x]));
    expect(Object.keys(bySource).sort()).toEqual(['src-652301-01', 'src-652301-02', 'src-xpcc-d8-01', 'src-xpcc-d8-02', t.seamSourceId].sort());
    // Each source's own side's team; the seam source a mixed pair (its side's team leads).
    expect(bySource['src-652301-01'].teamIds).toEqual(['team-652301-air']);
    expect(bySource['src-652301-02'].teamIds).toEqual(['team-652301-air']);
    expect(bySource['src-xpcc-d8-01'].teamIds).toEqual(['team-xpcc-d8-air']);
    expect(bySource['src-xpcc-d8-02'].teamIds).toEqual(['team-xpcc-d8-air']);
    expect(bySource[t.seamSourceId].teamIds).toEqual(['team-652300-general', 'team-xpcc-d8-air']);
    for (const x of tasks) expect(x).toMatchObject({ status: 'open', alertLevel: 'orange' });
    expect(bySource['src-652301-02'].requiredMeasures).toEqual(['limit_load', 'stop_transport']);
  });

  it('both sides are notified at once (queue notify) and the tasks reach the teams’ work lists', async () => {
    await t.settle();
    for (const label of ZONE_SUPERVISORS)
      expect(
        (await inboxKinds(label)).some((k) => k.endsWith(':air_alert_issued')),
        label,
      ).toBe(true);
    expect(await inboxKinds('d8Supervisor')).toEqual(['XPCC-D8:air_alert_issued']);
    expect(await inboxKinds('urumqiSupervisor')).toEqual(['650100:air_alert_issued']);
    const corps = (await t.req('insp-xpcc-d8-01', 'GET', '/v1/assignments?subjectKind=operation_task')).json().items as {
      subject: { id: string };
      role: string;
    }[];
    const seamTask = tasks.find((x) => x.sourceId === t.seamSourceId)!;
    expect(corps.map((a) => a.subject.id).sort()).toEqual(
      tasks
        .filter((x) => x.teamIds.includes('team-xpcc-d8-air'))
        .map((x) => x.id)
        .sort(),
    );
    expect(corps.find((a) => a.subject.id === seamTask.id)!.role).toBe('co_handling');
    const region = (await t.req('insp-652301-01', 'GET', '/v1/assignments?subjectKind=operation_task')).json().items as { subject: { id: string } }[];
    expect(region).toHaveLength(2);
  });

  it('events reach the zone’s agencies of both sides and not another zone’s', async () => {
    for (const label of [...ZONE_SUPERVISORS, 'regionTop', 'corpsTop', 'insp-xpcc-d8-01']) {
      expect(await feedTypes(t, label, `air-alerts/${alertId}`), label).toEqual(['air_alert.issued']);
      expect((await t.req(label, 'GET', `/v1/air-alerts/${alertId}`)).statusCode).toBe(200);
    }
    expect(await feedTypes(t, 'd7Supervisor', `air-alerts/${alertId}`)).toEqual([]);
    expect((await t.req('d7Supervisor', 'GET', `/v1/air-alerts/${alertId}`)).statusCode).toBe(404);
    expect((await t.req('d7Supervisor', 'GET', '/v1/air-alerts')).json().items).toEqual([]);
  });

  it('a source found not applying its measures: outcome case names the measure (one of the level’s, else 400)', async () => {
    // The alert took effect: 10:00 China time on its first day.
    t.clock.set('2026-03-03T02:00:00.000Z');
    const task = tasks.find((x) => x.sourceId === 'src-xpcc-d8-02')!;
    const body = (failedMeasure?: string) => ({
      results: [{ itemCode: 'AIR-01', result: 'non_compliant', note: '橙色预警期间未限产' }],
      officersPresent: ['insp-xpcc-d8-01', 'insp-xpcc-d8-02'],
      outcome: 'case',
      case: { title: '石河子示例化纤有限公司未落实重污染天气应急减排措施', category: 'air', summary: '橙色预警期间生产线满负荷运行' },
      ...(failedMeasure ? { failedMeasure } : {}),
    });
    let r = await t.req('insp-xpcc-d8-01', 'POST', `/v1/operation-tasks/${task.id}/record`, body());
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().errors[0].field).toBe('body/failedMeasure');
    r = await t.req('insp-xpcc-d8-01', 'POST', `/v1/operation-tasks/${task.id}/record`, body('stop_process'));
    expect(r.statusCode, r.body).toBe(400);
    r = await t.req('insp-xpcc-d8-01', 'POST', `/v1/operation-tasks/${task.id}/record`, body('limit_load'));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ outcome: 'case', failedMeasure: 'limit_load', alertLevel: 'orange' });
    const k = (await t.req('admin', 'GET', `/v1/cases/${r.json().caseId}`)).json();
    expect(k).toMatchObject({ leadAgencyCode: 'XPCC-D8', sourceId: 'src-xpcc-d8-02' });
  });

  it('an upgrade to red: open tasks are re-checked against red (level and measures), the recorded one keeps orange; both sides told', async () => {
    const r = await t.req('d8Supervisor', 'POST', `/v1/air-alerts/${alertId}/change`, { level: 'red', basis: { forecastDailyAqi: [260, 320, 350, 310] } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ level: 'red', supportedLevel: 'red', operationId: opId });
    expect(r.json().history.map((h: { level: string }) => h.level)).toEqual(['orange', 'red']);
    const op = (await t.req('admin', 'GET', `/v1/joint-operations/${opId}`)).json();
    for (const x of op.tasks as typeof tasks) {
      if (x.sourceId === 'src-xpcc-d8-02') expect(x).toMatchObject({ status: 'recorded', alertLevel: 'orange' });
      else expect(x).toMatchObject({ status: 'open', alertLevel: 'red' });
    }
    expect(op.tasks.find((x: { sourceId: string }) => x.sourceId === 'src-652301-02').requiredMeasures).toEqual(['stop_process', 'stop_transport']);
    expect(await feedTypes(t, 'changjiSupervisor', `joint-operations/${opId}`)).toContain('joint_operation.tasks_rechecked');
    await t.settle();
    expect(await inboxKinds('d6Supervisor')).toEqual(['XPCC-D6:air_alert_issued', 'XPCC-D6:air_alert_changed'].reverse());
  });

  it('the lift closes the operation with its summary; every agency of the zone is told', async () => {
    const r = await t.req('urumqiSupervisor', 'POST', `/v1/air-alerts/${alertId}/lift`, { note: '气象条件好转' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'lifted', liftNote: '气象条件好转' });
    const op = (await t.req('admin', 'GET', `/v1/joint-operations/${opId}`)).json();
    expect(op.status).toBe('closed');
    expect(op.summary).toMatchObject({ targets: 5, visited: 1, cancelled: 4, violations: 1, cases: 1 });
    await t.settle();
    for (const label of ZONE_SUPERVISORS)
      expect(
        (await inboxKinds(label)).some((k) => k.endsWith(':air_alert_lifted')),
        label,
      ).toBe(true);
    expect(await feedTypes(t, 'corpsTop', `air-alerts/${alertId}`)).toEqual(['air_alert.issued', 'air_alert.changed', 'air_alert.lifted']);
    const again = await t.req('urumqiSupervisor', 'POST', `/v1/air-alerts/${alertId}/lift`);
    expect(again.statusCode).toBe(409);
  });
});
