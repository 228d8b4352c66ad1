import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { inspections } from '../../src/inspections/tables.js';
import { DEMO_INSPECTORS, DEMO_SOURCES } from '../../src/reference/demo.js';
import { commitAndReveal, commitmentOf, createPlan, inspectionApp, planBody, secretOf, type InspectionTest } from './helpers.js';

const sideOfOfficer = new Map(DEMO_INSPECTORS.map((o) => [o.id, o.agencyCode.startsWith('XPCC') ? 'corps' : 'region']));
const sideOfSource = new Map(DEMO_SOURCES.map((s) => [s.id, s.side]));

describe('random inspections: rules', () => {
  let t: InspectionTest;
  beforeAll(async () => {
    t = await inspectionApp();
  });
  afterAll(() => t.close());

  it('bad plans get 400 naming the field: ratios outside [0, 1], inspectorsPerTarget < 2, unknown item, wrong parties', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ratios: { key: 1.2, special: 0.1, general: 0.1 } }, 'body/ratios/key'],
      [{ ratios: { key: 0.2, special: -0.1, general: 0.1 } }, 'body/ratios/special'],
      [{ inspectorsPerTarget: 1 }, 'body/inspectorsPerTarget'],
      [{ itemCodes: ['AIR-01', 'NOPE-9'] }, 'body/itemCodes/1'],
      [{ parties: ['652300', '650000'] }, 'body/parties'],
      [{ parties: ['652301', '650100'] }, 'body/parties'],
      [{ mode: 'cross', parties: ['652301', 'XPCC-D8'] }, 'body/parties'],
      [{ period: { from: '2026-05-01', to: '2026-04-01' } }, 'body/period/to'],
      [{ scope: { agencyCode: '650100' } }, 'body/scope/agencyCode'],
    ];
    for (const [over, field] of cases) {
      const r = await t.req('changjiSupervisor', 'POST', '/v1/inspection-plans', planBody(over));
      expect(r.statusCode, `${field}: ${r.body}`).toBe(400);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await t.req('urumqiSupervisor', 'POST', '/v1/inspection-plans', planBody())).statusCode).toBe(403);
    expect((await t.req('admin', 'GET', '/v1/inspection-plans')).json().items).toEqual([]);
  });

  it('commitments and reveals: not a party → 403; twice → 409; a reveal not matching its commitment → 409 and nothing changes', async () => {
    const plan = await createPlan(t, 'changjiSupervisor', { name: 'commit rules' });
    const url = `/v1/inspection-plans/${plan.id}`;
    const c1 = commitmentOf(secretOf('a'));
    // An agency that is not a party, and a party's code used by another agency's supervisor.
    const notParty = await t.req('urumqiSupervisor', 'POST', `${url}/commitments`, { agencyCode: '650100', commitment: c1 });
    expect(notParty.statusCode, notParty.body).toBe(403);
    expect(notParty.json().detail).toMatch(/not a party/);
    expect((await t.req('changjiPrefSupervisor', 'POST', `${url}/commitments`, { agencyCode: '652301', commitment: c1 })).statusCode).toBe(403);
    expect((await t.req('changjiSupervisor', 'POST', `${url}/commitments`, { agencyCode: '652301', commitment: 'ABC' })).statusCode).toBe(400);
    expect((await t.req('changjiSupervisor', 'POST', `${url}/commitments`, { agencyCode: '652301', commitment: c1 })).statusCode).toBe(200);
    expect((await t.req('changjiSupervisor', 'POST', `${url}/commitments`, { agencyCode: '652301', commitment: c1 })).json().type).toMatch(/already-committed/);
    expect((await t.req('changjiPrefSupervisor', 'POST', `${url}/commitments`, { agencyCode: '652300', commitment: c1 })).json().type).toMatch(
      /duplicate-commitment/,
    );
    // Reveals wait for every commitment.
    expect((await t.req('changjiSupervisor', 'POST', `${url}/reveals`, { agencyCode: '652301', secret: secretOf('a') })).json().type).toMatch(
      /not-all-committed/,
    );
    expect(
      (await t.req('changjiPrefSupervisor', 'POST', `${url}/commitments`, { agencyCode: '652300', commitment: commitmentOf(secretOf('b')) })).statusCode,
    ).toBe(200);
    const frozen = (await t.req('changjiSupervisor', 'GET', url)).json();
    expect(frozen.status).toBe('revealing');
    expect(frozen.inputHash).toMatch(/^[0-9a-f]{64}$/);

    const wrong = await t.req('changjiSupervisor', 'POST', `${url}/reveals`, { agencyCode: '652301', secret: secretOf('not-a') });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().type).toMatch(/reveal-mismatch/);
    const after = (await t.req('changjiSupervisor', 'GET', url)).json();
    expect(after.version).toBe(frozen.version);
    expect(after.parties.find((p: { agencyCode: string }) => p.agencyCode === '652301').revealed).toBe(false);
    expect((await t.req('urumqiSupervisor', 'POST', `${url}/reveals`, { agencyCode: '650100', secret: secretOf('a') })).statusCode).toBe(403);

    expect((await t.req('changjiPrefSupervisor', 'POST', `${url}/reveals`, { agencyCode: '652300', secret: secretOf('b') })).statusCode).toBe(200);
    // Until the draw nobody, not even the plan agency, sees another party's secret.
    const mid = (await t.req('changjiSupervisor', 'GET', url)).json();
    expect(mid.parties.map((p: { revealed: boolean; secret?: string | null }) => [p.revealed, p.secret ?? null])).toEqual([
      [false, null],
      [true, null],
    ]);
    expect((await t.req('changjiPrefSupervisor', 'POST', `${url}/reveals`, { agencyCode: '652300', secret: secretOf('b') })).json().type).toMatch(
      /already-revealed/,
    );
    const last = await t.req('changjiSupervisor', 'POST', `${url}/reveals`, { agencyCode: '652301', secret: secretOf('a') });
    expect(last.statusCode, last.body).toBe(200);
    expect(last.json().status).toBe('drawn');
    expect(last.json().parties.map((p: { secret: string }) => p.secret)).toEqual([secretOf('a'), secretOf('b')]);
  });

  it('a plan is drawn exactly once: any commitment or reveal after the draw → 409 and the drawn list does not change', async () => {
    const plan = await createPlan(t, 'changjiSupervisor', { name: 'drawn once' });
    expect(
      (
        await commitAndReveal(t, plan.id, [
          ['652301', 'changjiSupervisor'],
          ['652300', 'changjiPrefSupervisor'],
        ])
      ).statusCode,
    ).toBe(200);
    const before = t.app.deps.db.select().from(inspections).where(eq(inspections.planId, plan.id)).all();
    expect(before.length).toBe(4);
    const url = `/v1/inspection-plans/${plan.id}`;
    for (const [path, body] of [
      ['reveals', { agencyCode: '652300', secret: secretOf(plan.id + '652300') }],
      ['reveals', { agencyCode: '652301', secret: secretOf(plan.id + '652301') }],
      ['commitments', { agencyCode: '652300', commitment: commitmentOf(secretOf('x')) }],
    ] as const) {
      const r = await t.req(body.agencyCode === '652300' ? 'changjiPrefSupervisor' : 'changjiSupervisor', 'POST', `${url}/${path}`, body);
      expect(r.statusCode).toBe(409);
      expect(r.json().type).toMatch(/plan-drawn/);
    }
    expect(t.app.deps.db.select().from(inspections).where(eq(inspections.planId, plan.id)).all()).toEqual(before);
  });

  it('cross-side (交叉执法): every officer comes from the other side; nobody inspects his own side; a corps officer’s case is led by the source’s agency', async () => {
    const plan = await createPlan(t, 'changjiPrefSupervisor', {
      name: '兵地交叉执法抽查',
      agencyCode: '652300',
      mode: 'cross',
      parties: ['652300', 'XPCC-D8'],
      ratios: { key: 1, special: 1, general: 1 },
    });
    const last = await commitAndReveal(t, plan.id, [
      ['652300', 'changjiPrefSupervisor'],
      ['XPCC-D8', 'd8Supervisor'],
    ]);
    expect(last.statusCode, last.body).toBe(200);
    const p = (await t.req('changjiPrefSupervisor', 'GET', `/v1/inspection-plans/${plan.id}`)).json();
    expect(p.targets).toHaveLength(7);
    for (const x of p.targets) {
      expect(sideOfSource.get(x.sourceId)).toBe('region');
      for (const o of x.officers) expect(sideOfOfficer.get(o)).toBe('corps');
    }
    // The corps party sees the state, not the list.
    expect((await t.req('d8Supervisor', 'GET', `/v1/inspection-plans/${plan.id}`)).json().targets).toBeNull();
    t.clock.set('2026-03-09T02:00:00.000Z');
    await t.settle();
    const x = p.targets[0];
    const r = await t.req(x.officers[0], 'POST', `/v1/inspections/${x.inspectionId}/record`, {
      results: [
        { itemCode: 'AIR-01', result: 'non_compliant' },
        { itemCode: 'WATER-01', result: 'compliant' },
      ],
      officersPresent: x.officers,
      outcome: 'case',
      case: { title: '超标排放', category: 'air', summary: '交叉执法发现超标排放' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const c = (await t.req('admin', 'GET', `/v1/cases/${r.json().caseId}`)).json();
    expect(c).toMatchObject({ leadAgencyCode: '652301', side: 'region', origin: { kind: 'inspection' } });
    t.clock.set('2026-03-02T02:00:00.000Z');
  });

  it('joint: each target has at least one officer of each side', async () => {
    const plan = await createPlan(t, 'changjiPrefSupervisor', {
      name: '兵地联合抽查',
      agencyCode: '652300',
      mode: 'joint',
      parties: ['652300', 'XPCC-D8'],
      ratios: { key: 1, special: 1, general: 1 },
    });
    expect(
      (
        await commitAndReveal(t, plan.id, [
          ['652300', 'changjiPrefSupervisor'],
          ['XPCC-D8', 'd8Supervisor'],
        ])
      ).statusCode,
    ).toBe(200);
    const p = (await t.req('changjiPrefSupervisor', 'GET', `/v1/inspection-plans/${plan.id}`)).json();
    for (const x of p.targets) expect(new Set(x.officers.map((o: string) => sideOfOfficer.get(o)))).toEqual(new Set(['region', 'corps']));
  });

  it('records: by an officer not drawn → 403; an item not in the plan → 400; before the period → 409; others cannot see it → 404', async () => {
    const plan = await createPlan(t, 'd8Supervisor', {
      name: 'record rules',
      agencyCode: 'XPCC-D8',
      parties: ['XPCC-D8', 'XPCC'],
      period: { from: '2026-03-16', to: '2026-04-30' },
    });
    expect(
      (
        await commitAndReveal(t, plan.id, [
          ['XPCC-D8', 'd8Supervisor'],
          ['XPCC', 'corpsTop'],
        ])
      ).statusCode,
    ).toBe(200);
    const p = (await t.req('d8Supervisor', 'GET', `/v1/inspection-plans/${plan.id}`)).json();
    const x = p.targets[0];
    const body = (over: Record<string, unknown> = {}) => ({
      results: [
        { itemCode: 'AIR-01', result: 'compliant' },
        { itemCode: 'WATER-01', result: 'compliant' },
      ],
      officersPresent: x.officers,
      outcome: 'no_issue',
      ...over,
    });
    const early = await t.req('d8Supervisor', 'POST', `/v1/inspections/${x.inspectionId}/record`, body());
    expect(early.statusCode).toBe(409);
    expect(early.json().type).toMatch(/inspection-not-open/);
    t.clock.set('2026-03-16T01:00:00.000Z');
    await t.settle();
    const undrawn = DEMO_INSPECTORS.find((o) => o.agencyCode.startsWith('XPCC-D8') && !x.officers.includes(o.id))!.id;
    const r403 = await t.req(x.officers[0], 'POST', `/v1/inspections/${x.inspectionId}/record`, body({ officersPresent: [x.officers[0], undrawn] }));
    expect(r403.statusCode, r403.body).toBe(403);
    expect(r403.json().detail).toContain(undrawn);
    // The undrawn officer himself cannot see the inspection at all.
    expect((await t.req(undrawn, 'POST', `/v1/inspections/${x.inspectionId}/record`, body())).statusCode).toBe(404);
    const r400 = await t.req(
      x.officers[0],
      'POST',
      `/v1/inspections/${x.inspectionId}/record`,
      body({
        results: [
          { itemCode: 'WASTE-01', result: 'compliant' },
          { itemCode: 'AIR-01', result: 'compliant' },
        ],
      }),
    );
    expect(r400.statusCode).toBe(400);
    expect(r400.json().errors[0].field).toBe('body/results/0/itemCode');
    const one = await t.req(x.officers[0], 'POST', `/v1/inspections/${x.inspectionId}/record`, body({ officersPresent: [x.officers[0]] }));
    expect(one.statusCode).toBe(400);
    expect(one.json().errors[0].field).toMatch(/officersPresent/);
    const noCase = await t.req(x.officers[0], 'POST', `/v1/inspections/${x.inspectionId}/record`, body({ outcome: 'case' }));
    expect(noCase.json().errors[0].field).toBe('body/case');
    expect(t.app.deps.db.select().from(inspections).where(eq(inspections.id, x.inspectionId)).get()!.status).toBe('open');
    for (const who of ['changjiSupervisor', 'corpsTop', 'd6Supervisor'])
      expect((await t.req(who, 'GET', `/v1/inspections/${x.inspectionId}`)).statusCode).toBe(404);
    expect((await t.req('partner', 'GET', `/v1/inspections/${x.inspectionId}`)).statusCode).toBe(403); // no inspection route for partners
    expect((await t.pub(`/v1/inspections/${x.inspectionId}`)).statusCode).toBe(401);
    t.clock.set('2026-03-02T02:00:00.000Z');
  });

  it('rotation (轮换): the next plan of the same scope pairs no officer with a source he inspected in the previous one', async () => {
    const body = { name: 'rotation', ratios: { key: 1, special: 0, general: 0 }, period: { from: '2026-03-09', to: '2026-03-31' } };
    const pairs = async (id: string) =>
      (await t.req('changjiSupervisor', 'GET', `/v1/inspection-plans/${id}`))
        .json()
        .targets.flatMap((x: { sourceId: string; officers: string[] }) => x.officers.map((o) => `${o}@${x.sourceId}`));
    const first = await createPlan(t, 'changjiSupervisor', body);
    expect(
      (
        await commitAndReveal(t, first.id, [
          ['652301', 'changjiSupervisor'],
          ['652300', 'changjiPrefSupervisor'],
        ])
      ).statusCode,
    ).toBe(200);
    const before = await pairs(first.id);
    expect(before).toHaveLength(4);
    for (let round = 0; round < 3; round++) {
      const next = await createPlan(t, 'changjiSupervisor', { ...body, name: `rotation ${round}` });
      expect(
        (
          await commitAndReveal(t, next.id, [
            ['652301', 'changjiSupervisor'],
            ['652300', 'changjiPrefSupervisor'],
          ])
        ).statusCode,
      ).toBe(200);
      const p = (await t.req('changjiSupervisor', 'GET', `/v1/inspection-plans/${next.id}`)).json();
      const previous = (await t.req('changjiSupervisor', 'GET', `/v1/inspection-plans/${p.previousPlanId}`)).json();
      const prevPairs = await pairs(previous.id);
      expect(prevPairs).toHaveLength(4);
      for (const pair of await pairs(next.id)) expect(prevPairs).not.toContain(pair);
    }
  });

  it('an unsatisfiable draw leaves the plan failed and the last reveal answers 422 naming the constraint', async () => {
    // Every Changji officer's certificate runs out before the period starts.
    for (const o of DEMO_INSPECTORS.filter((x) => x.agencyCode === '652301')) {
      const cur = await t.req('changjiSupervisor', 'GET', `/v1/inspectors/${o.id}`);
      const r = await t.req(
        'changjiSupervisor',
        'PATCH',
        `/v1/inspectors/${o.id}`,
        { certificateValidUntil: '2026-03-31' },
        { 'if-match': cur.headers.etag as string },
      );
      expect(r.statusCode, r.body).toBe(200);
    }
    const plan = await createPlan(t, 'changjiSupervisor', { name: 'unsatisfiable', period: { from: '2026-04-01', to: '2026-04-30' } });
    const last = await commitAndReveal(t, plan.id, [
      ['652301', 'changjiSupervisor'],
      ['652300', 'changjiPrefSupervisor'],
    ]);
    expect(last.statusCode, last.body).toBe(422);
    expect(last.json()).toMatchObject({ type: expect.stringMatching(/draw-unsatisfiable/), constraint: 'certificate', planStatus: 'failed' });
    const p = (await t.req('changjiSupervisor', 'GET', `/v1/inspection-plans/${plan.id}`)).json();
    expect(p).toMatchObject({ status: 'failed', failure: { constraint: 'certificate' }, targets: null });
    expect(t.app.deps.db.select().from(inspections).where(eq(inspections.planId, plan.id)).all()).toEqual([]);
    // Drawn once: even a failed plan takes no further reveal.
    expect(
      (await t.req('changjiSupervisor', 'POST', `/v1/inspection-plans/${plan.id}/reveals`, { agencyCode: '652301', secret: secretOf(plan.id + '652301') }))
        .statusCode,
    ).toBe(409);
  });

  it('roster and conflicts: visible only to its agency’s supervisors (and above) and admins; a declared conflict keeps the officer off that source', async () => {
    expect((await t.req('urumqiSupervisor', 'GET', '/v1/inspectors/insp-652301-01')).statusCode).toBe(404);
    expect((await t.req('d8Supervisor', 'GET', '/v1/inspectors?agencyCode=652301')).json().items).toEqual([]);
    expect((await t.req('regionTop', 'GET', '/v1/inspectors/insp-652301-01')).statusCode).toBe(200);
    expect((await t.req('insp-652301-01', 'GET', '/v1/inspectors/insp-652301-01')).statusCode).toBe(403);
    // A roster entry links only an inspector key of its own agency.
    const cur = await t.req('changjiSupervisor', 'GET', '/v1/inspectors/insp-652301-02');
    const corpsKey = (await t.req('admin', 'GET', '/v1/inspectors/insp-xpcc-d8-01')).json().keyId;
    for (const keyId of ['nope', corpsKey])
      expect(
        (await t.req('changjiSupervisor', 'PATCH', '/v1/inspectors/insp-652301-02', { keyId }, { 'if-match': cur.headers.etag as string })).json().errors[0]
          .field,
      ).toBe('body/keyId');
    // Every D8 officer but one declares a conflict with src-xpcc-d8-01; that one must then inspect it.
    const d8 = DEMO_INSPECTORS.filter((o) => o.agencyCode.startsWith('XPCC-D8'));
    const free = ['insp-xpcc-d8-02', 'insp-xpcc-d8-03'];
    for (const o of d8.filter((x) => !free.includes(x.id))) {
      const r = await t.req(o.id, 'POST', `/v1/inspectors/${o.id}/conflicts`, { sourceId: 'src-xpcc-d8-01', reason: '亲属在该企业任职' });
      expect(r.statusCode, r.body).toBe(201);
    }
    expect((await t.req('insp-xpcc-d8-02', 'POST', '/v1/inspectors/insp-xpcc-d8-03/conflicts', { sourceId: 'src-xpcc-d8-01', reason: 'x' })).statusCode).toBe(
      404,
    );
    // Its own scope (air only), so no earlier plan's pairs rotate anyone out.
    const plan = await createPlan(t, 'd8Supervisor', {
      name: 'conflicts',
      agencyCode: 'XPCC-D8',
      parties: ['XPCC-D8', 'XPCC'],
      ratios: { key: 1, special: 0, general: 0 },
      scope: { categories: ['air'] },
      itemCodes: ['AIR-01'],
    });
    expect(plan.previousPlanId).toBeNull();
    expect(
      (
        await commitAndReveal(t, plan.id, [
          ['XPCC-D8', 'd8Supervisor'],
          ['XPCC', 'corpsTop'],
        ])
      ).statusCode,
    ).toBe(200);
    const p = (await t.req('d8Supervisor', 'GET', `/v1/inspection-plans/${plan.id}`)).json();
    const target = p.targets.find((x: { sourceId: string }) => x.sourceId === 'src-xpcc-d8-01');
    expect([...target.officers].sort()).toEqual(free);
  });
});
