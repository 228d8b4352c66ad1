import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { HTTP, CloudEvent } from 'cloudevents';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { advanceUntil, emit, Receiver, seedAgencies, subscribe } from './helpers.js';
import { MAX_ATTEMPTS } from '../../src/events/delivery.js';

const HOUR = 3_600_000;

describeModes('webhook delivery', (mode) => {
  let t: TestApp;
  let rx: Receiver;
  let partner: string;
  beforeAll(async () => {
    t = await makeApp({ mode, env: { REPLAY_MAX_EVENTS: '5' } });
    seedAgencies(t);
    // a key that may GET cases (partners GET none, so they receive no case events: issue 12)
    partner = t.key({ role: 'admin', name: 'police' });
  });
  afterAll(() => t.close());
  afterEach(async () => {
    await rx?.close();
    // each test starts without the previous tests' subscriptions
    const subs = (await t.app.inject({ url: '/v1/subscriptions?limit=500', headers: t.auth(t.admin) })).json().items as { id: string }[];
    for (const s of subs) await t.app.inject({ method: 'DELETE', url: `/v1/subscriptions/${s.id}`, headers: t.auth(t.admin) });
    await t.app.runtime.settle();
  });

  const deliveriesOf = async (subId: string, key = partner) => {
    const r = await t.app.inject({ url: `/v1/subscriptions/${subId}/deliveries?limit=500`, headers: t.auth(key) });
    expect(r.statusCode).toBe(200);
    return r.json().items as {
      id: string;
      eventId: string;
      status: string;
      attempts: number;
      kind: string;
      attemptLog: { attempt: number; statusCode: number | null; durationMs: number; error: string | null; nextAttemptAt: string | null }[];
    }[];
  };

  it('every committed change is delivered, signed (standardwebhooks) and a valid CloudEvent (cloudevents)', async () => {
    rx = await new Receiver().start();
    const sub = await subscribe(t, partner, { url: rx.url, types: ['case.*', 'complaint.received'] });
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const written = [
      emit(t, { subject: 'cases/all-1', type: 'case.registered' }),
      emit(t, { subject: 'cases/all-1', type: 'case.status_changed' }),
      emit(t, { subject: 'complaints/all-2', type: 'complaint.received', side: 'corps', agencyCode: 'XPCC-D8' }),
      emit(t, { subject: 'cases/all-3', type: 'case.measure_added' }),
    ];
    emit(t, { subject: 'filings/x', type: 'filing.created' }); // not subscribed
    await t.app.runtime.settle();
    expect(rx.requests.map((r) => r.json.id).sort()).toEqual(written.map((w) => w.id).sort());

    const wh = new Webhook(sub.secret);
    for (const r of rx.requests) {
      expect(r.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
      expect(r.headers['webhook-id']).toBe(r.json.id);
      expect(() => wh.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
      const ce = HTTP.toEvent({ headers: r.headers, body: r.body }) as CloudEvent<Record<string, unknown>>;
      expect(ce.specversion).toBe('1.0');
      expect(ce.type).toBe(r.json.type);
      expect(typeof ce.sequence).toBe('number');
      expect(ce.data).toEqual(written.find((w) => w.id === ce.id)!.data);
    }
    // tampering breaks the signature
    const r0 = rx.requests[0];
    expect(() => wh.verify(r0.body.replace('"cases', '"casez'), r0.headers as Record<string, string>)).toThrow();
  });

  it('a receiver failing twice then succeeding gets the event exactly once more after success; attempts are logged', async () => {
    rx = await new Receiver().start();
    rx.respond = (_r, n) => (n <= 2 ? 503 : 200);
    const sub = await subscribe(t, partner, { url: rx.url, types: ['case.registered'] });
    const e = emit(t, { subject: 'cases/flaky', type: 'case.registered' });
    await t.app.runtime.settle();
    expect(rx.requests.length).toBe(1);
    let log = await deliveriesOf(sub.id);
    expect(log[0].status).toBe('pending');
    expect(log[0].attemptLog[0]).toMatchObject({ attempt: 1, statusCode: 503 });
    expect(log[0].attemptLog[0].nextAttemptAt).not.toBeNull();

    await advanceUntil(t, HOUR, () => rx.delivered.length === 1);
    expect(rx.requests.length).toBe(3);
    // three more days: nothing more is sent
    for (let i = 0; i < 4; i++) {
      t.clock.advance(24 * HOUR);
      await t.app.runtime.settle();
    }
    expect(rx.requests.filter((r) => r.json.id === e.id).length).toBe(3);
    log = await deliveriesOf(sub.id);
    expect(log[0]).toMatchObject({ eventId: e.id, status: 'delivered', attempts: 3 });
    expect(log[0].attemptLog.map((a) => a.statusCode)).toEqual([503, 503, 200]);
    for (const a of log[0].attemptLog) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    expect(log[0].attemptLog[1].error).toContain('503');
  });

  it('keeps order per subject under retries (other subjects are not held up)', async () => {
    rx = await new Receiver().start();
    let firstFailures = 0;
    rx.respond = (r) => (r.json.subject === 'cases/ordered' && r.json.sequence === 1 && firstFailures++ < 3 ? 500 : 200);
    await subscribe(t, partner, { url: rx.url, types: ['case.*'] });
    const a1 = emit(t, { subject: 'cases/ordered', type: 'case.registered' });
    const a2 = emit(t, { subject: 'cases/ordered', type: 'case.status_changed' });
    const b1 = emit(t, { subject: 'cases/other', type: 'case.registered' });
    const a3 = emit(t, { subject: 'cases/ordered', type: 'case.measure_added' });
    await t.app.runtime.settle();
    // b1 went straight through; a2/a3 wait behind a1
    expect(rx.delivered.map((r) => r.json.id)).toEqual([b1.id]);
    expect(rx.requests.some((r) => r.json.id === a2.id || r.json.id === a3.id)).toBe(false);
    await advanceUntil(t, HOUR, () => rx.delivered.length === 4);
    const ordered = rx.requests.filter((r) => r.json.subject === 'cases/ordered');
    expect(ordered.map((r) => r.json.id)).toEqual([a1.id, a1.id, a1.id, a1.id, a2.id, a3.id]);
    expect(ordered.map((r) => r.json.sequence)).toEqual([1, 1, 1, 1, 2, 3]);
  });

  it('410 Gone disables the subscription and notifies its owner', async () => {
    rx = await new Receiver().start();
    rx.respond = () => 410;
    const owner = t.key({ role: 'admin', name: 'court' }); // sees case events (partners GET no case)
    const sub = await subscribe(t, owner, { url: rx.url, types: ['case.*'] });
    emit(t, { subject: 'cases/gone-1', type: 'case.registered' });
    await t.app.runtime.settle();
    const s = (await t.app.inject({ url: `/v1/subscriptions/${sub.id}`, headers: t.auth(owner) })).json();
    expect(s).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    emit(t, { subject: 'cases/gone-2', type: 'case.registered' });
    await t.app.runtime.settle();
    t.clock.advance(48 * HOUR);
    await t.app.runtime.settle();
    expect(rx.requests.length).toBe(1);
    // the owner learns of it in its feed; another agency-bound key does not
    const feed = (await t.app.inject({ url: '/v1/events?types=subscription.disabled&limit=500', headers: t.auth(owner) })).json();
    expect(feed.items.map((e: { subject: string }) => e.subject)).toContain(`subscriptions/${sub.id}`);
    const other = (
      await t.app.inject({ url: '/v1/events?types=subscription.disabled&limit=500', headers: t.auth(t.key({ role: 'partner', side: 'corps' })) })
    ).json();
    expect(other.items).toEqual([]);
  });

  it('a subscription failing for 5 days is disabled and its owner notified', async () => {
    rx = await new Receiver().start();
    rx.respond = () => 500;
    const owner = t.key({ role: 'admin', name: 'statistics' }); // sees case events (partners GET no case)
    const sub = await subscribe(t, owner, { url: rx.url, types: ['case.*'] });
    emit(t, { subject: 'cases/failing-1', type: 'case.registered' });
    await t.app.runtime.settle();
    // the first delivery exhausts its ~3 days of retries
    await advanceUntil(t, HOUR, () => rx.requests.length >= MAX_ATTEMPTS, 120);
    const first = await deliveriesOf(sub.id, owner);
    expect(first[0]).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(rx.requests.length).toBe(MAX_ATTEMPTS);
    // the planned backoff (exponential, jittered) adds up to about three days
    const planned = first[0].attemptLog.slice(0, -1).map((a) => Date.parse(a.nextAttemptAt!) - Date.parse((a as unknown as { at: string }).at));
    for (let i = 1; i < 6; i++) expect(planned[i]).toBeGreaterThan(planned[i - 1]);
    const total = planned.reduce((x, y) => x + y, 0);
    expect(total).toBeGreaterThan(2.5 * 24 * HOUR);
    expect(total).toBeLessThan(3.5 * 24 * HOUR);
    let s = (await t.app.inject({ url: `/v1/subscriptions/${sub.id}`, headers: t.auth(owner) })).json();
    expect(s.status).toBe('active');
    // new events keep failing; past 5 days since the first failure it is disabled
    for (let day = 0; day < 4 && s.status === 'active'; day++) {
      emit(t, { subject: `cases/failing-${day + 2}`, type: 'case.registered' });
      for (let step = 0; step < 4; step++) {
        t.clock.advance(6 * HOUR);
        await t.app.runtime.settle();
      }
      s = (await t.app.inject({ url: `/v1/subscriptions/${sub.id}`, headers: t.auth(owner) })).json();
    }
    expect(s).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
    expect(Date.parse(s.disabledAt) - Date.parse(s.failingSince)).toBeGreaterThanOrEqual(5 * 24 * HOUR);
    const feed = (await t.app.inject({ url: '/v1/events?types=subscription.disabled&limit=500', headers: t.auth(owner) })).json();
    expect(feed.items.find((e: { subject: string }) => e.subject === `subscriptions/${sub.id}`).data).toMatchObject({ id: sub.id, reason: 'failing' });
  });

  it('replay re-sends a range (same ids, in order); too large a range → 422; manual retry of a delivery', async () => {
    rx = await new Receiver().start();
    const sub = await subscribe(t, partner, { url: rx.url, types: ['filing.*'] });
    const evs = [1, 2, 3].map((i) => emit(t, { subject: 'filings/replay', type: i === 1 ? 'filing.created' : 'filing.acknowledged' }));
    await t.app.runtime.settle();
    expect(rx.requests.map((r) => r.json.id)).toEqual(evs.map((e) => e.id));
    const log = await deliveriesOf(sub.id);
    const cursorOfFirst = (await t.app.inject({ url: `/v1/events?subject=filings/replay&limit=1`, headers: t.auth(partner) })).json().nextCursor;
    expect(log.length).toBe(3);

    const r = await t.app.inject({ method: 'POST', url: `/v1/subscriptions/${sub.id}/replay`, headers: t.auth(partner), payload: { after: cursorOfFirst } });
    expect(r.statusCode).toBe(202);
    expect(r.json().events).toBe(2);
    await t.app.runtime.settle();
    expect(rx.requests.map((x) => x.json.id)).toEqual([...evs.map((e) => e.id), evs[1].id, evs[2].id]);
    expect(rx.requests[3].headers['webhook-id']).toBe(evs[1].id);

    const byTime = await t.app.inject({
      method: 'POST',
      url: `/v1/subscriptions/${sub.id}/replay`,
      headers: t.auth(partner),
      payload: { from: evs[0].time, types: ['filing.created'] },
    });
    expect(byTime.json().events).toBe(1);
    await t.app.runtime.settle();
    expect(rx.requests.at(-1)!.json.id).toBe(evs[0].id);

    for (let i = 0; i < 6; i++) emit(t, { subject: `filings/bulk-${i}`, type: 'filing.created' });
    await t.app.runtime.settle();
    const big = await t.app.inject({ method: 'POST', url: `/v1/subscriptions/${sub.id}/replay`, headers: t.auth(partner), payload: { after: cursorOfFirst } });
    expect(big.statusCode).toBe(422);
    expect(big.json().max).toBe(5);
    const neither = await t.app.inject({ method: 'POST', url: `/v1/subscriptions/${sub.id}/replay`, headers: t.auth(partner), payload: {} });
    expect(neither.statusCode).toBe(400);
    const foreign = await t.app.inject({
      method: 'POST',
      url: `/v1/subscriptions/${sub.id}/replay`,
      headers: t.auth(partner),
      payload: { after: 'bm90LW91cnM' },
    });
    expect(foreign.statusCode).toBe(400);

    // manual retry: a delivered one is re-sent once; a pending one is 409
    const n = rx.requests.length;
    const retry = await t.app.inject({ method: 'POST', url: `/v1/subscriptions/${sub.id}/deliveries/${log[0].id}/retry`, headers: t.auth(partner) });
    expect(retry.statusCode).toBe(202);
    await t.app.runtime.settle();
    expect(rx.requests.length).toBe(n + 1);
    expect(rx.requests.at(-1)!.json.id).toBe(log[0].eventId);
  });

  it('webhooks see only what the owner key sees', async () => {
    rx = await new Receiver().start();
    const sup = t.key({ role: 'supervisor', agencyCode: 'XJ-URUMQI', side: 'region' });
    await subscribe(t, sup, { url: rx.url, types: ['case.*'] });
    const mine = emit(t, { subject: 'cases/vis-mine', type: 'case.registered', agencyCode: 'XJ-URUMQI' });
    emit(t, { subject: 'cases/vis-kashi', type: 'case.registered', agencyCode: 'XJ-KASHI' });
    emit(t, { subject: 'cases/vis-corps', type: 'case.registered', agencyCode: 'XPCC-D8', side: 'corps' });
    await t.app.runtime.settle();
    expect(rx.requests.map((r) => r.json.id)).toEqual([mine.id]);
  });

  it('filters narrow further (side, agencyCodes, categories)', async () => {
    rx = await new Receiver().start();
    await subscribe(t, partner, { url: rx.url, types: ['case.registered'], filter: { side: 'corps', categories: ['water'] } });
    emit(t, { subject: 'cases/f1', type: 'case.registered', side: 'corps', agencyCode: 'XPCC-D8', category: 'air' });
    const ok = emit(t, { subject: 'cases/f2', type: 'case.registered', side: 'corps', agencyCode: 'XPCC-D8', category: 'water' });
    emit(t, { subject: 'cases/f3', type: 'case.registered', side: 'region', agencyCode: 'XJ', category: 'water' });
    await t.app.runtime.settle();
    expect(rx.requests.map((r) => r.json.id)).toEqual([ok.id]);
  });

  it('rotate-secret: old and new secrets both verify for 24 h, then only the new one', async () => {
    rx = await new Receiver().start();
    const sub = await subscribe(t, partner, { url: rx.url, types: ['case.registered'] });
    const rot = await t.app.inject({ method: 'POST', url: `/v1/subscriptions/${sub.id}/rotate-secret`, headers: t.auth(partner) });
    expect(rot.statusCode).toBe(200);
    const fresh = rot.json().secret as string;
    expect(fresh).not.toBe(sub.secret);
    emit(t, { subject: 'cases/rot-1', type: 'case.registered' });
    await t.app.runtime.settle();
    const r1 = rx.requests[0];
    expect((r1.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(() => new Webhook(sub.secret).verify(r1.body, r1.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(fresh).verify(r1.body, r1.headers as Record<string, string>)).not.toThrow();
    t.clock.advance(25 * HOUR);
    emit(t, { subject: 'cases/rot-2', type: 'case.registered' });
    await t.app.runtime.settle();
    const r2 = rx.requests[1];
    expect(() => new Webhook(fresh).verify(r2.body, r2.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(sub.secret).verify(r2.body, r2.headers as Record<string, string>)).toThrow();
  });

  it('test ping; owner scoping; PATCH and DELETE', async () => {
    rx = await new Receiver().start();
    const sub = await subscribe(t, partner, { url: rx.url, types: ['case.registered'], description: 'police' });
    const ping = await t.app.inject({ method: 'POST', url: `/v1/subscriptions/${sub.id}/test`, headers: t.auth(partner) });
    expect(ping.statusCode).toBe(200);
    expect(ping.json()).toMatchObject({ kind: 'ping', status: 'delivered', lastStatusCode: 204 });
    expect(rx.requests[0].json.type).toBe('ping');
    expect(() => new Webhook(sub.secret).verify(rx.requests[0].body, rx.requests[0].headers as Record<string, string>)).not.toThrow();

    const stranger = t.key({ role: 'partner', name: 'someone else' });
    expect((await t.app.inject({ url: `/v1/subscriptions/${sub.id}`, headers: t.auth(stranger) })).statusCode).toBe(404);
    const list = (await t.app.inject({ url: '/v1/subscriptions', headers: t.auth(stranger) })).json();
    expect(list.items).toEqual([]);
    expect((await t.app.inject({ url: `/v1/subscriptions/${sub.id}`, headers: t.auth(t.admin) })).statusCode).toBe(200);
    const inspector = t.key({ role: 'inspector', agencyCode: 'XJ-URUMQI', side: 'region', teamId: 'team-urumqi-1' });
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/subscriptions', headers: t.auth(inspector), payload: { url: rx.url, types: ['case.*'] } })).statusCode,
    ).toBe(403);
    expect(JSON.stringify((await t.app.inject({ url: `/v1/subscriptions/${sub.id}`, headers: t.auth(partner) })).json())).not.toContain(sub.secret);

    const p = await t.app.inject({
      method: 'PATCH',
      url: `/v1/subscriptions/${sub.id}`,
      headers: t.auth(partner),
      payload: { types: ['case.*'], enabled: false },
    });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toMatchObject({ types: ['case.*'], status: 'disabled', disabledReason: 'manual' });
    emit(t, { subject: 'cases/while-disabled', type: 'case.registered' });
    await t.app.runtime.settle();
    expect(rx.requests.length).toBe(1);
    const on = await t.app.inject({ method: 'PATCH', url: `/v1/subscriptions/${sub.id}`, headers: t.auth(partner), payload: { enabled: true } });
    expect(on.json().status).toBe('active');
    const e = emit(t, { subject: 'cases/after-enable', type: 'case.status_changed' });
    await t.app.runtime.settle();
    expect(rx.requests.at(-1)!.json.id).toBe(e.id);
    expect(
      (await t.app.inject({ method: 'PATCH', url: `/v1/subscriptions/${sub.id}`, headers: t.auth(partner), payload: { types: ['nope'] } })).statusCode,
    ).toBe(400);
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/subscriptions/${sub.id}`, headers: t.auth(partner), payload: { bogus: 1 } })).statusCode).toBe(400);

    expect((await t.app.inject({ method: 'DELETE', url: `/v1/subscriptions/${sub.id}`, headers: t.auth(stranger) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/subscriptions/${sub.id}`, headers: t.auth(partner) })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/v1/subscriptions/${sub.id}`, headers: t.auth(partner) })).statusCode).toBe(404);
    emit(t, { subject: 'cases/after-delete', type: 'case.registered' });
    await t.app.runtime.settle();
    expect(rx.requests.at(-1)!.json.id).toBe(e.id);
  });
});
