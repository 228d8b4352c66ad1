import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeApp, type TestApp } from '../support/app.js';
import { groupCommits, inGroupTx, openDb, type Db } from '../../src/db/client.js';
import { body, countComplaints, eventsOfType, keys, post, seedMap } from './helpers.js';

/** A database of its own for the kernel function: two tables, one with a deferred foreign key. */
function scratch(): { db: Db; path: string; other: Database.Database } {
  const path = join(mkdtempSync(join(tmpdir(), 'enf-group-')), 'g.db');
  const db = openDb(path);
  db.$client.exec(`CREATE TABLE g_parent (id TEXT PRIMARY KEY);
    CREATE TABLE g_child (id TEXT PRIMARY KEY, parent TEXT REFERENCES g_parent(id) DEFERRABLE INITIALLY DEFERRED)`);
  return { db, path, other: new Database(path, { readonly: true }) };
}
const ids = (c: Database.Database, table: string) => (c.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as { id: string }[]).map((r) => r.id);

describe('inGroupTx (group commit)', () => {
  it('units of one turn share one transaction; a unit that throws is rolled back alone and gets its own error', async () => {
    const { db, other } = scratch();
    const before = groupCommits(db);
    const seenByOther: string[][] = [];
    const a = inGroupTx(db, () => {
      db.$client.prepare(`INSERT INTO g_parent (id) VALUES ('a')`).run();
      return 'a';
    });
    const b = inGroupTx(db, () => {
      db.$client.prepare(`INSERT INTO g_parent (id) VALUES ('b')`).run();
      // Same transaction as a's (sees its row), not committed yet (another connection does not).
      expect(db.$client.inTransaction).toBe(true);
      expect(ids(db.$client, 'g_parent')).toEqual(['a', 'b']);
      seenByOther.push(ids(other, 'g_parent'));
      throw new Error('b refused');
    });
    const c = inGroupTx(db, () => {
      db.$client.prepare(`INSERT INTO g_parent (id) VALUES ('c')`).run();
      return 'c';
    });
    const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
    expect(ra).toEqual({ status: 'fulfilled', value: 'a' });
    expect(rb.status === 'rejected' && (rb.reason as Error).message).toBe('b refused');
    expect(rc).toEqual({ status: 'fulfilled', value: 'c' });
    expect(seenByOther).toEqual([[]]);
    expect(ids(other, 'g_parent')).toEqual(['a', 'c']);
    expect(groupCommits(db)).toEqual({ commits: before.commits + 1, units: before.units + 3 });
  });

  it('when the commit itself fails, every unit of the group gets the error and nothing is written', async () => {
    const { db, other } = scratch();
    const good = inGroupTx(db, () => db.$client.prepare(`INSERT INTO g_parent (id) VALUES ('p')`).run());
    // The deferred foreign key is checked only at COMMIT: the unit's savepoint releases fine.
    const orphan = inGroupTx(db, () => db.$client.prepare(`INSERT INTO g_child (id, parent) VALUES ('x', 'missing')`).run());
    const [rg, ro] = await Promise.allSettled([good, orphan]);
    expect(rg.status).toBe('rejected');
    expect(ro.status).toBe('rejected');
    expect(String((rg as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(ids(other, 'g_parent')).toEqual([]);
    expect(ids(other, 'g_child')).toEqual([]);
    // The connection is usable again.
    await inGroupTx(db, () => db.$client.prepare(`INSERT INTO g_parent (id) VALUES ('q')`).run());
    expect(ids(other, 'g_parent')).toEqual(['q']);
  });
});

describe('POST /v1/complaints under group commit', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    // Workers off: only these creates commit through inGroupTx while the burst runs.
    t = await makeApp({ workers: false });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  it('a burst in one turn: gapless numbers, one event each, an external-ref clash and a same-key retry answered right', async () => {
    const before = groupCommits(t.app.deps.db);
    const n0 = countComplaints(t);
    const send = (over: Record<string, unknown>, key?: string) => post(t, k.intake, '/v1/complaints', body(over), key ? { 'idempotency-key': key } : {});
    const retryBody = body({ description: 'same key twice in one burst' });
    const rs = await Promise.all([
      ...Array.from({ length: 8 }, () => send({})),
      send({ externalRef: 'HOTLINE-77' }),
      send({ externalRef: 'HOTLINE-77' }),
      post(t, k.intake, '/v1/complaints', retryBody, { 'idempotency-key': 'burst-1' }),
      post(t, k.intake, '/v1/complaints', retryBody, { 'idempotency-key': 'burst-1' }),
    ]);
    const after = groupCommits(t.app.deps.db);
    // They went through together (fewer commits than creates).
    expect(after.units - before.units).toBe(12);
    expect(after.commits - before.commits).toBeLessThan(12);

    const statuses = rs.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(11);
    expect(statuses.filter((s) => s === 409)).toHaveLength(1);
    expect(rs[9].json()).toMatchObject({ type: expect.stringContaining('external-ref-exists'), existingId: rs[8].json().id });
    // The retry is the first answer replayed, not a second complaint.
    expect(rs[11].headers['idempotent-replayed']).toBe('true');
    expect(rs[11].json()).toEqual(rs[10].json());

    const created = rs
      .filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] !== 'true')
      .map((r) => r.json() as { id: string; number: string });
    expect(created).toHaveLength(10);
    expect(countComplaints(t)).toBe(n0 + 10);
    const seqs = created.map((c) => Number(c.number.slice(-6))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => seqs[0] + i));
    const received = eventsOfType(t, 'complaint.received').map((e) => e.subject);
    for (const c of created) expect(received.filter((s) => s === `complaints/${c.id}`)).toHaveLength(1);
  });
});
