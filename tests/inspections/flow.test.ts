import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { events } from '../../src/outbox/tables.js';
import { verifyDrawRecord } from '../../src/inspections/draw.js';
import { DEMO_INSPECTORS, DEMO_SOURCES } from '../../src/reference/demo.js';
import { commitAndReveal, createPlan, inspectionApp, type InspectionTest } from './helpers.js';

const officerSide = new Map(DEMO_INSPECTORS.map((o) => [o.id, o.agencyCode.startsWith('XPCC') ? 'corps' : 'region']));
const officerTeam = new Map(DEMO_INSPECTORS.map((o) => [o.id, o.teamId]));
const sourceById = new Map(DEMO_SOURCES.map((s) => [s.id, s]));

describeModes('random inspections: a full plan on both sides, from commitments to public results', (mode) => {
  let t: InspectionTest;
  const plans: Record<'region' | 'corps', { id: string; targets: { inspectionId: string; sourceId: string; class: string; officers: string[] }[] }> =
    {} as never;
  beforeAll(async () => {
    t = await inspectionApp(mode);
  });
  afterAll(() => t.close());

  it('both sides commit, the pools freeze, the last reveal draws: targets per class by ratio, two officers each, even load', async () => {
    const region = await createPlan(t, 'changjiSupervisor');
    expect(region.status).toBe('committing');
    const corps = await createPlan(t, 'd8Supervisor', { name: '2026年春季第八师石河子市双随机抽查', agencyCode: 'XPCC-D8', parties: ['XPCC-D8', 'XPCC'] });
    for (const [plan, parties] of [
      [
        region,
        [
          ['652301', 'changjiSupervisor'],
          ['652300', 'changjiPrefSupervisor'],
        ],
      ],
      [
        corps,
        [
          ['XPCC-D8', 'd8Supervisor'],
          ['XPCC', 'corpsTop'],
        ],
      ],
    ] as const) {
      const last = await commitAndReveal(t, plan.id, parties as unknown as [string, string][]);
      expect(last.statusCode, last.body).toBe(200);
    }
    for (const [side, plan, label] of [
      ['region', region, 'changjiSupervisor'],
      ['corps', corps, 'd8Supervisor'],
    ] as const) {
      const p = (await t.req(label, 'GET', `/v1/inspection-plans/${plan.id}`)).json();
      expect(p.status).toBe('drawn');
      expect(p.poolSizes).toEqual({ key: 2, special: 2, general: 3, officers: side === 'region' ? 4 : 5 });
      // ⌈0.5×2⌉ = 1 key, ⌈0.5×2⌉ = 1 special, ⌈0.34×3⌉ = 2 general.
      expect(p.targets.map((x: { class: string }) => x.class)).toEqual(['key', 'special', 'general', 'general']);
      expect(p.seed).toMatch(/^[0-9a-f]{64}$/);
      for (const target of p.targets) {
        expect(new Set(target.officers).size).toBe(2);
        for (const o of target.officers) expect(officerSide.get(o)).toBe(side);
        expect(sourceById.get(target.sourceId)!.side).toBe(side);
      }
      const load = new Map<string, number>();
      for (const x of p.targets) for (const o of x.officers) load.set(o, (load.get(o) ?? 0) + 1);
      const loads = [...load.values()];
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
      plans[side] = p;
    }
  });

  it('before the period starts the list is confidential: other supervisors, the parties, officers and the public see no target', async () => {
    const { id, targets } = plans.region;
    expect((await t.req('urumqiSupervisor', 'GET', `/v1/inspection-plans/${id}`)).statusCode).toBe(404);
    expect((await t.req('d8Supervisor', 'GET', `/v1/inspection-plans/${id}`)).statusCode).toBe(404);
    const party = (await t.req('changjiPrefSupervisor', 'GET', `/v1/inspection-plans/${id}`)).json();
    expect(party.status).toBe('drawn');
    expect(party.targets).toBeNull();
    const officer = targets[0].officers[0];
    expect((await t.req(officer, 'GET', `/v1/inspections/${targets[0].inspectionId}`)).statusCode).toBe(404);
    expect((await t.req(officer, 'GET', '/v1/inspections')).json().items).toEqual([]);
    for (const who of ['urumqiSupervisor', 'changjiPrefSupervisor', 'd8Supervisor'])
      expect((await t.req(who, 'GET', `/v1/inspections/${targets[0].inspectionId}`)).statusCode).toBe(404);
    const pub = (await t.pub(`/v1/public/inspection-plans/${id}`)).json();
    expect(pub).toMatchObject({ status: 'drawn', periodEnded: false, targets: null, seed: null, drawRecordUrl: null });
    expect(pub.parties.every((p: { commitment: string; secret?: string }) => /^[0-9a-f]{64}$/.test(p.commitment) && p.secret === undefined)).toBe(true);
    expect((await t.pub(`/v1/public/inspection-plans/${id}/draw-record`)).statusCode).toBe(404);
    expect((await t.pub(`/v1/public/inspection-results?planId=${id}`)).json().items).toEqual([]);
    // Events name no source before publication.
    const leaked = t.app.deps.db
      .select()
      .from(events)
      .all()
      .filter((e) => e.type.startsWith('inspection') && DEMO_SOURCES.some((s) => JSON.stringify(e.data).includes(s.id)));
    expect(leaked).toEqual([]);
  });

  it('at the period start each inspection is assigned to its officers’ teams, due at the period’s end; each officer sees only his own', async () => {
    t.clock.set('2026-03-08T16:00:00.000Z'); // 2026-03-09 00:00 China time
    await t.settle();
    for (const side of ['region', 'corps'] as const) {
      for (const target of plans[side].targets) {
        const a = (await t.req('admin', 'GET', `/v1/assignments?subjectKind=inspection&subjectId=${target.inspectionId}`)).json().items;
        expect(a.length).toBeGreaterThanOrEqual(1);
        const teams = new Set(target.officers.map((o) => officerTeam.get(o)));
        expect(new Set(a.map((x: { teamId: string }) => x.teamId))).toEqual(teams);
        expect(a.every((x: { dueAt: string; side: string }) => x.dueAt === '2026-04-30T16:00:00.000Z' && x.side === side)).toBe(true);
        expect(a.filter((x: { role: string }) => x.role === 'lead')).toHaveLength(1);
      }
    }
    // Events follow the same visibility: the plan agency and the drawn teams, no other agency.
    const feed = async (label: string) => (await t.req(label, 'GET', '/v1/events?types=inspection.*,inspection_plan.*&limit=500')).json().items;
    expect(await feed('urumqiSupervisor')).toEqual([]);
    expect(await feed('d6Supervisor')).toEqual([]);
    const mineOpened = (await feed(plans.region.targets[0].officers[0])).filter((e: { type: string }) => e.type === 'inspection.opened');
    expect(mineOpened.length).toBeGreaterThan(0);
    expect((await t.req('admin', 'GET', '/v1/event-types')).json().items.map((x: { type: string }) => x.type)).toEqual(
      expect.arrayContaining([
        'inspection_plan.committed',
        'inspection_plan.frozen',
        'inspection_plan.drawn',
        'inspection_plan.failed',
        'inspection.opened',
        'inspection.recorded',
        'inspection.published',
        'inspection.publication_overdue',
      ]),
    );
    const all = [...plans.region.targets, ...plans.corps.targets];
    for (const o of DEMO_INSPECTORS) {
      const mine = (await t.req(o.id, 'GET', '/v1/inspections'))
        .json()
        .items.map((i: { id: string }) => i.id)
        .sort();
      expect(mine).toEqual(
        all
          .filter((x) => x.officers.includes(o.id))
          .map((x) => x.inspectionId)
          .sort(),
      );
      const notMine = all.find((x) => !x.officers.includes(o.id));
      if (notMine) expect((await t.req(o.id, 'GET', `/v1/inspections/${notMine.inspectionId}`)).statusCode).toBe(404);
    }
  });

  it('records by drawn officers: a case outcome registers a case with origin inspection, linked, in the same transaction', async () => {
    t.clock.set('2026-03-10T03:00:00.000Z');
    const [first, second] = plans.region.targets;
    const rec = await t.req(first.officers[0], 'POST', `/v1/inspections/${first.inspectionId}/record`, {
      results: [
        { itemCode: 'AIR-01', result: 'non_compliant', note: '除尘设施未运行' },
        { itemCode: 'WATER-01', result: 'compliant' },
      ],
      officersPresent: first.officers,
      evidence: ['photo-0001'],
      outcome: 'case',
      case: { title: '除尘设施未正常运行', category: 'air', summary: '双随机抽查发现除尘设施未运行。' },
    });
    expect(rec.statusCode, rec.body).toBe(200);
    const i = rec.json();
    expect(i).toMatchObject({ status: 'recorded', outcome: 'case', inspectionDate: '2026-03-10' });
    const c = (await t.req('admin', 'GET', `/v1/cases/${i.caseId}`)).json();
    expect(c).toMatchObject({ origin: { kind: 'inspection' }, sourceId: first.sourceId, leadAgencyCode: '652301' });
    // The inspection's assignments are completed on the teams' work lists.
    const a = (await t.req('admin', 'GET', `/v1/assignments?subjectKind=inspection&subjectId=${first.inspectionId}`)).json().items;
    expect(a.map((x: { status: string }) => x.status)).toEqual(a.map(() => 'completed'));

    const rec2 = await t.req(second.officers[1], 'POST', `/v1/inspections/${second.inspectionId}/record`, {
      results: [
        { itemCode: 'AIR-01', result: 'compliant' },
        { itemCode: 'WATER-01', result: 'non_compliant', note: '排放口标识不清' },
      ],
      officersPresent: second.officers,
      outcome: 'rectify',
      rectification: { dueOn: '2026-04-10', requirement: '规范设置排放口标识' },
    });
    expect(rec2.statusCode, rec2.body).toBe(200);
    const c8 = plans.corps.targets[0];
    const rec3 = await t.req(c8.officers[0], 'POST', `/v1/inspections/${c8.inspectionId}/record`, {
      results: [
        { itemCode: 'AIR-01', result: 'compliant' },
        { itemCode: 'WATER-01', result: 'not_applicable' },
      ],
      officersPresent: c8.officers,
      outcome: 'no_issue',
    });
    expect(rec3.statusCode, rec3.body).toBe(200);
  });

  it('a supervisor approves: the result is public with source name, credit code, date, outcome and non-compliant items; the disclosure rate follows', async () => {
    const [first] = plans.region.targets;
    expect((await t.req(first.officers[0], 'POST', `/v1/inspections/${first.inspectionId}/approve`)).statusCode).toBe(403);
    const ok = await t.req('changjiSupervisor', 'POST', `/v1/inspections/${first.inspectionId}/approve`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await t.req('changjiSupervisor', 'POST', `/v1/inspections/${first.inspectionId}/approve`)).statusCode).toBe(409);
    const res = (await t.pub(`/v1/public/inspection-results?planId=${plans.region.id}`)).json().items;
    const s = sourceById.get(first.sourceId)!;
    expect(res).toEqual([
      expect.objectContaining({
        inspectionId: first.inspectionId,
        sourceName: s.name,
        creditCode: s.creditCode,
        inspectionDate: '2026-03-10',
        outcome: 'case',
        outcomeLabel: '立案查处',
        nonCompliantItems: [{ itemCode: 'AIR-01', name: '大气污染防治设施运行情况', note: '除尘设施未运行' }],
      }),
    ]);
    // Chinese by default; English when asked for; the codes are the same either way.
    const en = await t.app.inject({
      url: `/v1/public/inspection-results?planId=${plans.region.id}`,
      headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' },
    });
    expect(en.headers['content-language']).toBe('en');
    expect(en.json().items[0]).toMatchObject({ outcome: 'case', outcomeLabel: 'Case opened' });
    expect(JSON.stringify(res)).not.toMatch(/officer|insp-|王建国|李娜/);
    // Published: now visible to other supervisors through the public results only.
    const pub = (await t.pub(`/v1/public/inspection-plans/${plans.region.id}`)).json();
    expect(pub.disclosure).toEqual({ inspected: 2, published: 1, rate: 0.5, overdue: 0 });
    const ev = t.app.deps.db
      .select()
      .from(events)
      .where(eq(events.subject, `inspections/${first.inspectionId}`))
      .all()
      .map((e) => e.type);
    expect(ev).toEqual(['inspection.opened', 'inspection.recorded', 'inspection.published']);
  });

  it('after the period the draw is public and the published record re-runs to the same draw', async () => {
    t.clock.set('2026-04-30T16:00:00.000Z');
    await t.settle();
    for (const side of ['region', 'corps'] as const) {
      const pub = (await t.pub(`/v1/public/inspection-plans/${plans[side].id}`)).json();
      expect(pub.periodEnded).toBe(true);
      const seed = (await t.req('admin', 'GET', `/v1/inspection-plans/${plans[side].id}`)).json().seed;
      expect(pub.seed).toBe(seed);
      expect(pub.parties.every((p: { secret: string }) => /^[0-9a-f]{64}$/.test(p.secret))).toBe(true);
      expect(pub.targets.map((x: { sourceId: string }) => x.sourceId)).toEqual(plans[side].targets.map((x) => x.sourceId));
      const rec = await t.pub(pub.drawRecordUrl);
      expect(rec.statusCode).toBe(200);
      const report = verifyDrawRecord(JSON.parse(rec.body));
      expect(report.ok, JSON.stringify(report.checks)).toBe(true);
      expect(rec.body).not.toMatch(/王建国|刘强|certificateNo|keyId/);
    }
  });
});
