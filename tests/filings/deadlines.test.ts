import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { filingApp, filingsOf, inbox, newCase, SEAM, type CaseTest } from './helpers.js';
import { events } from '../../src/outbox/tables.js';
import { timers } from '../../src/queue/tables.js';

describeModes('filing deadlines: overdue, escalation', (mode) => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await filingApp(mode);
  });
  afterAll(() => t.close());

  const settle = () => t.app.runtime.settle();
  const eventTypes = (filingId: string) =>
    t.app.deps.db
      .select()
      .from(events)
      .where(eq(events.subject, `filings/${filingId}`))
      .orderBy(events.sequence)
      .all()
      .map((e) => e.type);
  const notices = async (who: string, filingId: string, kind: string) =>
    (await inbox(t, who, 'kind=notification&limit=500')).filter((i) => i.filingId === filingId && i.notificationKind === kind);
  const filing = async (id: string) => (await t.req('admin', 'GET', `/v1/filings/${id}`)).json();

  it('unacknowledged: overdue at FILING_ACK_DAYS (receiver’s parent told), escalated to both top agencies at FILING_ESCALATE_DAYS', async () => {
    const c = await newCase(t, { location: SEAM });
    await settle();
    const [f] = filingsOf(t, c.id);
    expect(f.toAgencyCode).toBe('XPCC-D8');
    const created = t.clock.now().getTime();
    expect(f.escalateAt).toBe(new Date(created + 7 * 86_400_000).toISOString());

    // Just before the deadline: nothing.
    t.clock.advanceDays(3);
    t.clock.advance(-1000);
    await settle();
    expect((await filing(f.id)).status).toBe('pending');
    t.clock.advance(1000);
    await settle();
    const over = await filing(f.id);
    expect(over).toMatchObject({ status: 'overdue', overdueAt: t.clock.now().toISOString(), escalatedAt: null });
    expect(eventTypes(f.id)).toEqual(['filing.created', 'filing.overdue']);
    // The receiving agency's parent (XPCC) is notified, and both agencies.
    for (const who of ['corpsTop', 'd8Supervisor', 'changjiSupervisor']) expect(await notices(who, f.id, 'filing_overdue'), who).toHaveLength(1);
    expect(await notices('regionTop', f.id, 'filing_overdue')).toHaveLength(0);
    const item = (await inbox(t, 'd8Supervisor', 'kind=filing&status=overdue')).find((i) => i.filingId === f.id);
    expect(item).toBeTruthy();
    // The overdue notice links to the filing.
    expect((await notices('corpsTop', f.id, 'filing_overdue'))[0]).toMatchObject({ subject: `filings/${f.id}`, link: `/v1/filings/${f.id}` });

    // Second level, at 7 days.
    t.clock.advanceDays(4);
    await settle();
    const esc = await filing(f.id);
    expect(esc).toMatchObject({ status: 'overdue', escalatedAt: t.clock.now().toISOString() });
    expect(eventTypes(f.id)).toEqual(['filing.created', 'filing.overdue', 'filing.escalated']);
    for (const who of ['regionTop', 'corpsTop']) expect(await notices(who, f.id, 'filing_escalated'), who).toHaveLength(1);
    expect(await notices('d8Supervisor', f.id, 'filing_escalated')).toHaveLength(0);

    // Nothing fires twice; a late acknowledgement is still accepted.
    t.clock.advanceDays(30);
    await settle();
    expect(eventTypes(f.id)).toEqual(['filing.created', 'filing.overdue', 'filing.escalated']);
    const ack = await t.req('d8Supervisor', 'POST', `/v1/filings/${f.id}/acknowledge`);
    expect(ack.statusCode).toBe(200);
    expect(ack.json().status).toBe('acknowledged');
  });

  it('acknowledged in time: both deadlines do nothing', async () => {
    const c = await newCase(t, { location: SEAM });
    await settle();
    const [f] = filingsOf(t, c.id);
    t.clock.advanceDays(1);
    expect((await t.req('d8Inspector', 'POST', `/v1/filings/${f.id}/acknowledge`)).statusCode).toBe(200);
    const live = t.app.deps.db
      .select()
      .from(timers)
      .where(and(eq(timers.id, `filing-ack-${f.id}`)))
      .get();
    expect(live?.cancelledAt).toBeTruthy();
    t.clock.advanceDays(10);
    await settle();
    expect(await filing(f.id)).toMatchObject({ status: 'acknowledged', overdueAt: null, escalatedAt: null });
    expect(eventTypes(f.id)).toEqual(['filing.created', 'filing.acknowledged']);
    expect(await notices('corpsTop', f.id, 'filing_overdue')).toHaveLength(0);
    expect(await notices('regionTop', f.id, 'filing_escalated')).toHaveLength(0);
  });

  it('a stale timer job (acknowledged meanwhile) is a no-op', async () => {
    const { markFilingOverdue, escalateFiling } = await import('../../src/filings/service.js');
    const c = await newCase(t, { location: SEAM });
    await settle();
    const [f] = filingsOf(t, c.id);
    expect((await t.req('d8Inspector', 'POST', `/v1/filings/${f.id}/acknowledge`)).statusCode).toBe(200);
    t.clock.advanceDays(8);
    const db = t.app.deps.db;
    expect(db.transaction((tx) => markFilingOverdue(tx as never, t.app.deps, f.id))).toBe(false);
    expect(db.transaction((tx) => escalateFiling(tx as never, t.app.deps, f.id))).toBe(false);
    await settle();
    expect(eventTypes(f.id)).toEqual(['filing.created', 'filing.acknowledged']);
  });
});
