import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeModes } from '../support/app.js';
import { caseApp, type CaseTest } from '../cases/helpers.js';
import { eventsOfSubject } from '../support/factories.js';
import { weekOf } from '../../src/ledger/service.js';

const task = (over: Record<string, unknown> = {}) => ({
  code: `四-8-${Math.random().toString(36).slice(2, 8)}`,
  title: '强化重点区域大气污染防治',
  origin: '中央环境保护督察反馈意见：局部区域大气和水环境问题突出',
  kind: 'staged',
  leadAgencyCode: '652301',
  responsiblePerson: '李建国',
  measures: ['淘汰城市建成区燃煤锅炉', '严格区域大气环境质量约束性指标'],
  target: '乌—昌—石区域细颗粒物浓度逐年下降',
  dueOn: '2027-01-31',
  ...over,
});

const notificationsOf = (t: CaseTest, subject: string) =>
  (t.app.deps.db.$client.prepare("SELECT data FROM events WHERE type = 'notification.created'").all() as { data: string }[])
    .map((r) => JSON.parse(r.data) as { kind: string; agencyCode: string; subject: string })
    .filter((n) => n.subject === subject);

describe('weeks', () => {
  it('a week runs Monday to Sunday', () => {
    expect(weekOf('2026-12-01')).toBe('2026-11-30'); // Tuesday
    expect(weekOf('2026-12-06')).toBe('2026-11-30'); // Sunday
    expect(weekOf('2026-12-07')).toBe('2026-12-07'); // Monday
  });
});

describeModes('rectification ledger', (mode) => {
  let t: CaseTest;
  const settle = () => t.app.runtime.settle();
  beforeAll(async () => {
    t = await caseApp({ mode, env: { RECTIFICATION_NOTICE_DAYS: '5' } });
    t.keys.changjiPrefInspector = t.key({ role: 'inspector', agencyCode: '652300', teamId: 'team-652300-general', side: 'region' });
  });
  afterAll(() => t.close());

  const create = async (label: string, over: Record<string, unknown> = {}) => {
    const r = await t.req(label, 'POST', '/v1/rectification-tasks', task(over));
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; code: string; version: number; supervisingAgencyCode: string; [k: string]: unknown };
  };
  const get = async (label: string, id: string) => t.req(label, 'GET', `/v1/rectification-tasks/${id}`);
  const act = (label: string, id: string, action: string, body: unknown) => t.req(label, 'POST', `/v1/rectification-tasks/${id}/${action}`, body);

  it('a region task’s whole life: weekly progress, a missed week, close-off rejected then approved, public notice, closed off, reopened after 回头看', async () => {
    t.clock.set('2026-12-01T02:00:00.000Z'); // Tuesday 10:00 in China
    const c = await create('changjiSupervisor');
    expect(c).toMatchObject({ status: 'open', supervisingAgencyCode: '652300', dueAt: '2027-01-31T16:00:00.000Z', missedWeeks: [] });
    const subject = `rectification-tasks/${c.id}`;

    // The first owed week is the first full one (Mon 7 Dec); the week of creation is not flagged.
    t.clock.set('2026-12-09T04:00:00.000Z');
    const p1 = await act('changjiInspector', c.id, 'progress', {
      periodEnd: '2026-12-09',
      status: 'on_track',
      text: '本周拆除燃煤锅炉 12 台。',
      evidence: ['昌环函〔2026〕88号'],
    });
    expect(p1.statusCode, p1.body).toBe(201);
    expect(p1.json()).toMatchObject({ weekOf: '2026-12-07', byAgencyCode: '652301' });
    const again = await act('changjiSupervisor', c.id, 'progress', { periodEnd: '2026-12-08', status: 'on_track', text: '重复报送' });
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toMatch(/progress-already-reported$/);
    expect((await act('changjiSupervisor', c.id, 'progress', { periodEnd: '2026-12-10', status: 'on_track', text: '未来' })).json().errors[0].field).toBe(
      'body/periodEnd',
    );
    // The supervising agency sees the task but does not report for the lead.
    expect((await act('changjiPrefSupervisor', c.id, 'progress', { periodEnd: '2026-12-09', status: 'on_track', text: 'x' })).json().rule).toBe(
      'lead-agency-only',
    );

    t.clock.set('2026-12-14T00:00:00.000Z');
    await settle();
    expect((await get('changjiSupervisor', c.id)).json().missedWeeks).toEqual([]);
    // The week of 14 Dec ends at 24:00 China time on Sunday 20 Dec without a report: flagged.
    t.clock.set('2026-12-20T15:59:00.000Z');
    await settle();
    expect((await get('changjiSupervisor', c.id)).json().missedWeeks).toEqual([]);
    t.clock.set('2026-12-20T16:00:00.000Z');
    await settle();
    expect((await get('changjiSupervisor', c.id)).json().missedWeeks).toEqual(['2026-12-14']);
    expect(eventsOfSubject(t, subject).map((e) => e.type)).toContain('rectification_task.progress_missed');
    expect(notificationsOf(t, subject).map((n) => [n.kind, n.agencyCode])).toContainEqual(['rectification_progress_missed', '652301']);

    // Late: listed supervision by the supervising agency, never by the lead itself.
    expect((await act('changjiSupervisor', c.id, 'listed-supervision', { reason: '进展滞后' })).json().rule).toBe('checker-not-lead');
    const listed = await act('changjiPrefSupervisor', c.id, 'listed-supervision', { reason: '连续未报送进展' });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().listedSupervisionBy).toBe('652300');

    // Close-off: the lead applies; the checker must be another agency.
    t.clock.set('2026-12-22T03:00:00.000Z');
    expect((await act('changjiSupervisor', c.id, 'close-off', { text: '申请销号', evidence: [] })).statusCode).toBe(400);
    expect((await act('changjiSupervisor', c.id, 'close-off', { text: '整改措施已全部落实，申请销号。', evidence: ['昌环函〔2026〕99号'] })).statusCode).toBe(
      200,
    );
    expect(notificationsOf(t, subject).map((n) => [n.kind, n.agencyCode])).toContainEqual(['rectification_close_off_requested', '652300']);
    const own = await act('changjiSupervisor', c.id, 'close-off/approve', { text: '同意' });
    expect(own.statusCode).toBe(403);
    expect(own.json().rule).toBe('checker-not-lead');
    expect((await act('d8Supervisor', c.id, 'close-off/approve', { text: '同意' })).statusCode).toBe(404);
    const rejected = await act('changjiPrefSupervisor', c.id, 'close-off/reject', { reasons: ['仍有 3 台燃煤锅炉未拆除'] });
    expect(rejected.json()).toMatchObject({ status: 'open' });
    expect((await act('changjiPrefSupervisor', c.id, 'close-off/approve', { text: '同意' })).statusCode).toBe(409);

    await act('changjiSupervisor', c.id, 'close-off', { text: '剩余锅炉已拆除。', evidence: ['昌环函〔2026〕101号'] });
    const approved = await act('regionTop', c.id, 'close-off/approve', { text: '经现场核查，整改措施落实到位，同意销号。' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'public_notice', noticeEndsOn: '2026-12-26' });

    // Public notice: no key, Chinese labels, no personal name.
    const pub = await t.app.inject({ url: '/v1/public/rectification-tasks?status=public_notice' });
    expect(pub.statusCode).toBe(200);
    const item = pub.json().items.find((x: { code: string }) => x.code === c.code);
    expect(item).toMatchObject({
      status: 'public_notice',
      statusLabel: '公示中',
      kindLabel: '分阶段推进',
      checkOpinion: '经现场核查，整改措施落实到位，同意销号。',
    });
    expect(JSON.stringify(item)).not.toContain('李建国');

    t.clock.set('2026-12-26T15:59:00.000Z');
    await settle();
    expect((await get('changjiSupervisor', c.id)).json().status).toBe('public_notice');
    t.clock.set('2026-12-26T16:00:00.000Z');
    await settle();
    const closed = (await get('changjiSupervisor', c.id)).json();
    expect(closed).toMatchObject({ status: 'closed_off', closedOffAt: '2026-12-26T16:00:00.000Z' });
    expect(closed.reviews.map((r: { action: string }) => r.action)).toEqual([
      'listed_supervision',
      'close_off_requested',
      'close_off_rejected',
      'close_off_requested',
      'close_off_approved',
      'closed_off',
    ]);
    expect((await act('changjiSupervisor', c.id, 'progress', { periodEnd: '2026-12-26', status: 'completed', text: 'x' })).statusCode).toBe(409);

    // 回头看: reopened by a supervising agency with a reason; the lead cannot.
    expect((await act('changjiSupervisor', c.id, 'reopen', { reason: 'x' })).statusCode).toBe(403);
    const reopened = await act('changjiPrefSupervisor', c.id, 'reopen', { reason: '回头看发现部分锅炉复产' });
    expect(reopened.json()).toMatchObject({ status: 'open', reopenCount: 1, closedOffAt: null });
    expect(eventsOfSubject(t, subject).map((e) => e.type)).toEqual([
      'rectification_task.created',
      'rectification_task.progress_reported',
      'rectification_task.progress_missed',
      'rectification_task.listed_supervision',
      'rectification_task.close_off_requested',
      'rectification_task.close_off_rejected',
      'rectification_task.close_off_requested',
      'rectification_task.close_off_approved',
      'rectification_task.closed_off',
      'rectification_task.reopened',
    ]);
  });

  it('the due date ends at 24:00 China time; both the lead and the supervising agency are told', async () => {
    t.clock.set('2026-12-01T02:00:00.000Z');
    const c = await create('changjiSupervisor', { dueOn: '2026-12-31' });
    t.clock.set('2026-12-31T15:59:00.000Z');
    await settle();
    expect((await get('changjiSupervisor', c.id)).json().overdue).toBe(false);
    t.clock.set('2026-12-31T16:00:00.000Z');
    await settle();
    expect((await get('changjiSupervisor', c.id)).json()).toMatchObject({ overdue: true, overdueAt: '2026-12-31T16:00:00.000Z' });
    const told = notificationsOf(t, `rectification-tasks/${c.id}`).filter((n) => n.kind === 'rectification_overdue');
    expect(told.map((n) => n.agencyCode).sort()).toEqual(['652300', '652301']);
    // Moving the due date later clears it (If-Match required).
    const cur = await get('changjiSupervisor', c.id);
    expect((await t.req('changjiSupervisor', 'PATCH', `/v1/rectification-tasks/${c.id}`, { dueOn: '2027-03-31' })).statusCode).toBe(428);
    const moved = await t.req(
      'changjiSupervisor',
      'PATCH',
      `/v1/rectification-tasks/${c.id}`,
      { dueOn: '2027-03-31' },
      { 'if-match': cur.headers.etag as string },
    );
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ overdue: false, dueOn: '2027-03-31' });
  });

  it('a corps task with a region co-agency: who sees it and who may act', async () => {
    t.clock.set('2026-12-01T02:00:00.000Z');
    const c = await create('d8Supervisor', { leadAgencyCode: 'XPCC-D8', coAgencyCodes: ['652300'], title: '兵地联合推进乌—昌—石区域大气污染同防同治' });
    expect(c.supervisingAgencyCode).toBe('XPCC');
    for (const who of ['d8Supervisor', 'd8Inspector', 'corpsTop', 'changjiPrefSupervisor', 'regionTop', 'admin', 'intake'])
      expect((await get(who, c.id)).statusCode, who).toBe(200);
    for (const who of ['urumqiSupervisor', 'changjiInspector', 'd6Supervisor', 'partner']) expect((await get(who, c.id)).statusCode, who).toBe(404);
    expect((await act('changjiPrefSupervisor', c.id, 'progress', { periodEnd: '2026-12-01', status: 'on_track', text: 'x' })).statusCode).toBe(403);
    // The list shows exactly what GET shows; events follow the same rule.
    const listed = async (who: string) => ((await t.req(who, 'GET', '/v1/rectification-tasks?limit=100')).json().items as { id: string }[]).map((x) => x.id);
    expect(await listed('changjiPrefSupervisor')).toContain(c.id);
    expect(await listed('urumqiSupervisor')).not.toContain(c.id);
    const feed = async (who: string) =>
      ((await t.req(who, 'GET', '/v1/events?types=rectification_task.*&limit=500')).json().items as { subject: string }[]).map((e) => e.subject);
    expect(await feed('changjiPrefSupervisor')).toContain(`rectification-tasks/${c.id}`);
    expect(await feed('urumqiSupervisor')).not.toContain(`rectification-tasks/${c.id}`);
    expect(await feed('changjiInspector')).not.toContain(`rectification-tasks/${c.id}`);
  });

  it('refuses bad input and changes nothing', async () => {
    t.clock.set('2026-12-01T02:00:00.000Z');
    const bad = async (body: Record<string, unknown>, label = 'changjiSupervisor') => t.req(label, 'POST', '/v1/rectification-tasks', task(body));
    expect((await bad({ dueOn: '2026-11-30' })).json().errors[0].field).toBe('body/dueOn');
    expect((await bad({ leadAgencyCode: 'NOPE' })).json().errors[0].field).toBe('body/leadAgencyCode');
    expect((await bad({ supervisingAgencyCode: '652301' })).json().errors[0].field).toBe('body/supervisingAgencyCode');
    expect((await bad({ milestones: [{ title: '阶段一', dueOn: '2027-02-28' }] })).json().errors[0].field).toBe('body/milestones/0/dueOn');
    expect((await bad({ kind: 'soon' })).statusCode).toBe(400);
    expect((await bad({ leadAgencyCode: '650000' })).json().rule).toBe('task-create');
    const c = await create('changjiSupervisor');
    expect((await bad({ code: c.code })).statusCode).toBe(409);
    const before = (t.app.deps.db.$client.prepare('SELECT COUNT(*) AS n FROM rectification_tasks').get() as { n: number }).n;
    const imp = await t.req('admin', 'POST', '/v1/rectification-tasks/import', {
      tasks: [task({ code: 'imp-1' }), task({ code: 'imp-2', dueOn: '2020-01-01' })],
    });
    expect(imp.statusCode).toBe(400);
    expect(imp.json().errors[0].field).toBe('body/tasks/1/dueOn');
    expect((t.app.deps.db.$client.prepare('SELECT COUNT(*) AS n FROM rectification_tasks').get() as { n: number }).n).toBe(before);
    const ok = await t.req('admin', 'POST', '/v1/rectification-tasks/import', { tasks: [task({ code: 'imp-1' }), task({ code: 'imp-2' })] });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().created).toBe(2);
  });
});

describe('demo ledger', () => {
  it('holds the 25 key measures of section 四 of the plan, once', async () => {
    const { makeApp } = await import('../support/app.js');
    const { seedDemoLedger } = await import('../../src/ledger/demo.js');
    const t = await makeApp({ env: { SEED_DEMO: 'true' } });
    try {
      expect(seedDemoLedger(t.app.deps.db, t.app.deps)).toBe(25);
      expect(seedDemoLedger(t.app.deps.db, t.app.deps)).toBe(0);
      const r = await t.app.inject({ url: '/v1/rectification-tasks?limit=100', headers: t.auth(t.admin) });
      const items = r.json().items as { code: string; coAgencyCodes: string[]; title: string }[];
      expect(items.map((x) => x.code)).toEqual(Array.from({ length: 25 }, (_, i) => `四-${i + 1}`));
      expect(items.find((x) => x.code === '四-7')).toMatchObject({ title: '加强兵地联合监督执法', coAgencyCodes: ['XPCC'] });
    } finally {
      await t.close();
    }
  });
});
