import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { events } from '../../src/outbox/tables.js';
import { AT, assignmentsOf, countComplaints, get, keys, ok, seedMap } from './helpers.js';
import { eq } from 'drizzle-orm';
import { complaints } from '../../src/intake/tables.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describeModes('Open311 GeoReport v2 facade', (mode) => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  /** POST requests.json exactly as a GeoReport client sends it: form-encoded, api_key in the body. */
  const postForm = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { ...FORM, ...headers }, payload: new URLSearchParams(params).toString() });

  const isGeoError = (r: { statusCode: number; json(): any }, status: number) => {
    expect(r.statusCode).toBe(status);
    const b = r.json();
    expect(Array.isArray(b)).toBe(true);
    expect(b.length).toBeGreaterThan(0);
    for (const e of b) expect(e).toEqual({ code: status, description: expect.any(String) });
    return b as { code: number; description: string }[];
  };

  it('services.json lists one service per category; services/{code}.json defines it', async () => {
    const r = await t.app.inject({ url: '/open311/v2/services.json' });
    expect(r.statusCode).toBe(200);
    const list = r.json();
    expect(list.map((s: { service_code: string }) => s.service_code)).toEqual([
      'air',
      'water',
      'soil',
      'noise',
      'solid_waste',
      'radiation',
      'ecology',
      'other',
    ]);
    expect(list[0]).toMatchObject({
      service_code: 'air',
      metadata: false,
      type: 'realtime',
      service_name: expect.any(String),
      description: expect.any(String),
    });
    expect((await t.app.inject({ url: '/open311/v2/services/water.json' })).json()).toEqual({ service_code: 'water', attributes: [] });
    isGeoError(await t.app.inject({ url: '/open311/v2/services/potholes.json' }), 404);
  });

  it('POST requests.json (form-encoded, api_key) creates a complaint on the same intake path and routes it', async () => {
    const before = countComplaints(t);
    const r = await postForm({
      api_key: k.partner,
      jurisdiction_id: 'xj.12369',
      service_code: 'air',
      lat: String(AT.region.lat),
      long: String(AT.region.lng),
      description: 'Strong chemical smell near the canal every night',
      media_url: 'https://photos.example/abc.jpg',
      first_name: 'Ming',
      last_name: 'Li',
      phone: '138 0013 8000',
      email: 'ming.li@example.cn',
      device_id: 'tt222111',
      'attribute[WHISPAWN]': '123456',
    });
    expect(r.statusCode, r.body).toBe(201);
    const [res] = r.json();
    expect(res).toMatchObject({ service_request_id: expect.stringMatching(/^12369-2026-\d{6}$/), account_id: null });
    expect(res.service_notice).toMatch(/code=[A-Z2-9]{8}/);
    expect(countComplaints(t)).toBe(before + 1);
    const c = t.app.deps.db.select().from(complaints).where(eq(complaints.number, res.service_request_id)).get()!;
    expect(c).toMatchObject({ channel: 'open311', category: 'air', lat: AT.region.lat, lng: AT.region.lng, status: 'received', reporterAnonymous: false });
    expect(c.attachments).toEqual([{ url: 'https://photos.example/abc.jpg' }]);
    // reporter confidential: encrypted, visible to intake only, never in events
    expect(JSON.stringify(c)).not.toMatch(/Ming|13800138000|138 0013 8000|ming\.li/);
    const detail = (await get(t, k.intake, `/v1/complaints/${c.id}`)).json();
    expect(detail.reporter).toMatchObject({ name: 'Ming Li', phone: '138 0013 8000', email: 'ming.li@example.cn' });
    expect((await get(t, k.partner, `/v1/complaints/${c.id}`)).json().reporter).toBeUndefined();
    // the public lookup works with the notice's code
    const code = /code=([A-Z2-9]{8})/.exec(res.service_notice)![1];
    expect((await t.app.inject({ url: `/v1/public/complaints/${res.service_request_id}?code=${code}` })).statusCode).toBe(200);
    // routing runs behind it
    await ok(t, k.intake, c.id, 'accept');
    await t.app.runtime.settle();
    expect(assignmentsOf(t, c.id)).toHaveLength(1);
    const evs = t.app.deps.db.select().from(events).all();
    expect(JSON.stringify(evs)).not.toMatch(/Ming|13800138000|138 0013 8000|ming\.li/);
  });

  it('GET requests/{id}.json and requests.json as a GeoReport client reads them', async () => {
    const created = await postForm({
      api_key: k.partner,
      service_code: 'water',
      address_string: '北京南路 88 号, 昌吉市',
      address_id: '652301',
      description: 'Oil on the water',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json()[0].service_request_id;
    const one = await t.app.inject({ url: `/open311/v2/requests/${id}.json?api_key=${k.partner}` });
    expect(one.statusCode).toBe(200);
    const [sr] = one.json();
    expect(sr).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'water',
      description: 'Oil on the water',
      address: '北京南路 88 号, 昌吉市',
      address_id: '652301',
      lat: null,
      long: null,
      zipcode: null,
      requested_datetime: t.clock.now().toISOString(),
    });
    expect(Object.keys(sr)).not.toEqual(expect.arrayContaining(['first_name', 'phone', 'email']));

    const list = await t.app.inject({ url: `/open311/v2/requests.json?api_key=${k.partner}&service_code=water&status=open` });
    expect(list.statusCode).toBe(200);
    expect(list.json().map((x: { service_request_id: string }) => x.service_request_id)).toEqual([id]);
    expect((await t.app.inject({ url: `/open311/v2/requests.json?api_key=${k.partner}&status=closed` })).json()).toEqual([]);
    const byIds = await t.app.inject({ url: `/open311/v2/requests.json?api_key=${k.partner}&service_request_id=${id},12369-2026-999999` });
    expect(byIds.json()).toHaveLength(1);
    // a reply closes it in GeoReport terms; status_notes carries the answer
    const cid = t.app.deps.db.select().from(complaints).where(eq(complaints.number, id)).get()!.id;
    await ok(t, k.intake, cid, 'accept');
    await ok(t, k.intake, cid, 'reply', { text: 'Cleaned up by the operator.' });
    const closed = (await t.app.inject({ url: `/open311/v2/requests/${id}.json?api_key=${k.partner}` })).json()[0];
    expect(closed).toMatchObject({ status: 'closed', status_notes: 'replied: Cleaned up by the operator.' });
    // date window rules
    const start = new Date(t.clock.now().getTime() - 86_400_000).toISOString();
    const end = new Date(t.clock.now().getTime() + 86_400_000).toISOString();
    expect(
      (await t.app.inject({ url: `/open311/v2/requests.json?api_key=${k.partner}&start_date=${start}&end_date=${end}` })).json().length,
    ).toBeGreaterThanOrEqual(2);
    const longAgo = new Date(t.clock.now().getTime() - 200 * 86_400_000).toISOString();
    isGeoError(await t.app.inject({ url: `/open311/v2/requests.json?api_key=${k.partner}&start_date=${longAgo}&end_date=${end}` }), 400);
    // another partner does not see it
    isGeoError(await t.app.inject({ url: `/open311/v2/requests/${id}.json?api_key=${k.partner2}` }), 404);
    expect((await t.app.inject({ url: `/open311/v2/requests.json?api_key=${k.partner2}` })).json()).toEqual([]);
  });

  it('JSON bodies and a Bearer header work too; Idempotency-Key replays', async () => {
    const payload = { api_key: k.partner, service_code: 'noise', lat: AT.corps.lat, long: AT.corps.lng, description: 'Night-time pile driving' };
    const h = { 'idempotency-key': 'o311-1' };
    const a = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: h, payload });
    expect(a.statusCode).toBe(201);
    const b = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: h, payload });
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json()).toEqual(a.json());
    const { api_key: _k, ...noKey } = payload;
    const c = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: t.auth(k.intake), payload: { ...noKey, description: 'again' } });
    expect(c.statusCode).toBe(201);
    const again = await postForm(
      { api_key: k.partner, service_code: 'noise', lat: String(AT.corps.lat), long: String(AT.corps.lng), description: 'changed' },
      h,
    );
    isGeoError(again, 422);
  });

  it('errors are GeoReport arrays with proper statuses, and never echo reporter values', async () => {
    const base = { service_code: 'air', lat: String(AT.region.lat), long: String(AT.region.lng), description: 'x' };
    const before = countComplaints(t);
    isGeoError(await postForm(base), 400); // no api_key
    const bad = isGeoError(await postForm({ ...base, api_key: 'ek_not_a_key' }), 403);
    expect(bad[0].description).toMatch(/Invalid api_key/);
    isGeoError(await postForm({ ...base, api_key: k.cjsAir }), 403); // an inspector may not create
    isGeoError(await postForm({ ...base, api_key: k.partner, service_code: 'potholes' }), 400);
    const { lat: _a, long: _b, ...noLoc } = base;
    isGeoError(await postForm({ ...noLoc, api_key: k.partner }), 400);
    isGeoError(await postForm({ ...noLoc, api_key: k.partner, address_string: 'somewhere' }), 400); // needs address_id
    isGeoError(await postForm({ ...base, api_key: k.partner, lat: '91' }), 400);
    const { long: _c, ...latOnly } = base;
    isGeoError(await postForm({ ...latOnly, api_key: k.partner }), 400);
    isGeoError(await postForm({ ...base, api_key: k.partner, description: 'x'.repeat(4001) }), 400);
    const phone = isGeoError(await postForm({ ...base, api_key: k.partner, phone: 'ring 13912345678' }), 400);
    expect(JSON.stringify(phone)).not.toContain('13912345678');
    expect(phone[0].description).toMatch(/phone/);
    isGeoError(await postForm({ ...base, api_key: k.partner, nonsense: '1' }), 400);
    expect(countComplaints(t)).toBe(before);
    isGeoError(await t.app.inject({ url: '/open311/v2/requests.json' }), 400);
    isGeoError(await t.app.inject({ url: `/open311/v2/requests.json?api_key=${k.partner}&status=pending` }), 400);
  });
});
