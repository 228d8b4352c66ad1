import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirm, operationApp, operationBody, propose, recordBody, type OperationTest } from './helpers.js';

describe('joint operations: the rules', () => {
  let t: OperationTest;
  beforeAll(async () => {
    t = await operationApp();
  });
  afterAll(() => t.close());

  it('a window that does not end after it starts → 400 naming window.to, nothing created', async () => {
    for (const window of [
      { from: '2026-03-13', to: '2026-03-02' },
      { from: '2026-03-02', to: '2026-03-02' },
    ]) {
      const r = await t.req('changjiSupervisor', 'POST', '/v1/joint-operations', operationBody({ window }));
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().errors).toEqual([{ field: 'body/window/to', reason: expect.stringContaining('after window.from') }]);
    }
    expect((await t.req('admin', 'GET', '/v1/joint-operations')).json().items).toEqual([]);
  });

  it('joint with teams of one side, or without a partner of the other side → 422 naming the rule; unknown agency/team → 400', async () => {
    let r = await t.req('changjiSupervisor', 'POST', '/v1/joint-operations', operationBody({ teams: ['team-652301-air', 'team-652301-general'] }));
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().rule).toBe('joint-teams-of-both-sides');
    r = await t.req('changjiSupervisor', 'POST', '/v1/joint-operations', operationBody({ partnerAgencyCodes: ['652300'] }));
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().rule).toBe('partner-of-other-side');
    r = await t.req('changjiSupervisor', 'POST', '/v1/joint-operations', operationBody({ partnerAgencyCodes: ['XPCC-D99'] }));
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body/partnerAgencyCodes/0');
    r = await t.req('changjiSupervisor', 'POST', '/v1/joint-operations', operationBody({ teams: ['team-652301-air', 'team-xpcc-d6-general'] }));
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body/teams/1');
  });

  it('only the lead’s supervisors (or above) propose: a supervisor of another agency → 403 naming the rule', async () => {
    const r = await t.req('urumqiSupervisor', 'POST', '/v1/joint-operations', operationBody());
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().rule).toBe('operation-proposed-by-lead-supervisor');
    expect((await t.req('insp-652301-01', 'POST', '/v1/joint-operations', operationBody())).statusCode).toBe(403);
  });

  it('the lead’s side cannot confirm its own operation (403 naming the rule); strangers get 404; confirming twice → 409', async () => {
    const op = await propose(t, 'regionTop', { leadAgencyCode: '650000', partnerAgencyCodes: ['652301', 'XPCC-D8'] });
    for (const label of ['regionTop', 'changjiSupervisor']) {
      const r = await t.req(label, 'POST', `/v1/joint-operations/${op.id}/confirm`);
      expect(r.statusCode, r.body).toBe(403);
      expect(r.json().rule).toBe('operation-confirmed-by-other-side');
    }
    for (const label of ['d6Supervisor', 'urumqiSupervisor'])
      expect((await t.req(label, 'POST', `/v1/joint-operations/${op.id}/confirm`)).statusCode).toBe(404);
    expect((await t.req('d6Supervisor', 'GET', `/v1/joint-operations/${op.id}`)).statusCode).toBe(404);
    const confirmed = await confirm(t, 'corpsTop', op.id);
    expect(confirmed.status).toBe('confirmed');
    const again = await t.req('d8Supervisor', 'POST', `/v1/joint-operations/${op.id}/confirm`);
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().type).toMatch(/operation-not-proposed$/);
    expect((await t.req('admin', 'GET', `/v1/joint-operations/${op.id}`)).json().tasks).toHaveLength(confirmed.tasks.length);
  });

  it('recording: only the task’s teams’ officers; a joint task needs officers of both sides; twice or after close → 409', async () => {
    const op = await confirm(t, 'd8Supervisor', (await propose(t, 'changjiSupervisor')).id);
    const [a, b] = op.tasks;
    // An inspector of a party agency sees the task but is not in its teams.
    let r = await t.req('insp-652301-03', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody({ officersPresent: ['insp-652301-03', 'insp-xpcc-d8-01'] }));
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().rule).toBe('operation-task-recorded-by-its-teams');
    r = await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody({ officersPresent: ['insp-652301-01', 'insp-652301-02'] }));
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().rule).toBe('joint-officers-of-both-sides');
    r = await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody({ officersPresent: ['insp-652301-01', 'insp-xpcc-d8-03'] }));
    expect(r.statusCode, r.body).toBe(403);
    r = await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody({ results: [{ itemCode: 'NOPE-01', result: 'compliant' }] }));
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body/results/0/itemCode');
    r = await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody({ outcome: 'case' }));
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body/case');
    expect((await t.req('d6Supervisor', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody())).statusCode).toBe(404);

    expect((await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody())).statusCode).toBe(200);
    r = await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${a.id}/record`, recordBody());
    expect(r.statusCode).toBe(409);
    expect(r.json().type).toMatch(/already-recorded$/);

    // Only the lead closes.
    r = await t.req('d8Supervisor', 'POST', `/v1/joint-operations/${op.id}/close`);
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().rule).toBe('operation-closed-by-lead');
    expect((await t.req('changjiSupervisor', 'POST', `/v1/joint-operations/${op.id}/close`)).statusCode).toBe(200);
    r = await t.req('insp-652301-01', 'POST', `/v1/operation-tasks/${b.id}/record`, recordBody());
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json().type).toMatch(/operation-closed$/);
    expect((await t.req('insp-652301-01', 'GET', `/v1/operation-tasks/${b.id}`)).json().status).toBe('cancelled');
    expect((await t.req('changjiSupervisor', 'POST', `/v1/joint-operations/${op.id}/close`)).statusCode).toBe(409);
  });

  it('cross: teams of one side visit only the other side’s sources', async () => {
    const op = await confirm(
      t,
      'd8Supervisor',
      (
        await propose(t, 'changjiSupervisor', {
          kind: 'cross',
          teams: ['team-652301-air', 'team-652301-general'],
          focus: { categories: [], areaIds: [], sourceIds: [], supervisionClasses: [] },
        })
      ).id,
    );
    expect(op.tasks.map((x: { sourceId: string }) => x.sourceId)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `src-xpcc-d8-0${n}`));
    // Round robin over the visiting teams.
    expect(op.tasks.map((x: { teamIds: string[] }) => x.teamIds[0]).slice(0, 2)).toEqual(['team-652301-air', 'team-652301-general']);
    expect(op.progress.bySide.region.targets).toBe(0);
    const r = await t.req(
      'insp-652301-01',
      'POST',
      `/v1/operation-tasks/${op.tasks[0].id}/record`,
      recordBody({ officersPresent: ['insp-652301-01', 'insp-652301-02'] }),
    );
    expect(r.statusCode, r.body).toBe(200);
  });

  it('focus by area: only the sources lying in one of the areas (classes still apply); an unknown area → 400', async () => {
    const op = await confirm(
      t,
      'd8Supervisor',
      (
        await propose(t, 'changjiSupervisor', {
          focus: { categories: ['air'], areaIds: ['area-xpcc-d8'], sourceIds: [], supervisionClasses: ['key', 'special'] },
        })
      ).id,
    );
    expect(op.tasks.map((x: { sourceId: string }) => x.sourceId)).toEqual(['src-xpcc-d8-01', 'src-xpcc-d8-02', 'src-xpcc-d8-03', 'src-xpcc-d8-04']);
    const r = await t.req(
      'changjiSupervisor',
      'POST',
      '/v1/joint-operations',
      operationBody({ focus: { categories: [], areaIds: ['area-nope'], sourceIds: [], supervisionClasses: [] } }),
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body/focus/areaIds/0');
  });

  it('focus by source ids narrows the targets; a source outside the parties → 400', async () => {
    const op = await confirm(
      t,
      'd8Supervisor',
      (await propose(t, 'changjiSupervisor', { focus: { categories: [], areaIds: [], sourceIds: ['src-652301-05'], supervisionClasses: [] } })).id,
    );
    expect(op.tasks.map((x: { sourceId: string }) => x.sourceId)).toEqual(['src-652301-05']);
    const r = await t.req(
      'changjiSupervisor',
      'POST',
      '/v1/joint-operations',
      operationBody({ focus: { categories: [], areaIds: [], sourceIds: ['src-nope'], supervisionClasses: [] } }),
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body/focus/sourceIds/0');
  });
});
