import { afterAll, beforeAll, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { registryOf } from '../support/factories.js';
import { emit, Receiver, seedAgencies, subscribe } from '../events/helpers.js';

const TOKEN = 'prometheus-scrape-token-0123456789abcdef';

describeModes('GET /metrics', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    // Not started: the outbox lag is measured before the relay runs.
    t = await makeApp({ mode, start: false, env: { METRICS_TOKEN: TOKEN } });
    seedAgencies(t);
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const r = await t.app.inject({ url: '/metrics', headers: t.auth(TOKEN) });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(r.body);
    const family = (name: string) => {
      const f = families.find((x) => x.name === name);
      if (!f) throw new Error(`no metric ${name} in\n${r.body}`);
      return f;
    };
    const value = (name: string, labels: Record<string, string> = {}) => {
      const s = family(name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      return s ? Number(s.value) : undefined;
    };
    return { family, value, text: r.body };
  };

  it('needs the metrics token or an admin key: none → 401, another role → 403', async () => {
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/metrics', headers: t.auth('not-the-token') })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/metrics', headers: t.auth(t.key({ role: 'intake' })) })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/metrics', headers: t.auth(t.admin) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/metrics', headers: t.auth(TOKEN) })).statusCode).toBe(200);
  });

  it('outbox lag is the age of the oldest unrelayed event, 0 once relayed; queue depths, failures, deliveries and overdue deadlines', async () => {
    const rx = await new Receiver().start();
    try {
      rx.respond = (r) => (r.json.subject === 'cases/m-2' ? 410 : 204); // 410: the receiver refuses for good
      await subscribe(t, t.admin, { url: rx.url, types: ['case.*'] });
      const reg = registryOf(t);
      reg.handle('test.metrics.doomed', {
        queue: 'notify',
        attempts: 1,
        run: () => {
          throw new Error('always fails');
        },
      });
      reg.react(['case.overdue'], (e) => [{ queue: 'notify', name: 'test.metrics.doomed', id: `doomed-${e.id}`, payload: {} }]);
      emit(t, { subject: 'cases/m-1', type: 'case.registered', data: { id: 'm-1' } });
      t.clock.advance(30_000);
      emit(t, { subject: 'cases/m-2', type: 'case.overdue', data: { id: 'm-2', deadline: 'decision' } });
      t.clock.advance(12_000);
      let m = await scrape();
      expect(m.value('enf_outbox_lag_seconds')).toBe(42);
      expect(m.value('enf_deadlines_overdue_total', { kind: 'case.overdue' })).toBe(1);
      expect(m.value('enf_deadlines_overdue_total', { kind: 'complaint.overdue' })).toBe(0);

      await t.app.runtime.start({ workers: true });
      await t.app.runtime.settle();
      m = await scrape();
      expect(m.value('enf_outbox_lag_seconds')).toBe(0);
      expect(m.value('enf_queue_jobs', { queue: 'notify', state: 'failed' })).toBe(1);
      expect(m.value('enf_queue_jobs', { queue: 'deliver', state: 'failed' })).toBe(0);
      expect(m.value('enf_queue_jobs', { queue: 'deliver', state: 'completed' })).toBeGreaterThanOrEqual(2);
      for (const q of ['route', 'work-region', 'work-corps', 'notify', 'deliver', 'deadline'])
        expect(m.value('enf_queue_jobs', { queue: q, state: 'waiting' }), q).toBe(0);
      expect(m.value('enf_webhook_deliveries', { outcome: 'delivered' })).toBe(1);
      expect(m.value('enf_webhook_deliveries', { outcome: 'failed' })).toBe(1);
      expect(m.value('enf_queue_paused', { queue: 'work-corps' })).toBe(0);
    } finally {
      await rx.close();
    }
  });

  it('HTTP requests are histograms by route pattern (never the URL) and status', async () => {
    for (const id of ['a1', 'b2', 'c3']) await t.app.inject({ url: `/v1/cases/${id}`, headers: t.auth(t.admin) });
    const m = await scrape();
    expect(m.family('enf_http_request_duration_seconds').type).toBe('HISTOGRAM');
    // The parser folds a labelled histogram's series into one, so its lines are read here.
    const lines = m.text.split('\n').filter((l) => l.startsWith('enf_http_request_duration_seconds'));
    expect(lines).toContain('enf_http_request_duration_seconds_count{method="GET",route="/v1/cases/:id",status_code="404"} 3');
    expect(lines.some((l) => /_bucket\{le="0\.1",method="GET",route="\/v1\/cases\/:id",status_code="404"\} \d/.test(l))).toBe(true);
    expect(lines.some((l) => /a1|b2|c3/.test(l))).toBe(false);
  });

  it('counts SQLITE_BUSY: a write that cannot get the lock answers 503 database-busy and is counted', async () => {
    const before = (await scrape()).value('enf_sqlite_busy_errors_total') ?? 0;
    const other = new Database(t.config.databasePath);
    t.app.deps.db.$client.pragma('busy_timeout = 20');
    other.exec('BEGIN IMMEDIATE');
    try {
      const r = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.auth(t.admin), payload: { role: 'intake', name: 'busy' } });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ type: expect.stringMatching(/database-busy$/) });
      expect(r.headers['retry-after']).toBe('1');
    } finally {
      other.exec('ROLLBACK');
      other.close();
      t.app.deps.db.$client.pragma('busy_timeout = 5000');
    }
    expect((await scrape()).value('enf_sqlite_busy_errors_total')).toBeGreaterThan(before);
  });
});
