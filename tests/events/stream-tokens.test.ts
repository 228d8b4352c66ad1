import { afterAll, beforeAll, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import type { AddressInfo } from 'node:net';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { emit, seedAgencies, until } from './helpers.js';

describeModes('browser access to the stream: single-use stream tokens', (mode) => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedAgencies(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  const token = async (key: string) => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/events/stream-tokens', headers: t.auth(key) });
    expect(r.statusCode).toBe(201);
    return r.json() as { token: string; expiresAt: string; url: string };
  };

  /** Opens a real EventSource; resolves once it is open, or with the HTTP status it was refused with. */
  const open = (url: string) =>
    new Promise<{ es: EventSource; status: number; received: { type: string; subject: string }[] }>((resolve) => {
      const es = new EventSource(url);
      const received: { type: string; subject: string }[] = [];
      for (const type of ['case.registered', 'complaint.received'])
        es.addEventListener(type, (e) => received.push({ type, subject: JSON.parse(e.data).subject }));
      es.onopen = () => resolve({ es, status: 200, received });
      es.onerror = (e) => {
        if (es.readyState === EventSource.CLOSED) resolve({ es, status: e.code ?? 0, received });
      };
    });

  it('a token opens one EventSource with the visibility of the key that made it; a second use, a wrong or an expired token is 401', async () => {
    const corps = t.key({ role: 'supervisor', side: 'corps', agencyCode: 'XPCC' });
    const issued = await token(corps);
    expect(issued.token).toMatch(/^est_/);
    expect(Date.parse(issued.expiresAt) - t.clock.now().getTime()).toBe(60_000);
    const url = `${base}/v1/events/stream?token=${issued.token}`;
    const a = await open(url);
    expect(a.status).toBe(200);
    try {
      emit(t, { subject: 'complaints/region-1', type: 'complaint.received', side: 'region', agencyCode: 'XJ-URUMQI' });
      emit(t, { subject: 'complaints/corps-1', type: 'complaint.received', side: 'corps', agencyCode: 'XPCC-D8' });
      t.app.runtime.poke();
      await until(() => a.received.length >= 1, 10_000, 'corps event on the browser stream');
      // The corps supervisor sees the corps complaint, never the region one.
      emit(t, { subject: 'complaints/corps-2', type: 'complaint.received', side: 'corps', agencyCode: 'XPCC-D8' });
      await until(() => a.received.length >= 2, 10_000, 'second corps event');
      expect(a.received.map((r) => r.subject)).toEqual(['complaints/corps-1', 'complaints/corps-2']);

      // Single use: the same URL is refused (a browser asks for a new token on error).
      const again = await open(url);
      expect(again.status).toBe(401);
      again.es.close();
    } finally {
      a.es.close();
    }
    const wrong = await open(`${base}/v1/events/stream?token=est_nope`);
    expect(wrong.status).toBe(401);
    wrong.es.close();

    const late = await token(corps);
    t.clock.advance(61_000);
    const expired = await open(`${base}/v1/events/stream?token=${late.token}`);
    expect(expired.status).toBe(401);
    expired.es.close();
    // A stream token is no API key.
    expect((await t.app.inject({ url: '/v1/events', headers: t.auth(late.token) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/v1/events/stream-tokens' })).statusCode).toBe(401);
  });

  it('never appears in the logs', async () => {
    const issued = await token(t.admin);
    const s = await open(`${base}/v1/events/stream?token=${issued.token}`);
    s.es.close();
    await until(() => t.logs.some((l) => l.includes('token=[redacted]')), 5000, 'the stream request logged');
    expect(t.logs.join('\n')).not.toContain(issued.token);
    expect(t.logs.join('\n')).not.toContain(issued.token.slice(4));
  });

  it('a revoked key’s tokens no longer open a stream', async () => {
    const created = (
      await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.auth(t.admin), payload: { role: 'intake', name: 'soon revoked' } })
    ).json();
    const issued = await token(created.key);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.id}`, headers: t.auth(t.admin) })).statusCode).toBeLessThan(300);
    const s = await open(`${base}/v1/events/stream?token=${issued.token}`);
    expect(s.status).toBe(401);
    s.es.close();
  });
});
