import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { DEMO_POINTS } from '../../src/reference/demo.js';
import { assignmentsOf, create, eventsOf, eventsOfType, get, ok, post, row } from './helpers.js';

/**
 * The review path of 信访工作条例 (2022) arts. 35–36 on the demo reference data of both sides:
 * a Changji city (652301, county) complaint is reviewed (复查) by Changji prefecture (652300) and
 * re-reviewed (复核) by the autonomous region (650000); a 121st regiment (XPCC-D8-R121) complaint
 * by the 8th division (XPCC-D8), then the corps (XPCC). Each period is 30 days from the day after
 * the answer or request, ending 24:00 China time, moved off weekends and holidays.
 */
describeModes('complaint review (复查 / 复核)', (mode) => {
  let t: TestApp;
  let k: Record<string, string>;
  beforeAll(async () => {
    t = await makeApp({ mode, env: { SEED_DEMO: 'true' } });
    const sup = (agencyCode: string, side: 'region' | 'corps') => t.key({ role: 'supervisor', side, agencyCode });
    k = {
      intake: t.key({ role: 'intake' }),
      changjiInspector: t.key({ role: 'inspector', side: 'region', agencyCode: '652301', teamId: 'team-652301-air' }),
      sup652301: sup('652301', 'region'),
      sup652300: sup('652300', 'region'),
      sup650000: sup('650000', 'region'),
      supR121: sup('XPCC-D8-R121', 'corps'),
      supD8: sup('XPCC-D8', 'corps'),
      supXPCC: sup('XPCC', 'corps'),
      supD6: sup('XPCC-D6', 'corps'),
    };
  });
  afterAll(() => t.close());

  const settle = () => t.app.runtime.settle();
  const at = (iso: string) => t.clock.set(iso);
  /** A complaint at `where`, accepted, routed (settled) and replied by intake now. */
  async function replied(where: { lat: number; lng: number }, agencyCode: string) {
    const c = await create(t, k.intake, { location: where, category: 'air' });
    await ok(t, k.intake, c.id, 'accept');
    await settle();
    expect(row(t, c.id)).toMatchObject({ status: 'routed', agencyCode });
    const r = await ok(t, k.intake, c.id, 'reply', { text: '经查，该企业已停产整改。' });
    return { ...c, reply: r };
  }
  const pub = (number: string, code: string) => t.app.inject({ method: 'GET', url: `/v1/public/complaints/${number}?code=${code}` });
  const pubRequest = (number: string, code: string, reason = '烟囱仍在冒黑烟，处理结果不属实') =>
    t.app.inject({ method: 'POST', url: `/v1/public/complaints/${number}/review`, payload: { code, reason } });
  const request = (key: string, id: string, reason = '举报人对答复不满意：仍有异味') => post(t, k[key], `/v1/complaints/${id}/review-request`, { reason });
  const opinion = (key: string, id: string, outcome = 'upheld') =>
    post(t, k[key], `/v1/complaints/${id}/review-opinion`, { text: '经复查，原处理意见事实清楚，予以维持。', outcome });
  const expect409 = (r: { statusCode: number; json(): { type: string; rule?: string } }, slug: string, rule: string) => {
    expect(r.statusCode, JSON.stringify(r.json())).toBe(409);
    expect(r.json().type).toMatch(new RegExp(`${slug}$`));
    expect(r.json().rule).toBe(rule);
  };
  const notices = (id: string, kind: string) =>
    eventsOfType(t, 'notification.created')
      .filter((e) => e.data.subject === `complaints/${id}` && e.data.kind === kind)
      .map((e) => e.agencyCode);

  it('region: county answer → 复查 by the prefecture (in time, overdue, opinion) → 复核 by the region → final', async () => {
    at('2026-04-01T02:00:00.000Z'); // Wed 10:00 China time
    const c = await replied(DEMO_POINTS.changjiCenter, '652301');
    // 30 days after the reply: day 30 is Fri 05-01, Labour Day (05-01 – 05-05 off) → Wed 05-06, 24:00 China time
    expect(c.reply.reviewRequestableUntil).toBe('2026-05-06T16:00:00.000Z');
    // not satisfied: recorded, the complaint stays replied and can be taken to review
    const fb = await ok(t, k.intake, c.id, 'feedback', { satisfied: false, comment: '仍有黑烟' });
    expect(fb).toMatchObject({ status: 'replied', closedAt: null, feedback: { satisfied: false }, reviewRequestableUntil: '2026-05-06T16:00:00.000Z' });
    expect((await pub(c.number, c.queryCode)).json().review).toEqual({
      requestableUntil: '2026-05-06T16:00:00.000Z',
      nextStage: 'review',
      final: false,
      reviews: [],
    });

    // the last minutes of the last day: still in time (the public lookup with the query code)
    at('2026-05-06T15:50:00.000Z'); // 23:50 China time
    const r = await pubRequest(c.number, c.queryCode);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'under_review', review: { requestableUntil: null, nextStage: null, final: false } });
    // opinion due 30 days after the request: Fri 06-05, 24:00 China time
    expect(r.json().review.reviews).toEqual([
      expect.objectContaining({ stage: 'review', agency: '昌吉回族自治州', dueAt: '2026-06-05T16:00:00.000Z', overdue: false, opinion: null }),
    ]);
    expect((await get(t, k.intake, `/v1/complaints/${c.id}`)).json().reviews).toEqual([
      expect.objectContaining({
        stage: 'review',
        agencyCode: '652300',
        reviewedAgencyCode: '652301',
        requestedVia: 'public',
        reason: '烟囱仍在冒黑烟，处理结果不属实',
      }),
    ]);
    expect(notices(c.id, 'complaint_review_requested')).toEqual(['652300']);
    expect409(await request('intake', c.id), 'review-pending', '信访工作条例 art. 35');
    // the handling agency does not review its own answer; an inspector never gives the opinion
    for (const key of ['sup652301', 'changjiInspector']) {
      const no = await opinion(key, c.id);
      expect(no.statusCode, no.body).toBe(403);
      expect(no.json().rule).toBe('review-opinion:reviewing-agency');
    }

    // no opinion by the deadline: overdue (once), the prefecture and the center are told
    at('2026-06-05T15:59:59.000Z');
    await settle();
    expect(row(t, c.id).overdue).toBe(false);
    at('2026-06-05T16:00:01.000Z');
    await settle();
    await settle();
    expect(row(t, c.id)).toMatchObject({ status: 'under_review', overdue: true, overdueDeadline: 'review' });
    const overdue = eventsOf(t, c.id).filter((e) => e.type === 'complaint.overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0].data).toMatchObject({ deadline: 'review', stage: 'review', reviewAgencyCode: '652300', dueAt: '2026-06-05T16:00:00.000Z' });
    expect(notices(c.id, 'complaint_overdue').sort()).toEqual(['652300', null].sort());
    expect((await pub(c.number, c.queryCode)).json().review.reviews[0].overdue).toBe(true);

    // the prefecture gives its opinion late: reviewed, a re-review may be asked within 30 days of it
    at('2026-06-08T02:00:00.000Z'); // Mon
    const op = await opinion('sup652300', c.id);
    expect(op.statusCode, op.body).toBe(200);
    // day 30 after Mon 06-08 is Wed 07-08
    expect(op.json()).toMatchObject({ status: 'reviewed', reviewRequestableUntil: '2026-07-08T16:00:00.000Z', deadlines: { overdue: false } });

    // 复核 by the region (one level above the reviewer), taken down by intake
    at('2026-06-20T02:00:00.000Z'); // Sat
    const rr = await request('intake', c.id);
    expect(rr.statusCode, rr.body).toBe(200);
    const reviews = (await get(t, k.intake, `/v1/complaints/${c.id}`)).json().reviews;
    // day 30 after Sat 06-20 is Mon 07-20
    expect(reviews[1]).toMatchObject({
      stage: 're_review',
      agencyCode: '650000',
      reviewedAgencyCode: '652300',
      dueAt: '2026-07-20T16:00:00.000Z',
      requestedVia: 'intake',
    });
    // the prefecture is now the reviewed one
    expect((await opinion('sup652300', c.id)).statusCode).toBe(403);
    const fin = await opinion('sup650000', c.id, 'revised');
    expect(fin.statusCode, fin.body).toBe(200);
    expect(fin.json()).toMatchObject({ status: 'closed', closeReason: 'final', reviewRequestableUntil: null });
    expect((await pub(c.number, c.queryCode)).json().review).toMatchObject({ final: true, requestableUntil: null, nextStage: null });

    // final: no third review, by any path, and no reopening
    expect409(await pubRequest(c.number, c.queryCode), 'review-final', '信访工作条例 art. 36');
    expect409(await request('intake', c.id), 'review-final', '信访工作条例 art. 36');
    expect409(await post(t, k.intake, `/v1/complaints/${c.id}/reopen`, { reason: '再次反映' }), 'review-final', '信访工作条例 art. 36');

    const types = eventsOf(t, c.id).map((e) => e.type);
    expect(types.slice(-7)).toEqual([
      'complaint.feedback_recorded',
      'complaint.review_requested',
      'complaint.overdue',
      'complaint.review_opinion',
      'complaint.review_requested',
      'complaint.review_opinion',
      'complaint.closed',
    ]);
    // the reporter's reason is never in an event
    expect(JSON.stringify(eventsOf(t, c.id).map((e) => e.data))).not.toMatch(/烟囱|异味/);
  });

  it('region: a request after the 30 days is refused (art. 35); a closed complaint can still be taken to review in time', async () => {
    at('2026-07-01T02:00:00.000Z'); // Wed
    const late = await replied(DEMO_POINTS.changjiCenter, '652301');
    // day 30 is Fri 07-31
    expect(late.reply.reviewRequestableUntil).toBe('2026-07-31T16:00:00.000Z');
    const inTime = await replied({ lat: DEMO_POINTS.changjiCenter.lat + 0.02, lng: DEMO_POINTS.changjiCenter.lng }, '652301');
    // closed by itself COMPLAINT_AUTO_CLOSE_DAYS (15) after the reply…
    at('2026-07-17T02:00:00.000Z');
    await settle();
    expect(row(t, inTime.id)).toMatchObject({ status: 'closed', closeReason: 'auto' });
    // …yet the reporter's right stands while the window is open
    const r = await request('intake', inTime.id);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'under_review', closedAt: null, closeReason: null });

    at('2026-07-31T16:00:00.000Z'); // 24:00 China time of the last day: the period is over
    expect409(await pubRequest(late.number, late.queryCode), 'review-window-closed', '信访工作条例 art. 35');
    expect409(await request('intake', late.id), 'review-window-closed', '信访工作条例 art. 35');
    expect(row(t, late.id).status).toBe('closed');
  });

  it('corps: regiment answer → 复查 by the division → 复核 by the corps (overdue, then final)', async () => {
    at('2026-09-01T02:00:00.000Z'); // Tue
    const c = await replied(DEMO_POINTS.regiment121Center, 'XPCC-D8-R121');
    // day 30 after Tue 09-01 is Thu 10-01, National Day (10-01 – 10-07 off) → Thu 10-08
    expect(c.reply.reviewRequestableUntil).toBe('2026-10-08T16:00:00.000Z');
    at('2026-09-10T02:00:00.000Z');
    const r = await pubRequest(c.number, c.queryCode);
    expect(r.statusCode, r.body).toBe(200);
    // day 30 after Thu 09-10 is Sat 10-10, an adjusted working day (调休上班): it stays
    expect(r.json().review.reviews[0]).toMatchObject({ stage: 'review', agency: '第八师（石河子市）', dueAt: '2026-10-10T16:00:00.000Z' });
    expect((await opinion('supR121', c.id)).statusCode).toBe(403);
    expect((await opinion('supD6', c.id)).statusCode).toBe(404); // another division does not even see it
    at('2026-09-15T02:00:00.000Z'); // Tue
    const op = await opinion('supD8', c.id);
    expect(op.statusCode, op.body).toBe(200);
    // day 30 after Tue 09-15 is Thu 10-15
    expect(op.json()).toMatchObject({ status: 'reviewed', reviewRequestableUntil: '2026-10-15T16:00:00.000Z' });
    const rr = await request('intake', c.id);
    expect(rr.statusCode, rr.body).toBe(200);
    const re = (await get(t, k.supXPCC, `/v1/complaints/${c.id}`)).json().reviews[1];
    expect(re).toMatchObject({ stage: 're_review', agencyCode: 'XPCC', reviewedAgencyCode: 'XPCC-D8' });
    at(new Date(Date.parse(re.dueAt) + 1000).toISOString());
    await settle();
    await settle();
    const overdue = eventsOf(t, c.id).filter((e) => e.type === 'complaint.overdue');
    expect(overdue.map((e) => e.data)).toEqual([expect.objectContaining({ deadline: 'review', stage: 're_review', reviewAgencyCode: 'XPCC' })]);
    expect(notices(c.id, 'complaint_overdue').sort()).toEqual(['XPCC', null].sort());
    const fin = await opinion('supXPCC', c.id);
    expect(fin.json()).toMatchObject({ status: 'closed', closeReason: 'final' });
    expect409(await pubRequest(c.number, c.queryCode), 'review-final', '信访工作条例 art. 36');
  });

  it('corps: a re-review asked more than 30 days after the review opinion is refused (art. 36); the complaint closes when that window ends', async () => {
    at('2026-11-02T02:00:00.000Z'); // Mon
    const c = await replied({ lat: DEMO_POINTS.regiment121Center.lat + 0.01, lng: DEMO_POINTS.regiment121Center.lng }, 'XPCC-D8-R121');
    expect((await request('intake', c.id)).statusCode).toBe(200);
    at('2026-11-09T02:00:00.000Z'); // Mon
    const op = await opinion('supD8', c.id);
    // day 30 after Mon 11-09 is Wed 12-09
    expect(op.json()).toMatchObject({ status: 'reviewed', reviewRequestableUntil: '2026-12-09T16:00:00.000Z' });
    at('2026-12-09T16:00:01.000Z');
    await settle();
    expect(row(t, c.id)).toMatchObject({ status: 'closed', closeReason: 'auto' });
    expect409(await pubRequest(c.number, c.queryCode), 'review-window-closed', '信访工作条例 art. 36');
  });

  it('intake reopens a closed complaint within 30 days with a reason: accepted again and routed again; later → 409', async () => {
    at('2027-01-04T02:00:00.000Z'); // Mon
    const c = await replied(DEMO_POINTS.changjiCenter, '652301');
    await ok(t, k.intake, c.id, 'feedback', { satisfied: true });
    const before = assignmentsOf(t, c.id);
    expect(before.every((a) => a.status === 'cancelled')).toBe(true);
    expect((await post(t, k.changjiInspector, `/v1/complaints/${c.id}/reopen`, { reason: 'x' })).statusCode).toBe(403);
    expect((await post(t, k.intake, `/v1/complaints/${c.id}/reopen`, {})).statusCode).toBe(400);
    at('2027-01-20T02:00:00.000Z');
    const re = await ok(t, k.intake, c.id, 'reopen', { reason: '举报人反映问题仍未解决' });
    // a new reply period: day 60 after Wed 01-20 is Sun 03-21 → Mon 03-22
    expect(re).toMatchObject({
      status: 'accepted',
      reply: null,
      feedback: null,
      closedAt: null,
      reopened: { reason: '举报人反映问题仍未解决' },
      deadlines: { replyDueAt: '2027-03-22T16:00:00.000Z' },
    });
    await settle();
    expect(row(t, c.id).status).toBe('routed');
    const after = assignmentsOf(t, c.id);
    expect(after.filter((a) => a.status === 'pending' && a.role === 'lead').map((a) => a.teamId)).toEqual(['team-652301-air']);
    expect(eventsOf(t, c.id).filter((e) => e.type === 'complaint.reopened')[0].data).toMatchObject({ reason: '举报人反映问题仍未解决' });

    // closed again; 30 days after that closing the window is over
    await ok(t, k.intake, c.id, 'reply', { text: '已再次核查。' });
    await ok(t, k.intake, c.id, 'close');
    at('2027-02-22T02:00:00.000Z'); // closed Wed 01-20: day 30 Fri 02-19, 24:00 China time
    const late = await post(t, k.intake, `/v1/complaints/${c.id}/reopen`, { reason: '再次反映' });
    expect409(late, 'reopen-window-closed', 'reopen:within-30-days');
  });

  it('a duplicate answered with its master is reviewed one level above the master’s handling agency', async () => {
    at('2027-03-01T02:00:00.000Z');
    const place = { lat: DEMO_POINTS.changjiCenter.lat - 0.02, lng: DEMO_POINTS.changjiCenter.lng };
    // a duplicate linked while its master is open is replied with it and has no owner of its own
    const m2 = await create(t, k.intake, { location: place, category: 'air' });
    await ok(t, k.intake, m2.id, 'accept');
    await settle();
    const dup = await create(t, k.intake, { location: place, category: 'air' });
    expect(dup.duplicateOf).toBe(m2.id);
    await ok(t, k.intake, m2.id, 'reply', { text: '已处理。' });
    expect(row(t, dup.id)).toMatchObject({ status: 'replied', agencyCode: null });
    const r = await pubRequest(dup.number, dup.queryCode);
    expect(r.statusCode, r.body).toBe(200);
    expect((await get(t, k.intake, `/v1/complaints/${dup.id}`)).json().reviews[0]).toMatchObject({ agencyCode: '652300', reviewedAgencyCode: '652301' });
  });
});
