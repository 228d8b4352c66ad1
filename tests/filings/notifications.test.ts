import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { walk } from '../cases/helpers.js';
import { addMeasure, DEMO_POINTS, filingApp, inbox, MEASURES, newCase, SEAM, type CaseTest } from './helpers.js';
import { events } from '../../src/outbox/tables.js';
import { complaints } from '../../src/intake/tables.js';

describeModes('notifications (通报) to both sides’ supervisors, as inbox items', (mode) => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await filingApp(mode);
  });
  afterAll(() => t.close());

  const settle = () => t.app.runtime.settle();
  /** Notification items about a subject in an agency's inbox (as one of its keys sees them). */
  const notes = async (who: string, subject: string, kind?: string) =>
    (await inbox(t, who, 'kind=notification&limit=500')).filter((i) => i.subject === subject && (!kind || i.notificationKind === kind));
  const notifiedAgencies = (subject: string, kind: string) =>
    t.app.deps.db
      .select()
      .from(events)
      .where(eq(events.type, 'notification.created'))
      .all()
      .filter((e) => e.data.subject === subject && e.data.kind === kind)
      .map((e) => e.agencyCode)
      .sort();

  it('a police transfer on a joint place reaches the supervisors of both sides’ responsible agencies', async () => {
    const c = await newCase(t, { location: SEAM });
    await walk(t, c.id, ['investigating']);
    await settle();
    const m = await addMeasure(t, c.id, MEASURES.policeTransfer);
    await settle();
    const subject = `cases/${c.id}`;
    for (const who of ['changjiSupervisor', 'd8Supervisor']) {
      const n = await notes(who, subject, 'police_transfer');
      expect(n, who).toHaveLength(1);
      expect(n[0]).toMatchObject({ kind: 'notification', status: 'info', link: `/v1/cases/${c.id}`, read: false });
      expect(n[0].data).toMatchObject({ caseId: c.id, measureId: m.id, measureType: 'police_transfer' });
      expect(n[0].message).toContain(c.number);
    }
    // Inspectors of those agencies see the same inbox; other agencies see nothing.
    expect(await notes('d8Inspector', subject, 'police_transfer')).toHaveLength(1);
    for (const who of ['d6Supervisor', 'urumqiSupervisor', 'changjiPrefSupervisor']) expect(await notes(who, subject), who).toHaveLength(0);
    expect(notifiedAgencies(subject, 'police_transfer')).toEqual(['652301', 'XPCC-D8']);
    // The supervisor of the other side can follow the link.
    expect((await t.req('d8Supervisor', 'GET', `/v1/cases/${c.id}`)).statusCode).toBe(200);
    // Replaying the job changes nothing.
    await settle();
    expect(notifiedAgencies(subject, 'police_transfer')).toEqual(['652301', 'XPCC-D8']);
  });

  it('listed supervision also tells the supervising agency; a fine at the threshold tells both sides, below it nobody', async () => {
    const c = await newCase(t, { location: SEAM });
    await addMeasure(t, c.id, MEASURES.listedSupervision('650000'));
    // fines from pending_decision on, a large one after the hearing notice (行政处罚法 arts. 57, 63)
    await walk(t, c.id, ['investigating', 'pending_decision']);
    await addMeasure(t, c.id, MEASURES.hearingNotice);
    await addMeasure(t, c.id, MEASURES.heavyFine(t.config.filingFineThresholdFen - 1));
    await settle();
    const subject = `cases/${c.id}`;
    expect(notifiedAgencies(subject, 'listed_supervision')).toEqual(['650000', '652301', 'XPCC-D8']);
    expect(await notes('regionTop', subject, 'listed_supervision')).toHaveLength(1);
    expect(notifiedAgencies(subject, 'heavy_fine')).toEqual([]);
    await addMeasure(t, c.id, MEASURES.heavyFine(t.config.filingFineThresholdFen));
    await settle();
    expect(notifiedAgencies(subject, 'heavy_fine')).toEqual(['652301', 'XPCC-D8']);
    expect((await notes('d8Supervisor', subject, 'heavy_fine'))[0].message).toContain('100,000 yuan');
    // A seal/seizure files the case but is not a notification.
    await addMeasure(t, c.id, MEASURES.sealSeizure);
    await settle();
    expect(notifiedAgencies(subject, 'seal_seizure')).toEqual([]);
  });

  it('away from the other side, a police transfer tells the lead agency only', async () => {
    const c = await newCase(t, { location: DEMO_POINTS.changjiCenter });
    await addMeasure(t, c.id, MEASURES.policeTransfer);
    await settle();
    expect(notifiedAgencies(`cases/${c.id}`, 'police_transfer')).toEqual(['652301']);
  });

  it('a case on a joint place gone overdue also tells the other side', async () => {
    const joint = await newCase(t, { location: SEAM });
    const plain = await newCase(t, { location: DEMO_POINTS.changjiCenter });
    await settle();
    // the 90-day period ends 24:00 China time of its last day, moved off weekends and holidays
    t.clock.set(new Date(Math.max(Date.parse(joint.decisionDueAt as string), Date.parse(plain.decisionDueAt as string)) + 1000));
    await settle();
    expect(notifiedAgencies(`cases/${joint.id}`, 'case_overdue')).toEqual(['652300', '652301', 'XPCC-D8']);
    expect(notifiedAgencies(`cases/${plain.id}`, 'case_overdue')).toEqual(['652300', '652301']);
    expect(await notes('d8Supervisor', `cases/${joint.id}`, 'case_overdue')).toHaveLength(1);
    // Notifications made by other capabilities through notify() are inbox items too (here the
    // case registry's own overdue notice to the lead agency and the agency above it).
    for (const who of ['changjiSupervisor', 'changjiPrefSupervisor', 'changjiPrefInspector']) {
      const n = await notes(who, `cases/${plain.id}`, 'case_overdue');
      expect(n, who).toHaveLength(1);
      expect(n[0].link).toBe(`/v1/cases/${plain.id}`);
    }
    // …as are the routing capability's unclaimed-assignment notices.
    expect((await inbox(t, 'changjiSupervisor', 'kind=notification&limit=500')).some((i) => i.notificationKind === 'assignment_overdue')).toBe(true);
  });

  it('a complaint on a joint place gone overdue also tells the other side', async () => {
    const post = (url: string, body: unknown) => t.req('intake', 'POST', url, body);
    const r = await post('/v1/complaints', { channel: 'phone', category: 'air', description: 'Black smoke near the 8th division', location: SEAM });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id as string;
    expect((await post(`/v1/complaints/${id}/accept`, {})).statusCode).toBe(200);
    await settle();
    const row = t.app.deps.db.select().from(complaints).where(eq(complaints.id, id)).get()!;
    expect(row).toMatchObject({ joint: true, side: 'region' });
    t.clock.set(new Date(Date.parse(row.replyDueAt!) + 1000)); // 60 days, ending 24:00 China time
    await settle();
    expect(t.app.deps.db.select().from(complaints).where(eq(complaints.id, id)).get()!.overdue).toBe(true);
    const told = notifiedAgencies(`complaints/${id}`, 'complaint_overdue');
    expect(told).toContain('XPCC-D8');
    expect(told).toContain(row.agencyCode);
    const n = await notes('d8Supervisor', `complaints/${id}`, 'complaint_overdue');
    expect(n).toHaveLength(1);
    expect(n[0].link).toBe(`/v1/complaints/${id}`);
    expect(JSON.stringify(n[0])).not.toMatch(/reporter|phone|email/i);
  });
});
