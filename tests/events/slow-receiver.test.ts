import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from '../support/app.js';
import { eq } from 'drizzle-orm';
import { emit, Receiver, seedAgencies, subscribe, until } from './helpers.js';
import { deliveries } from '../../src/events/tables.js';

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

describeModes('a hanging receiver sent many subjects holds at most DELIVERY_PER_SUBSCRIPTION slots', (mode) => {
  const CAP = 2;
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ mode, env: { DELIVERY_PER_SUBSCRIPTION: String(CAP) } });
    seedAgencies(t);
  });
  afterAll(() => t.close());

  it('the 19 get every event while the hanging one has at most the cap in flight; the rest of its deliveries wait, none lost', async () => {
    const key = t.key({ role: 'admin', name: 'partner' });
    const hang = await hangingReceiver();
    const fast = await Promise.all(Array.from({ length: 19 }, () => new Receiver().start()));
    const hangSub = await subscribe(t, key, { url: hang.url, types: ['complaint.received'] });
    for (const rx of fast) await subscribe(t, key, { url: rx.url, types: ['complaint.received'] });

    // 12 subjects, one event each: without the cap the hanging receiver's 12 sends fill every slot.
    const written = Array.from({ length: 12 }, (_, i) => emit(t, { subject: `complaints/cap-${i}` }));
    t.app.runtime.poke();

    await until(() => fast.every((rx) => rx.delivered.length === written.length), 8_000, 'the 19 receivers');
    // It never answers, so every request it has seen is still in flight: exactly the cap.
    expect(hang.seen.length).toBe(CAP);
    for (const rx of fast) expect(rx.delivered.map((r) => r.json.id).sort()).toEqual(written.map((w) => w.id).sort());

    // Closing it ends the two sends (failed attempts); each freed slot lets a waiting delivery go
    // (refused now, a failed attempt too). Every delivery got its first attempt, none twice.
    await hang.close();
    await t.app.runtime.settle();
    const rows = t.app.deps.db.select().from(deliveries).where(eq(deliveries.subscriptionId, hangSub.id)).all();
    expect(rows).toHaveLength(written.length);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(written.map(() => ['pending', 1]));
    await Promise.all(fast.map((rx) => rx.close()));
  });
});

describeModes('closing the app while a send hangs', (mode) => {
  it('aborts the send and records the attempt as failed before the queues close (no job outlives the app)', async () => {
    const t = await makeApp({ mode });
    seedAgencies(t);
    const dbPath = t.app.deps.config.databasePath;
    const hang = await hangingReceiver();
    try {
      const key = t.key({ role: 'admin', name: 'partner' });
      await subscribe(t, key, { url: hang.url, types: ['complaint.received'] });
      const ev = emit(t, { subject: 'complaints/closing-1' });
      t.app.runtime.poke();
      await until(() => hang.seen.includes(ev.id), 8_000, 'the send in flight');
      await t.close({ keepDir: true });
      // Read after close, from the file: the attempt ended in the app's lifetime, with its reason.
      const { default: Database } = await import('better-sqlite3');
      const ro = new Database(dbPath, { readonly: true });
      try {
        const d = ro.prepare('SELECT status, attempts, last_error AS lastError FROM deliveries WHERE event_id = ?').get(ev.id) as {
          status: string;
          attempts: number;
          lastError: string | null;
        };
        expect(d).toMatchObject({ status: 'pending', attempts: 1 });
        expect(d.lastError).toMatch(/shutting down/);
      } finally {
        ro.close();
      }
    } finally {
      await hang.close();
    }
  });
});
