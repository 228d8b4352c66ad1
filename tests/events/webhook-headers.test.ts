import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { emit, Receiver, seedAgencies, subscribe } from './helpers.js';
import { subscriptions } from '../../src/events/tables.js';

const TOKEN = 'rcv_5c1f0c8e2d7a4b9f';

describeModes('webhook custom header', (mode) => {
  let t: TestApp;
  let rx: Receiver;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedAgencies(t);
    rx = await new Receiver().start();
  });
  afterEach(() => void (rx.requests.length = 0));
  afterAll(async () => {
    await rx.close();
    await t.close();
  });

  it('is sent with every delivery, stored sealed, and shown only masked', async () => {
    const sub = await subscribe(t, t.admin, { url: rx.url, types: ['case.*'], headers: { 'X-Receiver-Token': TOKEN } });
    const created = sub as unknown as { headers: { name: string; value: string }[] };
    expect(created.headers).toEqual([{ name: 'X-Receiver-Token', value: '****4b9f' }]);
    emit(t, { subject: 'cases/h-1', type: 'case.registered' });
    emit(t, { subject: 'cases/h-2', type: 'case.registered' });
    await t.app.runtime.settle();
    expect(rx.requests).toHaveLength(2);
    for (const r of rx.requests) expect(r.headers['x-receiver-token']).toBe(TOKEN);

    const got = await t.app.inject({ url: `/v1/subscriptions/${sub.id}`, headers: t.auth(t.admin) });
    expect(got.json().headers).toEqual([{ name: 'X-Receiver-Token', value: '****4b9f' }]);
    expect(got.body).not.toContain(TOKEN);
    const list = await t.app.inject({ url: '/v1/subscriptions', headers: t.auth(t.admin) });
    expect(list.body).not.toContain(TOKEN);
    const row = t.app.deps.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id)).get()!;
    expect(row.customHeaderNames).toEqual(['X-Receiver-Token']);
    expect(row.customHeaders).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    expect(t.logs.join('')).not.toContain(TOKEN);

    // PATCH replaces; null removes.
    const short = await t.app.inject({
      method: 'PATCH',
      url: `/v1/subscriptions/${sub.id}`,
      headers: t.auth(t.admin),
      payload: { headers: { 'X-Other': 'abc' } },
    });
    expect(short.statusCode).toBe(200);
    expect(short.json().headers).toEqual([{ name: 'X-Other', value: '****' }]);
    rx.requests.length = 0;
    emit(t, { subject: 'cases/h-3', type: 'case.registered' });
    await t.app.runtime.settle();
    expect(rx.requests[0].headers['x-other']).toBe('abc');
    expect(rx.requests[0].headers['x-receiver-token']).toBeUndefined();
    const removed = await t.app.inject({ method: 'PATCH', url: `/v1/subscriptions/${sub.id}`, headers: t.auth(t.admin), payload: { headers: null } });
    expect(removed.json().headers).toEqual([]);
    rx.requests.length = 0;
    emit(t, { subject: 'cases/h-4', type: 'case.registered' });
    await t.app.runtime.settle();
    expect(rx.requests[0].headers['x-other']).toBeUndefined();
    await t.app.inject({ method: 'DELETE', url: `/v1/subscriptions/${sub.id}`, headers: t.auth(t.admin) });
  });

  it('refuses hop-by-hop, framing and signature header names, and bad values, naming the field', async () => {
    for (const [name, reason] of [
      ['Connection', /hop-by-hop/],
      ['Transfer-Encoding', /hop-by-hop/],
      ['Host', /hop-by-hop/],
      ['webhook-signature', /signature/],
      ['Webhook-Id', /signature/],
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/subscriptions',
        headers: t.auth(t.admin),
        payload: { url: rx.url, types: ['case.*'], headers: { [name]: 'x' } },
      });
      expect(r.statusCode, name).toBe(400);
      expect(r.json().errors[0]).toMatchObject({ field: `body/headers/${name}`, reason: expect.stringMatching(reason) });
    }
    const badValue = await t.app.inject({
      method: 'POST',
      url: '/v1/subscriptions',
      headers: t.auth(t.admin),
      payload: { url: rx.url, types: ['case.*'], headers: { 'X-A': 'a\r\nX-Injected: 1' } },
    });
    expect(badValue.statusCode).toBe(400);
    expect(badValue.json().errors[0].field).toMatch(/headers/);
    const badName = await t.app.inject({
      method: 'POST',
      url: '/v1/subscriptions',
      headers: t.auth(t.admin),
      payload: { url: rx.url, types: ['case.*'], headers: { 'X A': 'a' } },
    });
    expect(badName.statusCode).toBe(400);
    const list = await t.app.inject({ url: '/v1/subscriptions', headers: t.auth(t.admin) });
    expect(list.json().items).toEqual([]);
  });
});
