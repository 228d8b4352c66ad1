import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { makeApp, type TestApp } from '../support/app.js';
import { AT, seedMap } from '../intake/helpers.js';

type Res = { statusCode: number; headers: Record<string, unknown>; json(): any; body: string };
const isProblem = (r: Res, status: number, field?: string) => {
  expect(r.statusCode, r.body).toBe(status);
  expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(r.headers['x-request-id']).toBeTruthy();
  const b = r.json();
  expect(b).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//) });
  if (field) expect(b.errors.map((e: { field: string }) => e.field)).toContain(field);
  return b;
};

describe('strict input', () => {
  let t: TestApp;
  let h: { authorization: string };
  beforeAll(async () => {
    t = await makeApp();
    h = t.auth(t.admin);
    seedMap(t);
  });
  afterAll(() => t.close());
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { ...h, ...headers }, payload: payload as string });

  it('does not coerce body types (string, array, number, null), but still coerces query strings', async () => {
    isProblem(await post('/v1/api-keys', { role: 'partner', name: 123 }), 400, 'body/name');
    isProblem(await post('/v1/api-keys', { role: 'partner', name: false }), 400, 'body/name');
    isProblem(await post('/v1/agencies', { code: false, name: 'x', side: 'region', level: 'county' }), 400, 'body/code');
    isProblem(await post('/v1/teams', { agencyCode: 'CJS', name: 'x', categories: 'air' }), 400, 'body/categories');
    isProblem(
      await post('/v1/complaints', { channel: 'web', category: 'air', description: 'x', location: { lat: '44.05', lng: 86.03 } }),
      400,
      'body/location/lat',
    );
    const list = await t.app.inject({ url: '/v1/api-keys?limit=2', headers: h });
    expect(list.statusCode).toBe(200);
  });

  it('takes forms only on the Open311 routes; 415 elsewhere, naming the accepted types', async () => {
    const r = await post('/v1/api-keys', 'role=partner', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(isProblem(r, 415).detail).toMatch(/application\/json/);
    const form = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `api_key=${t.admin}&service_code=air&lat=${AT.region.lat}&long=${AT.region.lng}&description=smoke`,
    });
    expect(form.statusCode, form.body).toBe(201);
  });

  it('answers 415 for a JSON body without content-type or as text/plain', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: h, payload: '{"role":"partner"}' });
    expect(isProblem(none, 415).accepted).toEqual(['application/json']);
    const text = await post('/v1/api-keys', '{"role":"partner"}', { 'content-type': 'text/plain' });
    expect(isProblem(text, 415).detail).toMatch(/text\/plain.*application\/json/);
  });

  it('accepts an empty body with content-type application/json on body-less routes', async () => {
    const created = await post('/v1/api-keys', { role: 'partner' });
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${created.json().id}`,
      headers: { ...h, 'content-type': 'application/json' },
      payload: '',
    });
    expect(del.statusCode, del.body).toBeLessThan(300);
    const retry = await post('/v1/admin/jobs/nope/retry', '', { 'content-type': 'application/json' });
    isProblem(retry, 404);
  });

  it('refuses lone surrogates and NUL with a field error; keeps bidi controls', async () => {
    const j = { 'content-type': 'application/json' };
    isProblem(await post('/v1/api-keys', '{"role":"partner","name":"a\\ud800b"}', j), 400, 'body/name');
    isProblem(await post('/v1/api-keys', '{"role":"partner","name":"a\\udc00"}', j), 400, 'body/name');
    isProblem(await post('/v1/api-keys', '{"role":"partner","name":"a\\u0000b"}', j), 400, 'body/name');
    const ok = await post('/v1/api-keys', '{"role":"partner","name":"ok \\ud83d\\ude00 \\u202bئۇيغۇر\\u202c"}', j);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().name).toBe('ok 😀 \u202bئۇيغۇر\u202c');
  });

  it('refuses an unknown adminCode with a field error; a known or Xinjiang code is taken', async () => {
    const base = { channel: 'web', category: 'air', description: '烟囱冒黑烟', address: '北京路 12 号' };
    isProblem(await post('/v1/complaints', { ...base, adminCode: '999999' }), 400, 'body/adminCode');
    isProblem(await post('/v1/complaints', { ...base, adminCode: '110101' }), 400, 'body/adminCode');
    expect((await post('/v1/complaints', { ...base, adminCode: '652301' })).statusCode).toBe(201);
  });

  it('names the allowed values in enum errors', async () => {
    const b = isProblem(await post('/v1/api-keys', { role: 'wizard' }), 400, 'body/role');
    expect(b.errors[0].reason).toMatch(/"admin".*"partner"/);
  });
});

describe('errors that used to bypass problem+json', () => {
  let t: TestApp;
  let h: { authorization: string };
  beforeAll(async () => {
    t = await makeApp({ start: false });
    h = t.auth(t.admin);
  });
  afterAll(() => t.close());

  it('long path parameters: 300 characters reach the route; over the router limit → 414 problem', async () => {
    const ok = await t.app.inject({ method: 'POST', url: `/v1/admin/jobs/${'j'.repeat(300)}/retry`, headers: h });
    isProblem(ok, 404);
    isProblem(await t.app.inject({ url: `/v1/cases/${'a'.repeat(2000)}`, headers: h }), 414);
  });

  it('bad percent-encoding → 400 problem', async () => {
    isProblem(await t.app.inject({ url: '/v1/cases/%FF', headers: h }), 400, 'path');
  });

  it('an unknown method (QUERY) → 405 with Allow', async () => {
    const r = await t.app.inject({ method: 'QUERY' as 'GET', url: '/v1/api-keys', headers: h });
    isProblem(r, 405);
    expect(r.headers.allow).toMatch(/GET.*POST/);
  });

  it('CR/LF in an Open311 path id → the GeoReport error array', async () => {
    const r = await t.app.inject({ url: '/open311/v2/requests/ab%0D%0Acd.json', headers: h });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual([{ code: 404, description: expect.any(String) }]);
  });

  it('Open311 requests.json with an unknown service_code: a documented 404 GeoReport array', async () => {
    // The response check (tests/support/contract.ts) fails this test if 404 is not in the document.
    const r = await t.app.inject({ url: `/open311/v2/requests.json?service_code=abc&api_key=${t.admin}` });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual([{ code: 404, description: expect.any(String) }]);
  });

  it('/v1/areas/import is not the area "import": 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
      const r = await t.app.inject({ method, url: '/v1/areas/import', headers: h });
      isProblem(r, 405);
      expect(r.headers.allow).toBe('POST');
    }
  });

  describe('over a real socket', () => {
    let port: number;
    beforeAll(async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = (t.app.server.address() as AddressInfo).port;
    });
    const raw = (request: string | Buffer) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => s.write(request));
        let out = '';
        s.on('data', (d) => (out += d.toString('latin1')));
        s.on('end', () => resolve(out));
        s.on('close', () => resolve(out));
        s.on('error', reject);
      });
    const parse = (res: string) => {
      const [head, body] = res.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), head: head.toLowerCase(), body: JSON.parse(body) };
    };

    it('raw UTF-8 in the URL → 400 problem+json with x-request-id', async () => {
      const r = parse(await raw(Buffer.concat([Buffer.from('GET /v1/cases/'), Buffer.from('案件', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')])));
      expect(r.status).toBe(400);
      expect(r.head).toMatch(/content-type: application\/problem\+json/);
      expect(r.head).toMatch(/x-request-id: /);
      expect(r.body).toMatchObject({ status: 400, type: expect.stringMatching(/^https:/) });
    });

    it('a request line over the header limit → 431 problem+json', async () => {
      const r = parse(await raw(`GET /v1/cases?q=${'x'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
      expect(r.status).toBe(431);
      expect(r.head).toMatch(/content-type: application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 431 });
    });
  });
});
