import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { makeApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/global-setup.js';

describe('configuration that fits', () => {
  it('PUBLIC_BASE_URL defaults from HOST and PORT', () => {
    expect(loadConfig({}).publicBaseUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ PORT: '8088' }).publicBaseUrl).toBe('http://127.0.0.1:8088');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8088' }).publicBaseUrl).toBe('http://localhost:8088');
    expect(loadConfig({ HOST: '::1', PORT: '8088' }).publicBaseUrl).toBe('http://[::1]:8088');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://enforcement.example.cn', PORT: '8088' }).publicBaseUrl).toBe('https://enforcement.example.cn');
  });

  it('TRUST_PROXY and CORS_ORIGINS are off by default and parsed as lists', () => {
    expect(loadConfig({})).toMatchObject({ trustProxy: false, corsOrigins: [] });
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16', CORS_ORIGINS: 'https://a.example, https://b.example' })).toMatchObject({
      trustProxy: ['10.0.0.1', '10.1.0.0/16'],
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
    expect(() => loadConfig({ CORS_ORIGINS: 'not a url' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.example' })).toThrow(/TRUST_PROXY/);
  });
});

describe('browser access', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ start: false, env: { CORS_ORIGINS: 'https://app.example' } });
  });
  afterAll(() => t.close());

  it('/docs is public: a request without a key gets the HTML page', async () => {
    const r = await t.app.inject({ url: '/docs/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toMatch(/swagger/i);
    expect((await t.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('CORS: an allowed origin gets its preflight answered; another origin gets no CORS headers', async () => {
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/complaints',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/authorization/);
    const other = await t.app.inject({ url: '/v1/event-types', headers: { origin: 'https://evil.example', authorization: `Bearer ${t.admin}` } });
    expect(other.statusCode).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await t.app.inject({ url: '/v1/event-types', headers: { origin: 'https://app.example', authorization: `Bearer ${t.admin}` } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(allowed.headers['access-control-expose-headers'])).toMatch(/etag/);
  });
});

describe('without CORS_ORIGINS and behind a proxy', () => {
  const lookups = async (t: TestApp, forwardedFor: string) =>
    (await t.app.inject({ url: '/v1/public/complaints/12369-2026-000001?code=nope', headers: { 'x-forwarded-for': forwardedFor } })).statusCode;

  it('no CORS headers at all by default; rate limits share one bucket unless TRUST_PROXY names the proxy', async () => {
    const plain = await makeApp({ start: false, env: { PUBLIC_LOOKUP_RATE_PER_MINUTE: '2' } });
    try {
      const r = await plain.app.inject({
        method: 'OPTIONS',
        url: '/v1/complaints',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
      // Untrusted proxy: every client behind it is the proxy's address, one bucket.
      expect([await lookups(plain, '203.0.113.1'), await lookups(plain, '203.0.113.2'), await lookups(plain, '203.0.113.3')]).toEqual([404, 404, 429]);
    } finally {
      await plain.close();
    }
    const proxied = await makeApp({ start: false, env: { PUBLIC_LOOKUP_RATE_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' } });
    try {
      // inject() comes from 127.0.0.1, the trusted proxy: each forwarded client has its own bucket.
      expect([await lookups(proxied, '203.0.113.1'), await lookups(proxied, '203.0.113.2'), await lookups(proxied, '203.0.113.3')]).toEqual([404, 404, 404]);
      expect([await lookups(proxied, '203.0.113.1'), await lookups(proxied, '203.0.113.1')]).toEqual([404, 429]);
    } finally {
      await proxied.close();
    }
  });

  it('the webhook https error names the setting that allows local receivers', async () => {
    const t = await makeApp({ start: false, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' } });
    try {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/subscriptions',
        headers: { authorization: `Bearer ${t.admin}` },
        payload: { url: 'http://127.0.0.1:9999/hook', types: ['*'] },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().errors[0]).toMatchObject({ field: 'body/url', reason: expect.stringMatching(/WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/) });
    } finally {
      await t.close();
    }
  });
});

describe('the process', () => {
  let blocker: Server;
  afterAll(() => blocker?.close());

  it('a port in use is one line naming PORT (exit 78)', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: '', LOG_LEVEL: 'silent', DATABASE_PATH: `/tmp/enf-port-${port}.db` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(78);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^PORT ${port} on 127.0.0.1 is already in use`));
  }, 90_000);
});
