import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { caseApp, createCase, walk, type CaseTest } from './helpers.js';
import { dailyPenalty, lastDayOfMonths, rectificationPlanDueOn } from '../../src/cases/limits.js';
import { addWorkingDays } from '../../src/calendar.js';
import { loadConfig } from '../../src/config.js';
import { events } from '../../src/outbox/tables.js';

const limits = loadConfig({}).caseLimits;

describe('legal limits as pure rules (worked examples)', () => {
  it('daily penalty: days from the day after service to the re-inspection day, inclusive; total = fine × days', () => {
    // Served Mon 2 March, re-inspected 12 March: 3…12 March = 10 days.
    expect(dailyPenalty({ originalFineFen: 2_000_000, correctionServedOn: '2026-03-02', reinspectedOn: '2026-03-12' }, limits)).toEqual({
      days: 10,
      totalFen: 20_000_000,
    });
    // Across February (2026 is not a leap year): 28 Feb, 1 and 2 March = 3 days.
    expect(dailyPenalty({ originalFineFen: 150_000, correctionServedOn: '2026-02-27', reinspectedOn: '2026-03-02' }, limits)).toEqual({
      days: 3,
      totalFen: 450_000,
    });
    // Leap year 2028: 28, 29 Feb, 1 March = 3 days.
    expect(dailyPenalty({ originalFineFen: 1, correctionServedOn: '2028-02-27', reinspectedOn: '2028-03-01' }, limits)).toEqual({ days: 3, totalFen: 3 });
    // The next day: 1 day. The 30th day after service: 30 days (the limit).
    expect(dailyPenalty({ originalFineFen: 100, correctionServedOn: '2026-03-02', reinspectedOn: '2026-03-03' }, limits).days).toBe(1);
    expect(dailyPenalty({ originalFineFen: 100, correctionServedOn: '2026-03-02', reinspectedOn: '2026-04-01' }, limits)).toEqual({ days: 30, totalFen: 3000 });
    expect(() => dailyPenalty({ originalFineFen: 100, correctionServedOn: '2026-03-02', reinspectedOn: '2026-04-02' }, limits)).toThrow(
      /reinspection_within_days/,
    );
  });

  it('working days skip weekends (rectification plan: 15 working days after service)', () => {
    expect(addWorkingDays('2026-03-02', 1)).toBe('2026-03-03');
    expect(addWorkingDays('2026-03-06', 1)).toBe('2026-03-09'); // Friday → Monday
    expect(rectificationPlanDueOn('2026-03-02', limits)).toBe('2026-03-23'); // Mon + 15 working days
    expect(rectificationPlanDueOn('2026-03-06', limits)).toBe('2026-03-27'); // Fri
    expect(rectificationPlanDueOn('2026-03-07', limits)).toBe('2026-03-27'); // Sat: Mon 9th is day 1
  });

  it('month periods end the day before the same date N months on (clamped to month end)', () => {
    expect(lastDayOfMonths('2026-03-02', 3)).toBe('2026-06-01');
    expect(lastDayOfMonths('2026-11-30', 3)).toBe('2027-02-27'); // 28 Feb 2027 − 1
    expect(lastDayOfMonths('2026-01-01', 3)).toBe('2026-03-31');
  });
});

describe('measures over HTTP', () => {
  let t: CaseTest;
  let caseId: string;
  beforeAll(async () => {
    t = await caseApp();
    caseId = (await createCase(t)).id;
    // penalties are decided at pending_decision (行政处罚法 arts. 44–45, 57)
    await walk(t, caseId, ['investigating', 'pending_decision']);
  });
  afterAll(() => t.close());

  const add = (body: Record<string, unknown>, label = 'changjiInspector', id = caseId) => t.req(label, 'POST', `/v1/cases/${id}/measures`, body);
  const expectLimit = async (body: Record<string, unknown>, rule: string, limit: unknown, id = caseId) => {
    const r = await add(body, 'changjiInspector', id);
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json()).toMatchObject({ rule, limit });
    expect(r.json().detail).toContain(rule);
    expect(r.json().detail).toContain(String(limit));
    return r;
  };
  const expectField = async (body: Record<string, unknown>, field: string) => {
    const r = await add(body);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().errors.map((e: { field: string }) => e.field)).toContain(field);
  };

  it('warning', async () => {
    const r = await add({ type: 'warning', description: '责令改正' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ type: 'warning', status: 'active', amountFen: null, description: '责令改正' });
  });

  it('fine: integer fen ≥ 1 with a legal basis; the event carries type and amount', async () => {
    const r = await add({ type: 'fine', amountFen: 5_000_000, legalBasis: '大气污染防治法 第九十九条' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ type: 'fine', amountFen: 5_000_000, legalBasis: '大气污染防治法 第九十九条' });
    const ev = t.app.deps.db.select().from(events).where(eq(events.type, 'case.measure_added')).all().at(-1)!;
    expect(ev.data).toMatchObject({ id: caseId, measureType: 'fine', amountFen: 5_000_000, measureId: r.json().id });
    await expectField({ type: 'fine', amountFen: 0, legalBasis: 'x' }, 'body/amountFen');
    await expectField({ type: 'fine', amountFen: -100, legalBasis: 'x' }, 'body/amountFen');
    await expectField({ type: 'fine', amountFen: 10.5, legalBasis: 'x' }, 'body/amountFen');
    await expectField({ type: 'fine', amountFen: 100 }, 'body/legalBasis');
    await expectField({ type: 'fine', legalBasis: 'x' }, 'body/amountFen');
    await expectField({ type: 'fine', amountFen: 100, legalBasis: 'x', startsOn: '2026-03-02' }, 'body/startsOn');
  });

  it('daily penalty: days and total computed; re-inspection after 30 days → 422; days/total sent → 400', async () => {
    const r = await add({
      type: 'daily_penalty',
      originalFineFen: 2_000_000,
      correctionServedOn: '2026-03-02',
      reinspectedOn: '2026-03-12',
      legalBasis: '环境保护法 第五十九条',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ days: 10, totalFen: 20_000_000, amountFen: 20_000_000, originalFineFen: 2_000_000 });
    const edge = await add({ type: 'daily_penalty', originalFineFen: 100, correctionServedOn: '2026-03-02', reinspectedOn: '2026-04-01' });
    expect(edge.json()).toMatchObject({ days: 30, totalFen: 3000 });
    await expectLimit(
      { type: 'daily_penalty', originalFineFen: 100, correctionServedOn: '2026-03-02', reinspectedOn: '2026-04-02' },
      'daily_penalty.reinspection_within_days_of_service',
      30,
    );
    await expectField({ type: 'daily_penalty', originalFineFen: 100, correctionServedOn: '2026-03-02', reinspectedOn: '2026-03-12', days: 10 }, 'body/days');
    await expectField(
      { type: 'daily_penalty', originalFineFen: 100, correctionServedOn: '2026-03-02', reinspectedOn: '2026-03-12', totalFen: 1000 },
      'body/totalFen',
    );
    await expectField({ type: 'daily_penalty', originalFineFen: 100, correctionServedOn: '2026-03-12', reinspectedOn: '2026-03-12' }, 'body/reinspectedOn');
    await expectField({ type: 'daily_penalty', originalFineFen: 100, correctionServedOn: '2026-03-12', reinspectedOn: '2026-03-02' }, 'body/reinspectedOn');
    await expectField({ type: 'daily_penalty', originalFineFen: -1, correctionServedOn: '2026-03-02', reinspectedOn: '2026-03-12' }, 'body/originalFineFen');
    await expectField(
      { type: 'daily_penalty', originalFineFen: 100, correctionServedOn: '2026-02-30', reinspectedOn: '2026-03-12' },
      'body/correctionServedOn',
    );
  });

  it('seal/seizure ≤ 30 days; one extension ≤ 30 days', async () => {
    const ok = await add({ type: 'seal_seizure', startsOn: '2026-03-02', endsOn: '2026-03-31', description: '查封锅炉' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ durationDays: 30, endsOn: '2026-03-31' });
    await expectLimit({ type: 'seal_seizure', startsOn: '2026-03-02', endsOn: '2026-04-01' }, 'seal_seizure.max_days', 30);
    await expectField({ type: 'seal_seizure', startsOn: '2026-03-02', endsOn: '2026-03-01' }, 'body/endsOn');
    await expectField({ type: 'seal_seizure', startsOn: '2026-03-02' }, 'body/endsOn');
    const mid = ok.json().id;
    const ext = (body: Record<string, unknown>) =>
      t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/measures/${mid}/extend`, { reason: 'complicated case', approvedBy: '局长 王某', ...body });
    const tooLong = await ext({ newEndsOn: '2026-05-01' });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json()).toMatchObject({ rule: 'seal_seizure.extension_max_days', limit: 30 });
    const backwards = await ext({ newEndsOn: '2026-03-30' });
    expect(backwards.statusCode).toBe(400);
    const e1 = await ext({ newEndsOn: '2026-04-30' });
    expect(e1.statusCode, e1.body).toBe(200);
    expect(e1.json()).toMatchObject({
      endsOn: '2026-04-30',
      originalEndsOn: '2026-03-31',
      extensionCount: 1,
      extension: { days: 30, newEndsOn: '2026-04-30' },
    });
    const e2 = await ext({ newEndsOn: '2026-05-02' });
    expect(e2.statusCode).toBe(422);
    expect(e2.json().rule).toBe('seal_seizure.one_extension');
  });

  it('production restriction ≤ 3 months; one extension ≤ 3 months', async () => {
    const ok = await add({ type: 'production_restriction', startsOn: '2026-03-02', endsOn: '2026-06-01' });
    expect(ok.statusCode, ok.body).toBe(201);
    await expectLimit({ type: 'production_restriction', startsOn: '2026-03-02', endsOn: '2026-06-02' }, 'production_restriction.max_months', '3 months');
    const ext = (newEndsOn: string) =>
      t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/measures/${ok.json().id}/extend`, { newEndsOn, reason: 'r', approvedBy: 'a' });
    const over = await ext('2026-09-02');
    expect(over.statusCode).toBe(422);
    expect(over.json().rule).toBe('production_restriction.extension_max_months');
    expect((await ext('2026-09-01')).statusCode).toBe(200);
    expect((await ext('2026-09-15')).json().rule).toBe('production_restriction.one_extension');
  });

  it('production suspension: rectification plan due 15 working days after service; until lifted', async () => {
    const r = await add({ type: 'production_suspension', servedOn: '2026-03-06' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ servedOn: '2026-03-06', rectificationPlanDueOn: '2026-03-27', status: 'active' });
    const lift = await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/measures/${r.json().id}/lift`, { reason: 'rectified' });
    expect(lift.statusCode).toBe(200);
    expect(lift.json()).toMatchObject({ status: 'lifted', liftReason: 'rectified', liftedAt: t.clock.now().toISOString() });
    const again = await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/measures/${r.json().id}/lift`, { reason: 'again' });
    expect(again.statusCode).toBe(409);
    const noExt = await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/measures/${r.json().id}/extend`, {
      newEndsOn: '2026-05-01',
      reason: 'r',
      approvedBy: 'a',
    });
    expect(noExt.statusCode).toBe(409);
  });

  it('police transfer: materials within 24 h of the decision', async () => {
    const base = { type: 'police_transfer', transferKind: 'criminal', decidedAt: '2026-03-02T02:00:00.000Z', receivingBureau: '昌吉市公安局' };
    const ok = await add({ ...base, transferredAt: '2026-03-03T02:00:00.000Z' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ transferKind: 'criminal', materialsDueAt: '2026-03-03T02:00:00.000Z', receivingBureau: '昌吉市公安局' });
    await expectLimit({ ...base, transferredAt: '2026-03-03T02:01:00.000Z' }, 'police_transfer.criminal_materials_within_hours', '24 hours');
    await expectLimit(
      { ...base, transferKind: 'administrative_detention', transferredAt: '2026-03-04T02:00:00.000Z' },
      'police_transfer.detention_materials_within_hours',
      '24 hours',
    );
    await expectField({ ...base, transferredAt: '2026-03-01T02:00:00.000Z' }, 'body/transferredAt');
    await expectField({ ...base, transferKind: 'jail', transferredAt: '2026-03-02T03:00:00.000Z' }, 'body/transferKind');
  });

  it('listed supervision: the supervising agency must be strictly above the lead agency, with a future deadline', async () => {
    const base = { type: 'listed_supervision', deadline: '2026-06-30' };
    expect((await add({ ...base, supervisingAgencyCode: '652300' })).statusCode).toBe(201);
    expect((await add({ ...base, supervisingAgencyCode: '650000' })).statusCode).toBe(201);
    for (const code of ['652301', '650100', 'XPCC'])
      await expectLimit({ ...base, supervisingAgencyCode: code }, 'listed_supervision.supervisor_above_lead', 'an agency above the lead agency');
    const unknown = await add({ ...base, supervisingAgencyCode: 'NOPE' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('NOPE');
    await expectField({ ...base, supervisingAgencyCode: '652300', deadline: '2026-03-01' }, 'body/deadline');
  });

  it('one-off measures cannot be lifted; measures list; nothing after the case is closed', async () => {
    const list = (await t.req('changjiInspector', 'GET', `/v1/cases/${caseId}/measures`)).json().items;
    const fine = list.find((m: { type: string }) => m.type === 'fine');
    expect((await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/measures/${fine.id}/lift`, { reason: 'x' })).statusCode).toBe(409);
    expect((await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/measures/nope/lift`, { reason: 'x' })).statusCode).toBe(404);
    expect(list.map((m: { type: string }) => m.type)).toEqual(
      expect.arrayContaining([
        'warning',
        'fine',
        'daily_penalty',
        'seal_seizure',
        'production_restriction',
        'production_suspension',
        'police_transfer',
        'listed_supervision',
      ]),
    );
    const c2 = (await createCase(t)).id;
    await walk(t, c2, ['investigating', 'pending_decision', 'decided', 'executing', 'closed']);
    const r = await add({ type: 'warning' }, 'changjiInspector', c2);
    expect(r.statusCode).toBe(409);
    expect(r.json().caseStatus).toBe('closed');
  });

  it('fines and daily penalties only from pending_decision; compulsory measures during investigation', async () => {
    const c = (await createCase(t)).id;
    const fine = { type: 'fine', amountFen: 500_000, legalBasis: '大气污染防治法 第九十九条' };
    const daily = { type: 'daily_penalty', originalFineFen: 100, correctionServedOn: '2026-03-02', reinspectedOn: '2026-03-12' };
    for (const stage of ['registered', 'investigating']) {
      if (stage === 'investigating') await walk(t, c, ['investigating']);
      for (const body of [fine, daily]) {
        const r = await add(body, 'changjiInspector', c);
        expect(r.statusCode, `${stage} ${body.type}`).toBe(409);
        expect(r.json()).toMatchObject({ rule: 'penalty.after_investigation', caseStatus: stage });
        expect(r.json().detail).toContain('行政处罚法');
      }
      // compulsory measures (行政强制法) stay possible
      expect((await add({ type: 'seal_seizure', startsOn: '2026-03-02', endsOn: '2026-03-10' }, 'changjiInspector', c)).statusCode).toBe(201);
      expect((await add({ type: 'production_restriction', startsOn: '2026-03-02', endsOn: '2026-04-30' }, 'changjiInspector', c)).statusCode).toBe(201);
    }
    expect((await t.req('changjiInspector', 'GET', `/v1/cases/${c}/measures`)).json().items.some((m: { type: string }) => m.type === 'fine')).toBe(false);
    await walk(t, c, ['pending_decision']);
    expect((await add(fine, 'changjiInspector', c)).statusCode).toBe(201);
    // a case suspended from pending_decision counts where it came from
    await walk(t, c, ['suspended']);
    expect((await add(daily, 'changjiInspector', c)).statusCode).toBe(201);
  });

  it('a fine at or above HEARING_FINE_THRESHOLD_FEN needs a hearing notice first (art. 63)', async () => {
    const c = (await createCase(t)).id;
    await walk(t, c, ['investigating', 'pending_decision']);
    const threshold = t.config.caseLimits.hearingFineThresholdFen;
    expect(threshold).toBe(10_000_000);
    const at = { type: 'fine', amountFen: threshold, legalBasis: '大气污染防治法 第九十九条' };
    await expectLimit(at, 'fine.hearing_notice_first', threshold, c);
    expect((await add({ ...at, amountFen: threshold - 1 }, 'changjiInspector', c)).statusCode).toBe(201);
    expect((await add({ type: 'hearing_notice' }, 'changjiInspector', c)).statusCode).toBe(400);
    const notice = await add({ type: 'hearing_notice', servedOn: '2026-03-05' }, 'changjiInspector', c);
    expect(notice.statusCode, notice.body).toBe(201);
    expect(notice.json()).toMatchObject({ type: 'hearing_notice', servedOn: '2026-03-05', legalBasis: expect.stringContaining('第六十三条') });
    expect((await add(at, 'changjiInspector', c)).statusCode).toBe(201);
  });

  it('only the lead side may add measures: co-handling 403, other agency 404', async () => {
    const c = await createCase(t, { coHandlingAgencyCodes: ['XPCC-D6'] });
    expect((await add({ type: 'warning' }, 'd6Supervisor', c.id)).statusCode).toBe(403);
    expect((await add({ type: 'warning' }, 'urumqiSupervisor', c.id)).statusCode).toBe(404);
    expect((await add({ type: 'warning' }, 'changjiPrefSupervisor', c.id)).statusCode).toBe(201);
  });
});

describe('limits come from configuration', () => {
  it('SEAL_SEIZURE_MAX_DAYS and DAILY_PENALTY_REINSPECTION_DAYS change the limits', async () => {
    const t = await caseApp({ env: { SEAL_SEIZURE_MAX_DAYS: '10', DAILY_PENALTY_REINSPECTION_DAYS: '5' } });
    try {
      const c = await createCase(t);
      const seal = await t.req('changjiInspector', 'POST', `/v1/cases/${c.id}/measures`, {
        type: 'seal_seizure',
        startsOn: '2026-03-02',
        endsOn: '2026-03-12',
      });
      expect(seal.statusCode).toBe(422);
      expect(seal.json().limit).toBe(10);
      const dp = await t.req('changjiInspector', 'POST', `/v1/cases/${c.id}/measures`, {
        type: 'daily_penalty',
        originalFineFen: 1,
        correctionServedOn: '2026-03-02',
        reinspectedOn: '2026-03-08',
      });
      expect(dp.statusCode).toBe(422);
      expect(dp.json().limit).toBe(5);
    } finally {
      await t.close();
    }
  });
});
