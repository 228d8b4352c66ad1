import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { classifyAddress } from '../../src/events/safety.js';
import { postWebhook } from '../../src/events/send.js';
import { emit, Receiver, subscribe } from './helpers.js';

describe('subscription URL safety', () => {
  let strict: TestApp;
  let lenient: TestApp;
  beforeAll(async () => {
    strict = await makeApp({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }, start: false });
    lenient = await makeApp({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }, start: false });
  });
  afterAll(async () => {
    await strict.close();
    await lenient.close();
  });

  const create = (t: TestApp, url: string) =>
    t.app.inject({ method: 'POST', url: '/v1/subscriptions', headers: t.auth(t.admin), payload: { url, types: ['case.*'] } });

  it('classifies addresses', () => {
    expect(classifyAddress('169.254.169.254')).toBe('forbidden');
    expect(classifyAddress('fe80::1')).toBe('forbidden');
    expect(classifyAddress('fd00:ec2::254')).toBe('forbidden');
    expect(classifyAddress('0.0.0.0')).toBe('forbidden');
    expect(classifyAddress('127.0.0.1')).toBe('private');
    expect(classifyAddress('10.1.2.3')).toBe('private');
    expect(classifyAddress('172.20.0.1')).toBe('private');
    expect(classifyAddress('192.168.1.1')).toBe('private');
    expect(classifyAddress('::ffff:10.0.0.1')).toBe('private');
    expect(classifyAddress('::1')).toBe('private');
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('2001:4860:4860::8888')).toBe('public');
  });

  const subscriptionCount = () => (strict.app.deps.db.$client.prepare('select count(*) n from subscriptions').get() as { n: number }).n;

  // IPv6 forms that embed an IPv4 address are as bad as the address they embed.
  const embedded: [string, 'private' | 'forbidden'][] = [
    ['::127.0.0.1', 'private'], // IPv4-compatible (deprecated)
    ['::a9fe:a9fe', 'forbidden'], // IPv4-compatible 169.254.169.254
    ['::ffff:169.254.169.254', 'forbidden'], // IPv4-mapped
    ['::ffff:0:a00:1', 'private'], // IPv4-translated (RFC 6145) 10.0.0.1
    ['64:ff9b::7f00:1', 'private'], // NAT64 127.0.0.1
    ['64:ff9b::a9fe:a9fe', 'forbidden'], // NAT64 169.254.169.254
    ['64:ff9b::c0a8:101', 'private'], // NAT64 192.168.1.1
    ['64:ff9b:1::808:808', 'forbidden'], // local-use NAT64: where the IPv4 sits is the operator's choice
    ['2002:7f00:1::1', 'private'], // 6to4 127.0.0.1
    ['2002:a9fe:a9fe::1', 'forbidden'], // 6to4 169.254.169.254
    ['2002:6440:1::1', 'private'], // 6to4 100.64.0.1 (CGNAT)
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'private'], // Teredo, client 127.0.0.1 (XOR 0xffffffff)
    ['2001:0:a9fe:a9fe:8000:63bf:f7f7:f7f7', 'forbidden'], // Teredo, server 169.254.169.254
    ['2001:0:4136:e378:8000:63bf:1fff:ffff', 'forbidden'], // Teredo, client 224.0.0.0 (multicast)
    ['64:ff9b::e000:1', 'forbidden'], // NAT64 multicast
    ['64:ff9b::', 'forbidden'], // NAT64 0.0.0.0
    ['64:ff9b::c000:201', 'forbidden'], // NAT64 192.0.2.1 (reserved, documentation)
  ];
  const publicLiterals = [
    '8.8.8.8',
    '93.184.216.34',
    '2001:4860:4860::8888',
    '2606:4700:4700::1111',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
  ];

  it('classifies IPv6 forms by the IPv4 address they embed, and plain literals by their own range', () => {
    for (const [a, c] of embedded) expect(classifyAddress(a), a).toBe(c);
    for (const a of publicLiterals) expect(classifyAddress(a), a).toBe('public');
    for (const a of ['fd00::1', 'fc00::5']) expect(classifyAddress(a), a).toBe('private');
    for (const a of ['::', 'ff02::1', 'fec0::1', '2001:db8::1', '100.100.100.200', '192.0.2.1', '255.255.255.255'])
      expect(classifyAddress(a), a).toBe('forbidden');
  });

  it('refuses webhook URLs whose IPv6 literal embeds a non-public IPv4 (400), accepts public literals over https', async () => {
    for (const [a] of embedded) {
      const r = await create(strict, `https://[${a}]/hook`);
      expect(r.statusCode, a).toBe(400);
      expect(r.headers['content-type'], a).toMatch(/^application\/problem\+json/);
      expect(r.json().errors[0].field, a).toBe('body/url');
    }
    for (const [a, c] of embedded) expect((await create(lenient, `http://[${a}]/hook`)).statusCode, a).toBe(c === 'private' ? 201 : 400);
    for (const a of publicLiterals) {
      const host = a.includes(':') ? `[${a}]` : a;
      expect((await create(strict, `https://${host}/hook`)).statusCode, a).toBe(201);
    }
  });

  it('refuses malformed URLs and forbidden addresses with 400 (and creates nothing)', async () => {
    const refused = [
      'not a url',
      'ftp://example.com/x',
      'http://93.184.216.34/hook', // http to a public address
      'http://127.0.0.1:9/hook', // http without WEBHOOK_ALLOW_PRIVATE_NETWORKS
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://10.0.0.5/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[::127.0.0.1]/',
      'https://[::a9fe:a9fe]/',
      'https://[64:ff9b::7f00:1]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://169.254.169.254/latest/meta-data/',
      'https://user:pw@93.184.216.34/hook',
      'https://no-such-host.invalid/hook',
    ];
    const before = subscriptionCount();
    for (const url of refused) {
      const r = await create(strict, url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().errors[0].field, url).toBe('body/url');
    }
    expect(subscriptionCount()).toBe(before);
    expect((await create(strict, 'https://93.184.216.34/hook')).statusCode).toBe(201);
  });

  it('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows http to private/loopback, never to link-local or metadata', async () => {
    expect((await create(lenient, 'http://127.0.0.1:9/hook')).statusCode).toBe(201);
    expect((await create(lenient, 'http://10.0.0.5/hook')).statusCode).toBe(201);
    expect((await create(lenient, 'http://169.254.169.254/latest/meta-data/')).statusCode).toBe(400);
    expect((await create(lenient, 'http://93.184.216.34/hook')).statusCode).toBe(400);
  });

  it('a receiver that does not answer in time is a failed attempt (timeout), and at most 64 KiB is read', async () => {
    const hang = createServer(() => {});
    const big = createServer((_q, s) => {
      s.writeHead(500);
      s.end('y'.repeat(1_000_000));
    });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
    const h = await postWebhook(`http://127.0.0.1:${(hang.address() as AddressInfo).port}/`, {}, '{}', { allowPrivate: true, timeoutMs: 200 });
    expect(h.statusCode).toBeNull();
    expect(h.error).toContain('timeout');
    const b = await postWebhook(`http://127.0.0.1:${(big.address() as AddressInfo).port}/`, {}, '{}', { allowPrivate: true });
    expect(b.statusCode).toBe(500);
    expect(b.body!.length).toBeLessThanOrEqual(64 * 1024);
    hang.closeAllConnections();
    big.closeAllConnections();
    hang.close();
    big.close();
  });
});

describeModes('delivery-time safety', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ mode });
  });
  afterAll(() => t.close());

  it('redirects are not followed', async () => {
    const target = await new Receiver().start();
    const redirector = await new Receiver().start();
    // answers 307 pointing at the target; we do not follow it
    redirector.respond = () => 307;
    redirector.headers = () => ({ location: target.url });
    const sub = await subscribe(t, t.admin, { url: redirector.url, types: ['case.*'] });
    emit(t, { subject: 'cases/redirect', type: 'case.registered' });
    await t.app.runtime.settle();
    expect(redirector.requests.length).toBe(1);
    expect(target.requests.length).toBe(0);
    const log = (await t.app.inject({ url: `/v1/subscriptions/${sub.id}/deliveries`, headers: t.auth(t.admin) })).json();
    expect(log.items[0]).toMatchObject({ status: 'pending', lastStatusCode: 307 });
    await t.app.inject({ method: 'DELETE', url: `/v1/subscriptions/${sub.id}`, headers: t.auth(t.admin) });
    await target.close();
    await redirector.close();
  });

  it('the address is re-checked at delivery time', async () => {
    const rx = await new Receiver().start();
    const sub = await subscribe(t, t.admin, { url: rx.url, types: ['case.*'] });
    // the deployment stops allowing private networks after the subscription was made
    t.app.deps.config.webhookAllowPrivateNetworks = false;
    try {
      emit(t, { subject: 'cases/recheck', type: 'case.registered' });
      await t.app.runtime.settle();
      expect(rx.requests.length).toBe(0);
      const log = (await t.app.inject({ url: `/v1/subscriptions/${sub.id}/deliveries`, headers: t.auth(t.admin) })).json();
      expect(log.items[0].attemptLog[0].statusCode).toBeNull();
      expect(log.items[0].attemptLog[0].error).toMatch(/https|loopback|private/);
    } finally {
      t.app.deps.config.webhookAllowPrivateNetworks = true;
      await rx.close();
    }
  });
});
