import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import openapiTS, { astToString } from 'openapi-typescript';
import { enforcementClient } from '../../clients/ts/index.js';
import { makeApp, type TestApp } from '../support/app.js';
import { AT, seedMap } from '../intake/helpers.js';

describe('the generated TypeScript client (clients/ts) drives the service over HTTP', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await makeApp();
    seedMap(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('is generated from the committed document (run `npm run openapi` after changing routes)', async () => {
    const committed = readFileSync(new URL('../../clients/ts/schema.d.ts', import.meta.url), 'utf8');
    const json = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    expect(committed).toContain(astToString(await openapiTS(json)));
  });

  it('files a complaint, reads it back, and gets typed problems', async () => {
    const api = enforcementClient(base, t.key({ role: 'intake' }));
    const created = await api.POST('/v1/complaints', {
      params: { header: { 'idempotency-key': 'client-e2e-0001' } },
      body: { channel: 'web', category: 'air', description: '锅炉烟囱冒黑烟', location: AT.region },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const id = created.data!.id;
    expect(created.data!.number).toMatch(/^12369-/);

    const read = await api.GET('/v1/complaints/{id}', { params: { path: { id } } });
    expect(read.response.status).toBe(200);
    expect(read.data).toMatchObject({ id, category: 'air' });

    const bad = await api.POST('/v1/complaints', {
      body: { channel: 'web', category: 'air', description: 'x', location: { lat: '44.05' as unknown as number, lng: 86.03 } },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.error).toMatchObject({ status: 400, errors: [{ field: 'body/location/lat' }] });

    const anonymous = enforcementClient(base);
    const denied = await anonymous.GET('/v1/complaints/{id}', { params: { path: { id } } });
    expect(denied.response.status).toBe(401);
  });
});
