import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { events } from '../../src/outbox/tables.js';
import { inboxItems } from '../../src/notifications/tables.js';
import { commitAndReveal, createPlan, inspectionApp, type InspectionTest } from './helpers.js';

describeModes('random inspections: a result not published within 20 working days is overdue', (mode) => {
  let t: InspectionTest;
  beforeAll(async () => {
    t = await inspectionApp(mode);
  });
  afterAll(() => t.close());

  it('inspected on 2026-04-01: due 24:00 China time on 2026-04-30 (Qingming skipped); event and notifications then, not before; publishing late still works', async () => {
    const plan = await createPlan(t, 'changjiSupervisor', { name: 'overdue', period: { from: '2026-03-09', to: '2026-05-31' } });
    expect(
      (
        await commitAndReveal(t, plan.id, [
          ['652301', 'changjiSupervisor'],
          ['652300', 'changjiPrefSupervisor'],
        ])
      ).statusCode,
    ).toBe(200);
    const [x, y] = (await t.req('changjiSupervisor', 'GET', `/v1/inspection-plans/${plan.id}`)).json().targets;
    t.clock.set('2026-04-01T03:00:00.000Z');
    await t.settle();
    for (const target of [x, y]) {
      const r = await t.req(target.officers[0], 'POST', `/v1/inspections/${target.inspectionId}/record`, {
        results: [
          { itemCode: 'AIR-01', result: 'compliant' },
          { itemCode: 'WATER-01', result: 'compliant' },
        ],
        officersPresent: target.officers,
        outcome: 'no_issue',
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().publicationDueAt).toBe('2026-04-30T16:00:00.000Z');
    }
    // y is published in time: no overdue for it.
    expect((await t.req('changjiSupervisor', 'POST', `/v1/inspections/${y.inspectionId}/approve`)).statusCode).toBe(200);
    const overdueEvents = () => t.app.deps.db.select().from(events).where(eq(events.type, 'inspection.publication_overdue')).all();

    t.clock.set('2026-04-30T15:59:59.999Z');
    await t.settle();
    expect(overdueEvents()).toEqual([]);
    expect((await t.req('changjiSupervisor', 'GET', `/v1/inspections/${x.inspectionId}`)).json().overdue).toBe(false);

    t.clock.set('2026-04-30T16:00:00.000Z');
    await t.settle();
    const ev = overdueEvents();
    expect(ev.map((e) => e.subject)).toEqual([`inspections/${x.inspectionId}`]);
    expect((await t.req('changjiSupervisor', 'GET', `/v1/inspections/${x.inspectionId}`)).json().overdue).toBe(true);
    const told = t.app.deps.db
      .select()
      .from(inboxItems)
      .where(eq(inboxItems.notificationKind, 'inspection_publication_overdue'))
      .all()
      .map((i) => i.agencyCode)
      .sort();
    expect(told).toEqual(['652300', '652301']);
    const pub = (await t.pub(`/v1/public/inspection-plans/${plan.id}`)).json();
    expect(pub.disclosure).toEqual({ inspected: 2, published: 1, rate: 0.5, overdue: 1 });

    expect((await t.req('changjiSupervisor', 'POST', `/v1/inspections/${x.inspectionId}/approve`)).statusCode).toBe(200);
    expect((await t.pub(`/v1/public/inspection-plans/${plan.id}`)).json().disclosure).toEqual({ inspected: 2, published: 2, rate: 1, overdue: 0 });
  });

  it('the deadline is configurable (INSPECTION_PUBLICATION_WORKING_DAYS)', async () => {
    const t5 = await inspectionApp(mode, { INSPECTION_PUBLICATION_WORKING_DAYS: '5' });
    try {
      const plan = await createPlan(t5, 'changjiSupervisor', { name: 'five days' });
      expect(
        (
          await commitAndReveal(t5, plan.id, [
            ['652301', 'changjiSupervisor'],
            ['652300', 'changjiPrefSupervisor'],
          ])
        ).statusCode,
      ).toBe(200);
      const [x] = (await t5.req('changjiSupervisor', 'GET', `/v1/inspection-plans/${plan.id}`)).json().targets;
      t5.clock.set('2026-04-01T03:00:00.000Z');
      await t5.settle();
      const r = await t5.req(x.officers[0], 'POST', `/v1/inspections/${x.inspectionId}/record`, {
        results: [
          { itemCode: 'AIR-01', result: 'compliant' },
          { itemCode: 'WATER-01', result: 'compliant' },
        ],
        officersPresent: x.officers,
        outcome: 'no_issue',
      });
      // Apr 2, 3, 7, 8, 9 (Qingming 4–6 off).
      expect(r.json().publicationDueAt).toBe('2026-04-09T16:00:00.000Z');
    } finally {
      await t5.close();
    }
  });
});
