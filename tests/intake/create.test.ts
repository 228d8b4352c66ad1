import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { inTx } from '../../src/db/client.js';
import { idempotencyKeys } from '../../src/http/tables.js';
import { pollutionSources } from '../../src/cases/tables.js';
import { body, countComplaints, create, eventsOfType, get, keys, post, row, seedMap } from './helpers.js';

describe('POST /v1/complaints', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp();
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  it('201 with Location, a sequential per-year number, deadlines and a query code', async () => {
    const r = await post(t, k.intake, '/v1/complaints', body({ urgent: true, occurredAt: '2026-03-01T22:00:00Z' }));
    expect(r.statusCode).toBe(201);
    const b = r.json();
    expect(r.headers.location).toBe(`/v1/complaints/${b.id}`);
    expect(b).toMatchObject({ status: 'received', receivedAt: t.clock.now().toISOString(), duplicateOf: null });
    expect(b.number).toMatch(/^12369-2026-\d{6}$/);
    expect(b.queryCode).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    // received Mon 2026-03-02 10:00 China time: day 15 is Tue 03-17, ending 24:00 China time (16:00 UTC)
    expect(t.clock.now().toISOString()).toBe('2026-03-02T02:00:00.000Z');
    expect(b.acceptanceDueAt).toBe('2026-03-17T16:00:00.000Z');
    const second = await create(t, k.partner);
    expect(Number(second.number.slice(-6))).toBe(Number(b.number.slice(-6)) + 1);
    // the query code is stored only as a keyed hash
    expect(JSON.stringify(row(t, b.id))).not.toContain(b.queryCode);
    expect(eventsOfType(t, 'complaint.received').map((e) => e.subject)).toContain(`complaints/${b.id}`);
  });

  it('numbers restart each (China) year', async () => {
    const clock = t.clock.now();
    t.clock.set('2026-12-31T16:30:00Z'); // 2027-01-01 00:30 in Beijing
    const a = await create(t, k.intake);
    expect(a.number).toBe('12369-2027-000001');
    t.clock.set(clock);
  });

  it('an address with an admin code is enough; roles other than intake/admin/partner get 403', async () => {
    const { location: _l, ...noLoc } = body();
    const r = await post(t, k.intake, '/v1/complaints', { ...noLoc, address: '北京路 12 号', adminCode: '652301' });
    expect(r.statusCode).toBe(201);
    expect((await post(t, k.supCJ, '/v1/complaints', body())).statusCode).toBe(403);
    expect((await post(t, k.cjsAir, '/v1/complaints', body())).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/v1/complaints', payload: body() })).statusCode).toBe(401);
  });

  const { location: _l, ...noLocation } = body();
  const bad: [string, Record<string, unknown>, string][] = [
    ['missing location and address', { ...noLocation }, 'body/location'],
    ['an address without admin code', { ...noLocation, address: 'somewhere' }, 'body/location'],
    ['lat 91', body({ location: { lat: 91, lng: 86 } }), 'body/location/lat'],
    ['description of 5001 characters', body({ description: 'x'.repeat(5001) }), 'body/description'],
    ['an empty description', body({ description: '' }), 'body/description'],
    ['a phone that is not a phone', body({ reporter: { phone: 'call me maybe', anonymous: false } }), 'body/reporter/phone'],
    ['a phone too short', body({ reporter: { phone: '123', anonymous: false } }), 'body/reporter/phone'],
    ['an email that is not one', body({ reporter: { email: 'nobody', anonymous: false } }), 'body/reporter/email'],
    ['21 attachments', body({ attachments: Array.from({ length: 21 }, (_, i) => ({ url: `https://x.example/${i}.jpg` })) }), 'body/attachments'],
    ['an attachment with neither url nor sha256', body({ attachments: [{ mediaType: 'image/jpeg', bytes: 10 }] }), 'body/attachments/0'],
    ['a bad sha256', body({ attachments: [{ sha256: 'abc' }] }), 'body/attachments/0/sha256'],
    ['an unknown category', body({ category: 'smell' }), 'body/category'],
    ['an unknown channel', body({ channel: 'pigeon' }), 'body/channel'],
    ['an unknown field', body({ priority: 'high' }), 'body/priority'],
    ['a bad admin code', { ...noLocation, address: 'x', adminCode: '65' }, 'body/adminCode'],
    ['an unknown sourceId', body({ sourceId: 'no-such-source' }), 'body/sourceId'],
    ['occurredAt in the future', body({ occurredAt: '2026-03-05T00:00:00Z' }), 'body/occurredAt'],
    ['occurredAt that is not a date', body({ occurredAt: 'yesterday' }), 'body/occurredAt'],
  ];
  it.each(bad)('400 for %s, and nothing is stored or emitted', async (_name, payload, field) => {
    const before = countComplaints(t);
    const events = eventsOfType(t, 'complaint.received').length;
    const r = await post(t, k.intake, '/v1/complaints', payload);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(countComplaints(t)).toBe(before);
    expect(eventsOfType(t, 'complaint.received').length).toBe(events);
  });

  it('a known sourceId is accepted; 20 attachments with url or sha256 are fine', async () => {
    const now = t.clock.now().toISOString();
    inTx(t.app.deps.db, (tx) =>
      tx
        .insert(pollutionSources)
        .values({
          id: 'src-1',
          creditCode: '91350100M000100Y43',
          name: 'Plant',
          side: 'region',
          agencyCode: 'CJS',
          lat: 44.05,
          lng: 86.03,
          address: 'x',
          industry: 'power',
          createdAt: now,
          updatedAt: now,
        })
        .run(),
    );
    const atts = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? { url: `https://x.example/${i}.jpg`, mediaType: 'image/jpeg', bytes: 100 } : { sha256: 'a'.repeat(64) },
    );
    const c = await create(t, k.intake, { sourceId: 'src-1', attachments: atts });
    expect(row(t, c.id).attachments).toHaveLength(20);
  });

  it('externalRef is unique per channel: the second is a 409 pointing at the first', async () => {
    const first = await create(t, k.partner, { externalRef: 'HL-1', channel: 'phone' });
    const r = await post(t, k.partner, '/v1/complaints', body({ externalRef: 'HL-1', channel: 'phone' }));
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ existingId: first.id, existingNumber: first.number });
    expect(r.headers.location).toBe(`/v1/complaints/${first.id}`);
    // another channel may reuse the reference
    await create(t, k.partner, { externalRef: 'HL-1', channel: 'web' });
  });
});

describe('Idempotency-Key on POST /v1/complaints', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp();
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  it('same key and body → the original status and body, Idempotent-Replayed, one complaint', async () => {
    const b = body({ reporter: { name: 'Li', anonymous: false } });
    const h = { 'idempotency-key': 'hotline-retry-1' };
    const first = await post(t, k.partner, '/v1/complaints', b, h);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const before = countComplaints(t);
    // key order in the body does not matter
    const reordered = Object.fromEntries(Object.entries(b).reverse());
    const again = await post(t, k.partner, '/v1/complaints', reordered, h);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.json()).toEqual(first.json());
    expect(countComplaints(t)).toBe(before);
    // the stored response does not hold the query code in the clear
    const stored = t.app.deps.db.select().from(idempotencyKeys).all();
    expect(JSON.stringify(stored)).not.toContain(first.json().queryCode);
  });

  it('same key with another body → 422 and nothing created', async () => {
    const h = { 'idempotency-key': 'reuse-me' };
    expect((await post(t, k.partner, '/v1/complaints', body(), h)).statusCode).toBe(201);
    const before = countComplaints(t);
    const r = await post(t, k.partner, '/v1/complaints', body({ description: 'something else' }), h);
    expect(r.statusCode).toBe(422);
    expect(r.json().type).toMatch(/idempotency-key-reused$/);
    expect(countComplaints(t)).toBe(before);
  });

  it('two concurrent requests with one key create one complaint', async () => {
    const before = countComplaints(t);
    const b = body();
    const h = { 'idempotency-key': 'concurrent-1' };
    const [a, c] = await Promise.all([post(t, k.partner, '/v1/complaints', b, h), post(t, k.partner, '/v1/complaints', b, h)]);
    expect([a.statusCode, c.statusCode]).toEqual([201, 201]);
    expect(a.json().id).toBe(c.json().id);
    expect([a.headers['idempotent-replayed'], c.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
    expect(countComplaints(t)).toBe(before + 1);
  });

  it('keys are scoped per API key', async () => {
    const h = { 'idempotency-key': 'shared-name' };
    const b = body();
    const a = await post(t, k.partner, '/v1/complaints', b, h);
    const c = await post(t, k.partner2, '/v1/complaints', b, h);
    expect(a.json().id).not.toBe(c.json().id);
    expect(c.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a failed request stores no key: the retry runs again', async () => {
    const h = { 'idempotency-key': 'fails-first' };
    const r1 = await post(t, k.partner, '/v1/complaints', body({ sourceId: 'nope' }), h);
    expect(r1.statusCode).toBe(400);
    const r2 = await post(t, k.partner, '/v1/complaints', body(), h);
    expect(r2.statusCode).toBe(201);
  });

  it('keys are kept 24 h, then pruned (the key is new again)', async () => {
    const h = { 'idempotency-key': 'day-old' };
    const b = body();
    const first = await post(t, k.partner, '/v1/complaints', b, h);
    t.clock.advanceHours(23);
    const within = await post(t, k.partner, '/v1/complaints', b, h);
    expect(within.headers['idempotent-replayed']).toBe('true');
    t.clock.advanceHours(1.5);
    const after = await post(t, k.partner, '/v1/complaints', b, h);
    expect(after.statusCode).toBe(201);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(after.json().id).not.toBe(first.json().id);
  });

  it('Idempotency-Key longer than 255 characters → 400', async () => {
    const r = await post(t, k.partner, '/v1/complaints', body(), { 'idempotency-key': 'k'.repeat(256) });
    expect(r.statusCode).toBe(400);
  });

  it('the created complaint is readable at its Location', async () => {
    const c = await create(t, k.intake);
    const r = await get(t, k.intake, `/v1/complaints/${c.id}`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: c.id, number: c.number, status: 'received' });
  });
});
