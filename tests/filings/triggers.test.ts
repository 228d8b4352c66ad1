import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeModes } from '../support/app.js';
import { walk } from '../cases/helpers.js';
import { CODES } from '../cases/helpers.js';
import { addMeasure, CORPS_SEAM, DEMO_POINTS, filingApp, filingsOf, MEASURES, newCase, SEAM, type CaseTest } from './helpers.js';
import { jobContext } from '../../src/queue/context.js';
import { runEvaluate } from '../../src/filings/jobs.js';
import { FILING_EVALUATE } from '../../src/filings/triggers.js';
import { events } from '../../src/outbox/tables.js';
import { caseAccess } from '../../src/cases/tables.js';
import { setCheckpoint } from '../../src/queue/relay.js';

describeModes('cross-filing triggers', (mode) => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await filingApp(mode);
  });
  afterAll(() => t.close());

  const settle = () => t.app.runtime.settle();
  const triggers = (caseId: string) => filingsOf(t, caseId).map((f) => `${f.trigger}→${f.toAgencyCode}`);

  it('registration on a joint place files the case with the other side’s agency owning the nearby area', async () => {
    const c = await newCase(t, { location: SEAM });
    await settle();
    const fs = filingsOf(t, c.id);
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({
      trigger: 'registered',
      fromAgencyCode: '652301',
      fromSide: 'region',
      toAgencyCode: 'XPCC-D8',
      toSide: 'corps',
      status: 'pending',
      caseNumber: c.number,
    });
    expect(fs[0].reasons).toContain('place');
    // Over HTTP, with the snapshot of the case.
    const r = await t.req('d8Supervisor', 'GET', `/v1/filings/${fs[0].id}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      id: fs[0].id,
      caseId: c.id,
      caseNumber: c.number,
      trigger: 'registered',
      comments: [],
      snapshot: { id: c.id, number: c.number, status: 'registered', leadAgencyCode: '652301' },
    });
    expect(r.json().ackDueAt).toBe(new Date(t.clock.now().getTime() + 3 * 86_400_000).toISOString());
    // The event: subject filings/<id>, audience both agencies.
    const ev = t.app.deps.db
      .select()
      .from(events)
      .where(eq(events.subject, `filings/${fs[0].id}`))
      .all();
    expect(ev.map((e) => e.type)).toEqual(['filing.created']);
    const keys = t.app.deps.db.$client
      .prepare('SELECT key FROM event_audience WHERE position = ?')
      .all(ev[0].position)
      .map((k) => (k as { key: string }).key);
    expect(keys).toEqual(expect.arrayContaining(['agency:652301', 'agency:XPCC-D8']));
    // The receiver reads the case: here as its co-handling agency (no extra access row needed).
    expect((await t.req('d8Supervisor', 'GET', `/v1/cases/${c.id}`)).json().coHandlingAgencyCodes).toEqual(['XPCC-D8']);
    expect(t.app.deps.db.select().from(caseAccess).where(eq(caseAccess.caseId, c.id)).all()).toEqual([]);
  });

  it('a corps case near region ground is filed with the region agency (the most specific one)', async () => {
    const c = await newCase(t, { leadAgencyCode: 'XPCC-D8', location: CORPS_SEAM }, 'd8Inspector');
    await settle();
    expect(triggers(c.id)).toEqual(['registered→652300']);
    expect(filingsOf(t, c.id)[0]).toMatchObject({ fromAgencyCode: 'XPCC-D8', fromSide: 'corps', toSide: 'region' });
  });

  it('a source of the other side files the case with the source’s agency', async () => {
    const s = await t.req('admin', 'POST', '/v1/sources', {
      name: '五家渠化工厂',
      creditCode: CODES[1],
      side: 'corps',
      agencyCode: 'XPCC-D6',
      location: DEMO_POINTS.wujiaquCenter,
      address: '五家渠市 工业园区 8 号',
      industry: '化学原料制造',
    });
    expect(s.statusCode, s.body).toBe(201);
    const c = await newCase(t, { sourceId: s.json().id });
    await settle();
    const fs = filingsOf(t, c.id);
    expect(fs.map((f) => f.toAgencyCode)).toEqual(['XPCC-D6']);
    expect(fs[0].reasons).toContain('source');
    expect(fs[0].snapshot.source).toMatchObject({ id: s.json().id, agencyCode: 'XPCC-D6', creditCode: CODES[1] });
  });

  it('every receiving agency gets its own filing: a named co-handler and the owner of the nearby area', async () => {
    const c = await newCase(t, { location: SEAM, coHandlingAgencyCodes: ['XPCC-D6'] });
    await settle();
    const fs = filingsOf(t, c.id);
    expect(fs.map((f) => f.toAgencyCode).sort()).toEqual(['XPCC-D6', 'XPCC-D8']);
    expect(fs.find((f) => f.toAgencyCode === 'XPCC-D6')!.reasons).toEqual(['co_handling']);
    expect(fs.find((f) => f.toAgencyCode === 'XPCC-D8')!.reasons).toContain('place');
    for (const who of ['d6Supervisor', 'd8Supervisor', 'd8Inspector']) expect((await t.req(who, 'GET', `/v1/cases/${c.id}`)).statusCode, who).toBe(200);
    expect((await t.req('d7Supervisor', 'GET', `/v1/cases/${c.id}`)).statusCode).toBe(404);
  });

  it('a co-handling agency of the other side receives a filing', async () => {
    const c = await newCase(t, { coHandlingAgencyCodes: ['XPCC-D7'] });
    await settle();
    const fs = filingsOf(t, c.id);
    expect(fs.map((f) => [f.trigger, f.toAgencyCode, f.reasons])).toEqual([['registered', 'XPCC-D7', ['co_handling']]]);
  });

  it('non-triggers: a case far from the other side (no source, no co-handling) is never filed, whatever happens to it', async () => {
    const c = await newCase(t, { location: DEMO_POINTS.changjiCenter });
    await walk(t, c.id, ['investigating']);
    await addMeasure(t, c.id, MEASURES.policeTransfer);
    await walk(t, c.id, ['pending_decision']); // fines only from pending_decision (行政处罚法 arts. 44–45, 57)
    await addMeasure(t, c.id, MEASURES.hearingNotice); // a large fine needs the hearing notice first (art. 63)
    await addMeasure(t, c.id, MEASURES.heavyFine(50_000_000));
    await walk(t, c.id, ['decided', 'executing', 'closed']);
    await settle();
    expect(filingsOf(t, c.id)).toEqual([]);
  });

  it('each trigger on a joint case files once to the right agency; each non-trigger files nothing', async () => {
    const c = await newCase(t, { location: SEAM });
    await settle();
    expect(triggers(c.id)).toEqual(['registered→XPCC-D8']);
    const step = async (what: () => Promise<unknown>, expected: string | null) => {
      const before = filingsOf(t, c.id).length;
      await what();
      await settle();
      const after = filingsOf(t, c.id);
      if (expected === null) expect(after.length, `non-trigger produced ${after.slice(before).map((f) => f.trigger)}`).toBe(before);
      else {
        expect(after.slice(before).map((f) => `${f.trigger}→${f.toAgencyCode}`)).toEqual([expected]);
      }
      return after[after.length - 1];
    };
    // Non-triggers.
    await step(() => walk(t, c.id, ['investigating', 'pending_decision']), null);
    await step(() => addMeasure(t, c.id, MEASURES.warning), null);
    await step(() => addMeasure(t, c.id, MEASURES.hearingNotice), null);
    await step(() => addMeasure(t, c.id, MEASURES.heavyFine(t.config.filingFineThresholdFen - 1)), null);
    await step(() => addMeasure(t, c.id, MEASURES.productionRestriction), null);
    await step(async () => {
      const cur = (await t.req('admin', 'GET', `/v1/cases/${c.id}`)).headers.etag as string;
      const r = await t.req('changjiInspector', 'PATCH', `/v1/cases/${c.id}`, { summary: 'More facts' }, { 'if-match': cur });
      expect(r.statusCode, r.body).toBe(200);
    }, null);
    // Measures of weight.
    const fine = await step(() => addMeasure(t, c.id, MEASURES.heavyFine(t.config.filingFineThresholdFen)), 'fine→XPCC-D8');
    expect(fine.measureId).toBeTruthy();
    await step(() => addMeasure(t, c.id, MEASURES.policeTransfer), 'police_transfer→XPCC-D8');
    await step(() => addMeasure(t, c.id, MEASURES.sealSeizure), 'seal_seizure→XPCC-D8');
    await step(() => addMeasure(t, c.id, MEASURES.productionSuspension), 'production_suspension→XPCC-D8');
    await step(() => addMeasure(t, c.id, MEASURES.listedSupervision('652300')), 'listed_supervision→XPCC-D8');
    // Status: pending_decision is not a trigger (stepped above, before the fine), decided is, executing is not, closed is.
    const decided = await step(() => walk(t, c.id, ['decided']), 'decided→XPCC-D8');
    expect(decided.snapshot).toMatchObject({ status: 'decided', decision: { summary: 'Fine of 50,000 yuan' } });
    await step(() => walk(t, c.id, ['executing']), null);
    await step(() => walk(t, c.id, ['closed']), 'closed→XPCC-D8');
  });

  it('a job run twice (same id), a job re-derived with another id, and a replayed outbox file nothing twice', async () => {
    const c = await newCase(t, { location: SEAM });
    await settle();
    expect(filingsOf(t, c.id)).toHaveLength(1);
    const ev = t.app.deps.db
      .select()
      .from(events)
      .where(eq(events.subject, `cases/${c.id}`))
      .all()
      .find((e) => e.type === 'case.registered')!;
    const payload = { caseId: c.id, trigger: 'registered' as const, eventId: ev.id, measureId: null };
    // The same job id twice: ctx.once runs its effects once (already done by the real job).
    runEvaluate(payload, jobContext(t.app.deps, `filing-${ev.id}`, 1));
    runEvaluate(payload, jobContext(t.app.deps, `filing-${ev.id}`, 2));
    // A duplicate job with a different id: the unique key (case, agency, trigger, state) holds.
    runEvaluate(payload, jobContext(t.app.deps, `dup-a-${ev.id}`, 1));
    runEvaluate(payload, jobContext(t.app.deps, `dup-b-${ev.id}`, 1));
    await settle();
    expect(filingsOf(t, c.id)).toHaveLength(1);
    // The relay replays the whole outbox (as after a crash before its checkpoint): nothing doubles.
    const total = t.app.deps.db.$client.prepare('SELECT count(*) AS n FROM filings').get() as { n: number };
    const created = t.app.deps.db.select().from(events).where(eq(events.type, 'filing.created')).all().length;
    setCheckpoint(t.app.deps.db, 0);
    await settle();
    expect((t.app.deps.db.$client.prepare('SELECT count(*) AS n FROM filings').get() as { n: number }).n).toBe(total.n);
    expect(t.app.deps.db.select().from(events).where(eq(events.type, 'filing.created')).all()).toHaveLength(created);
    expect(t.app.deps.db.$client.prepare("SELECT count(*) AS n FROM inbox_items WHERE kind = 'filing'").get()).toEqual({ n: total.n });
  });

  if (mode === 'redis')
    it('filing jobs pass through BullMQ on the case side’s work queue', async () => {
      const c = await newCase(t, { leadAgencyCode: 'XPCC-D8', location: CORPS_SEAM }, 'd8Inspector');
      await settle();
      const ev = t.app.deps.db
        .select()
        .from(events)
        .where(eq(events.subject, `cases/${c.id}`))
        .all()
        .find((e) => e.type === 'case.registered')!;
      const rt = t.app.runtime as unknown as { queues: Map<string, { getJob(id: string): Promise<{ name: string } | undefined> }> };
      const job = await rt.queues.get('work-corps')!.getJob(`filing-${ev.id}`);
      expect(job?.name).toBe(FILING_EVALUATE);
      expect(filingsOf(t, c.id)).toHaveLength(1);
    });

  it('the snapshot does not change when the case does', async () => {
    const c = await newCase(t, { location: SEAM, title: 'Original title' });
    await settle();
    const [f] = filingsOf(t, c.id);
    const cur = (await t.req('admin', 'GET', `/v1/cases/${c.id}`)).headers.etag as string;
    const p = await t.req('changjiInspector', 'PATCH', `/v1/cases/${c.id}`, { title: 'Changed title', summary: 'Changed summary' }, { 'if-match': cur });
    expect(p.statusCode, p.body).toBe(200);
    await walk(t, c.id, ['investigating']);
    await addMeasure(t, c.id, MEASURES.warning);
    await settle();
    const now = (await t.req('d8Supervisor', 'GET', `/v1/cases/${c.id}`)).json();
    expect(now).toMatchObject({ title: 'Changed title', status: 'investigating' });
    const got = (await t.req('d8Supervisor', 'GET', `/v1/filings/${f.id}`)).json();
    expect(got.snapshot).toMatchObject({ title: 'Original title', status: 'registered', version: f.snapshot.version, measures: [] });
    expect(got.snapshot.summary).not.toBe('Changed summary');
    // No reporter data anywhere in it.
    expect(JSON.stringify(got.snapshot)).not.toMatch(/reporter|phone|email/i);
  });
});
