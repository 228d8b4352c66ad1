import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { create, keys, ok, seedMap } from './helpers.js';

describe('public status lookup', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ env: { PUBLIC_LOOKUP_RATE_PER_MINUTE: '5' } });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  let ip = 0;
  /** Each test uses its own client address, so the per-address limit is per test. */
  const client = () => `10.0.0.${++ip}`;
  const lookup = (number: string, code: string, remoteAddress: string) =>
    t.app.inject({ url: `/v1/public/complaints/${encodeURIComponent(number)}?code=${encodeURIComponent(code)}`, remoteAddress });

  it('number + code → status, dates and the reply only (no key needed)', async () => {
    const c = await create(t, k.intake, { reporter: { name: 'Zhao', phone: '13800000000', anonymous: false } });
    const ipA = client();
    const r0 = await lookup(c.number, c.queryCode, ipA);
    expect(r0.statusCode).toBe(200);
    expect(r0.json()).toEqual({
      number: c.number,
      status: 'received',
      statusLabel: '已接收',
      receivedAt: c.receivedAt,
      acceptanceDueAt: c.acceptanceDueAt,
      acceptedAt: null,
      replyDueAt: null,
      repliedAt: null,
      closedAt: null,
      reply: null,
      reason: null,
      review: { requestableUntil: null, nextStage: null, final: false, reviews: [] },
    });
    await ok(t, k.intake, c.id, 'accept');
    await ok(t, k.intake, c.id, 'reply', { text: 'We inspected and the plant was fined.' });
    const r1 = (await lookup(c.number, c.queryCode.toLowerCase(), ipA)).json();
    expect(r1).toMatchObject({ status: 'replied', reply: 'We inspected and the plant was fined.' });
    expect(JSON.stringify(r1)).not.toMatch(/Zhao|13800000000|chimney|id"/);
  });

  it('a not-accepted complaint tells the reporter why', async () => {
    const c = await create(t, k.intake);
    await ok(t, k.intake, c.id, 'reject', { reason: 'Outside environmental jurisdiction: contact the market regulator.' });
    const r = (await lookup(c.number, c.queryCode, client())).json();
    expect(r).toMatchObject({ status: 'not_accepted', reason: 'Outside environmental jurisdiction: contact the market regulator.' });
  });

  it('a wrong code and an unknown number are the same 404', async () => {
    const c = await create(t, k.intake);
    const ipB = client();
    const wrongCode = await lookup(c.number, 'AAAAAAAA', ipB);
    const wrongNumber = await lookup('12369-2026-999999', c.queryCode, ipB);
    expect(wrongCode.statusCode).toBe(404);
    expect(wrongNumber.statusCode).toBe(404);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(wrongCode.json())).toEqual(strip(wrongNumber.json()));
    expect(wrongCode.body).not.toContain(c.number);
    // another complaint's code does not open this one
    const other = await create(t, k.intake);
    expect((await lookup(c.number, other.queryCode, ipB)).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/v1/public/complaints/${c.number}`, remoteAddress: ipB })).statusCode).toBe(400);
  });

  it('rate limited per client address: 429 problem+json with Retry-After', async () => {
    const c = await create(t, k.intake);
    const ipC = client();
    for (let i = 0; i < 5; i++) expect((await lookup(c.number, i % 2 ? c.queryCode : 'WRONG', ipC)).statusCode).not.toBe(429);
    const r = await lookup(c.number, c.queryCode, ipC);
    expect(r.statusCode).toBe(429);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect(r.json()).toMatchObject({ status: 429, type: expect.stringMatching(/rate-limited$/) });
    // another address is not limited
    expect((await lookup(c.number, c.queryCode, client())).statusCode).toBe(200);
  });
});
