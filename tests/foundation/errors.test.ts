import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { conflict } from '../../src/http/problem.js';

const isProblem = (r: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number) => {
  expect(r.statusCode).toBe(status);
  expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const b = r.json();
  expect(b).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), detail: expect.any(String) });
  expect(r.headers['x-request-id']).toBeTruthy();
  return b;
};

describe('problem+json for every error', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({
      env: { BODY_LIMIT_BYTES: '2048' },
      routes: (app) => {
        // A route that throws a bug, to prove 500s leak nothing; and one that throws a domain conflict.
        app.get('/v1/_boom', async () => {
          throw new Error('secret internals at /srv/db.ts:42');
        });
        app.get('/v1/_conflict', async () => {
          throw conflict('wrong-state', 'The complaint is closed.', { currentStatus: 'closed' });
        });
      },
    });
  });
  afterAll(() => t.close());

  it('400 with per-field errors and unknown fields rejected', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.auth(t.admin), payload: { role: 'wizard', extra: 1 } });
    const b = isProblem(r, 400);
    const fields = b.errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('body/role');
    expect(fields).toContain('body/extra');
  });

  it('400 for malformed JSON', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { ...t.auth(t.admin), 'content-type': 'application/json' },
      payload: '{"role":',
    });
    isProblem(r, 400);
  });

  it('401 without a key and with an unknown key', async () => {
    isProblem(await t.app.inject({ url: '/v1/api-keys' }), 401);
    isProblem(await t.app.inject({ url: '/v1/api-keys', headers: t.auth('ek_nope') }), 401);
  });

  it('403 for a known key without the role', async () => {
    const k = t.key({ role: 'partner' });
    isProblem(await t.app.inject({ url: '/v1/api-keys', headers: t.auth(k) }), 403);
  });

  it('404 for an unknown route and 405 for a wrong method', async () => {
    isProblem(await t.app.inject({ url: '/v1/nowhere' }), 404);
    const r = await t.app.inject({ method: 'PUT', url: '/v1/api-keys' });
    isProblem(r, 405);
    expect(r.headers.allow).toMatch(/GET/);
    expect(r.headers.allow).toMatch(/POST/);
  });

  it('409 shape for a domain conflict', async () => {
    const b = isProblem(await t.app.inject({ url: '/v1/_conflict', headers: t.auth(t.admin) }), 409);
    expect(b.currentStatus).toBe('closed');
  });

  it('413 for a body over the limit', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.auth(t.admin), payload: { role: 'admin', name: 'x'.repeat(5000) } });
    isProblem(r, 413);
  });

  it('415 for an unsupported media type', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { ...t.auth(t.admin), 'content-type': 'application/xml' },
      payload: '<role/>',
    });
    isProblem(r, 415);
  });

  it('500 carries the request id and no internals; the log has the error', async () => {
    const r = await t.app.inject({ url: '/v1/_boom', headers: { ...t.auth(t.admin), 'x-request-id': 'req-abc-123' } });
    const b = isProblem(r, 500);
    expect(JSON.stringify(b)).not.toMatch(/secret internals|srv|stack/);
    expect(b.instance).toBe('req-abc-123');
    expect(r.headers['x-request-id']).toBe('req-abc-123');
    expect(t.logs.some((l) => l.includes('req-abc-123') && l.includes('secret internals'))).toBe(true);
  });

  it('never logs the bearer key', async () => {
    await t.app.inject({ url: '/v1/api-keys', headers: t.auth(t.admin) });
    expect(t.logs.join('\n')).not.toContain(t.admin);
  });
});

describe('request logs', () => {
  it('never carry secrets from query strings (Open311 api_key, public lookup code)', async () => {
    const t = await makeApp();
    try {
      await t.app.inject({ url: `/open311/v2/requests.json?api_key=${t.admin}` });
      await t.app.inject({ url: '/v1/public/complaints/12369-2026-000001?code=SECRETCODE' });
      const all = t.logs.join('\n');
      expect(all).toContain('api_key=[redacted]');
      expect(all).not.toContain(t.admin);
      expect(all).not.toContain('SECRETCODE');
    } finally {
      await t.close();
    }
  });
});
