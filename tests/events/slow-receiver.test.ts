import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { emit, Receiver, seedAgencies, subscribe, until } from './helpers.js';

/** A receiver that reads each request and never answers (until closed). */
async function hangingReceiver() {
  const seen: string[] = [];
  const server: Server = createServer((req) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => seen.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describeModes('one hanging receiver among 20', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ mode });
    seedAgencies(t);
  });
  afterAll(() => t.close());

  it('the 19 that answer get every event (in subject order) while the hanging one still holds its first', async () => {
    const key = t.key({ role: 'admin', name: 'partner' });
    const hang = await hangingReceiver();
    const fast = await Promise.all(Array.from({ length: 19 }, () => new Receiver().start()));
    await subscribe(t, key, { url: hang.url, types: ['complaint.received'] });
    for (const rx of fast) await subscribe(t, key, { url: rx.url, types: ['complaint.received'] });

    // 3 subjects, 2 events each: 120 deliveries, more than the runner's concurrency.
    const written = ['a', 'b', 'c'].flatMap((s) => [emit(t, { subject: `complaints/slow-${s}` }), emit(t, { subject: `complaints/slow-${s}` })]);
    t.app.runtime.poke();

    // No settle(): it would wait for the hanging one. The 10 s delivery timeout has not run out
    // when the 19 are done (they answer at once), so they did not wait for it.
    await until(() => fast.every((rx) => rx.delivered.length === written.length), 8_000, 'the 19 receivers');
    expect(hang.seen.length).toBeGreaterThan(0);
    expect(hang.seen.length).toBeLessThan(written.length); // later events of its subjects wait behind the hanging ones
    for (const rx of fast) {
      // per-subject order kept for each receiver; nothing doubled
      expect(rx.delivered.map((r) => r.json.id).sort()).toEqual(written.map((w) => w.id).sort());
      for (const s of ['a', 'b', 'c']) {
        const ids = rx.delivered.filter((r) => r.json.subject === `complaints/slow-${s}`).map((r) => r.json.id);
        expect(ids).toEqual(written.filter((w) => w.subject === `complaints/slow-${s}`).map((w) => w.id));
      }
    }

    await hang.close(); // the hanging attempts end (connection reset) and are recorded as failed attempts
    await t.app.runtime.settle();
    await Promise.all(fast.map((rx) => rx.close()));
  });
});
