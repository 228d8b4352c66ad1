import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes } from '../support/app.js';
import { confirm, feedTypes, operationApp, propose, recordBody, type OperationTest } from './helpers.js';

describeModes('joint operations: proposed by the region, confirmed by the corps, tasks per source, recorded, closed', (mode) => {
  let t: OperationTest;
  let opId: string;
  let tasks: { id: string; sourceId: string; sourceSide: string; sourceAgencyCode: string; teamIds: string[]; status: string; dueAt: string }[];
  beforeAll(async () => {
    t = await operationApp(mode);
  });
  afterAll(() => t.close());

  it('a region supervisor proposes: status proposed, no tasks yet', async () => {
    const op = await propose(t, 'changjiSupervisor');
    opId = op.id;
    expect(op).toMatchObject({ status: 'proposed', kind: 'joint', side: 'region', leadAgencyCode: '652301', partnerAgencyCodes: ['XPCC-D8'], tasks: [] });
    expect(op.progress.total).toEqual({ targets: 0, open: 0, recorded: 0, cancelled: 0 });
  });

  it('the corps partner confirms: one task per key source of both sides, one team of each side each, due at the window’s end', async () => {
    const op = await confirm(t, 'd8Supervisor', opId);
    expect(op).toMatchObject({ status: 'confirmed', confirmedByAgencyCode: 'XPCC-D8' });
    tasks = op.tasks;
    expect(tasks.map((x) => x.sourceId).sort()).toEqual(['src-652301-01', 'src-652301-02', 'src-xpcc-d8-01', 'src-xpcc-d8-02']);
    for (const x of tasks) {
      expect(x.teamIds).toEqual(['team-652301-air', 'team-xpcc-d8-air']);
      expect(x.status).toBe('open');
      expect(x.dueAt).toBe('2026-03-13T16:00:00.000Z');
    }
    expect(op.progress.bySide.region.targets).toBe(2);
    expect(op.progress.bySide.corps.targets).toBe(2);
  });

  it('the tasks reach both teams’ work lists through the side queues: the first team leads, the other co-handles', async () => {
    await t.settle();
    for (const [label, role] of [
      ['insp-652301-01', 'lead'],
      ['insp-xpcc-d8-01', 'co_handling'],
    ] as const) {
      const r = await t.req(label, 'GET', '/v1/assignments?subjectKind=operation_task');
      expect(r.statusCode, r.body).toBe(200);
      const items = r.json().items as { subject: { kind: string; id: string; path: string }; role: string; status: string; dueAt: string }[];
      expect(items.map((a) => a.subject.id).sort()).toEqual(tasks.map((x) => x.id).sort());
      for (const a of items) {
        expect(a).toMatchObject({ role, status: 'pending', dueAt: '2026-03-13T16:00:00.000Z' });
        expect(a.subject.path).toBe(`operation-tasks/${a.subject.id}`);
      }
    }
  });

  it('a mixed pair records with the inspection record; outcome case registers a case led by the ground’s side, co-handled by the other', async () => {
    const [a, b, c] = [...tasks].sort((x, y) => x.sourceId.localeCompare(y.sourceId));
    let r = await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody());
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'recorded', outcome: 'no_issue', officersPresent: ['insp-652301-01', 'insp-xpcc-d8-01'] });
    r = await t.req('insp-xpcc-d8-01', 'POST', `/v1/operation-tasks/${b.id}/record`, {
      ...recordBody({ outcome: 'rectify' }),
      rectification: { dueOn: '2026-03-20', requirement: '限期修复脱硝设施' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const corpsTask = tasks.find((x) => x.sourceId === 'src-xpcc-d8-01')!;
    expect(c.sourceId).toBe('src-xpcc-d8-01');
    r = await t.req('insp-652301-02', 'POST', `/v1/operation-tasks/${corpsTask.id}/record`, {
      ...recordBody({ officersPresent: ['insp-652301-02', 'insp-xpcc-d8-02'], outcome: 'case' }),
      results: [{ itemCode: 'AIR-01', result: 'non_compliant', note: '除尘设施未运行' }],
      case: { title: '石河子示例电力有限公司除尘设施未正常运行', category: 'air', summary: '联合执法检查发现锅炉除尘设施未运行，烟气排放明显异常' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const caseId = r.json().caseId as string;
    expect(caseId).toBeTruthy();
    const k = await t.req('admin', 'GET', `/v1/cases/${caseId}`);
    expect(k.statusCode, k.body).toBe(200);
    expect(k.json()).toMatchObject({ leadAgencyCode: 'XPCC-D8', side: 'corps', sourceId: 'src-xpcc-d8-01' });
    expect(k.json().coHandlingAgencyCodes).toContain('652301');
    // …and cross-filed (互相备案) to the other side's co-handling agency, with its acknowledgement clock.
    await t.settle();
    const filed = (await t.req('admin', 'GET', `/v1/filings?caseId=${caseId}`)).json().items as { toAgencyCode: string; reasons: string[]; ackDueAt: string }[];
    expect(filed.find((f) => f.toAgencyCode === '652301')).toMatchObject({ reasons: expect.arrayContaining(['co_handling']), ackDueAt: expect.any(String) });

    const op = (await t.req('changjiSupervisor', 'GET', `/v1/joint-operations/${opId}`)).json();
    expect(op.progress.total).toEqual({ targets: 4, open: 1, recorded: 3, cancelled: 0 });
    expect(op.progress.byOutcome).toEqual({ no_issue: 1, rectify: 1, case: 1 });
    expect(op.progress.bySide.corps).toEqual({ targets: 2, open: 1, recorded: 1, cancelled: 0 });
    expect(op.progress.byTeam).toEqual([
      { teamId: 'team-652301-air', targets: 4, open: 1, recorded: 3, cancelled: 0 },
      { teamId: 'team-xpcc-d8-air', targets: 4, open: 1, recorded: 3, cancelled: 0 },
    ]);
  });

  it('the lead closes: the open task is cancelled, the summary frozen, both sides notified', async () => {
    const r = await t.req('changjiSupervisor', 'POST', `/v1/joint-operations/${opId}/close`, { note: '行动按期结束' });
    expect(r.statusCode, r.body).toBe(200);
    const op = r.json();
    expect(op.status).toBe('closed');
    expect(op.summary).toMatchObject({ targets: 4, visited: 3, cancelled: 1, violations: 2, cases: 1 });
    expect(op.progress.total.cancelled).toBe(1);
    // On the work lists: recorded tasks completed, the cancelled one cancelled.
    const list = (await t.req('admin', 'GET', '/v1/assignments?subjectKind=operation_task&limit=100')).json().items as {
      subject: { id: string };
      status: string;
    }[];
    const open = op.tasks.find((x: { status: string }) => x.status === 'cancelled').id;
    expect(list.filter((a) => a.subject.id === open).map((a) => a.status)).toEqual(['cancelled', 'cancelled']);
    expect(list.filter((a) => a.subject.id !== open).every((a) => a.status === 'completed')).toBe(true);
    expect(list).toHaveLength(8);
    await t.settle();
    for (const label of ['changjiSupervisor', 'd8Supervisor']) {
      const inbox = await t.req(label, 'GET', '/v1/inbox');
      expect(inbox.statusCode, inbox.body).toBe(200);
      const items = (inbox.json().items as { subject: string; notificationKind: string | null }[]).filter((i) => i.subject === `joint-operations/${opId}`);
      expect(items).toHaveLength(1);
      expect(items[0].notificationKind).toBe('joint_operation_closed');
    }
  });

  it('lists it for the parties and the operation’s teams; events reach exactly those who may GET it', async () => {
    for (const label of ['admin', 'changjiSupervisor', 'regionTop', 'd8Supervisor', 'corpsTop', 'insp-652301-01', 'insp-xpcc-d8-01']) {
      const r = await t.req(label, 'GET', '/v1/joint-operations');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().items.map((o: { id: string }) => o.id)).toEqual([opId]);
      expect((await t.req(label, 'GET', `/v1/joint-operations/${opId}`)).statusCode).toBe(200);
      expect(await feedTypes(t, label, `joint-operations/${opId}`)).toEqual(['joint_operation.created', 'joint_operation.confirmed', 'joint_operation.closed']);
      const task = tasks.find((x) => x.sourceId === 'src-xpcc-d8-01')!;
      expect(await feedTypes(t, label, `operation-tasks/${task.id}`)).toEqual(['joint_operation.task_recorded']);
    }
    for (const label of ['d6Supervisor', 'urumqiSupervisor', 'insp-652300-01']) {
      expect((await t.req(label, 'GET', '/v1/joint-operations')).json().items).toEqual([]);
      expect((await t.req(label, 'GET', `/v1/joint-operations/${opId}`)).statusCode).toBe(404);
      expect(await feedTypes(t, label, `joint-operations/${opId}`)).toEqual([]);
    }
  });
});
