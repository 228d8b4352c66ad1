import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { caseApp, createCase, walk, type CaseTest } from './helpers.js';
import { GENESIS } from '../../src/cases/timeline.js';
import { canonicalJson } from '../../src/json.js';

const evidence = {
  sha256: 'a'.repeat(64),
  mediaType: 'image/jpeg',
  bytes: 482_113,
  capturedAt: '2026-03-02T01:30:00.000Z',
  capturedBy: '执法证 65010023',
  location: { lat: 44.01, lng: 87.31 },
  description: 'Chimney, north side',
};

describe('case timeline', () => {
  let t: CaseTest;
  let caseId: string;
  beforeAll(async () => {
    t = await caseApp();
    caseId = (await createCase(t)).id;
    await t.app.runtime.settle();
    await walk(t, caseId, ['investigating']);
    expect((await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/notes`, { text: 'Owner not present; spoke to the foreman.' })).statusCode).toBe(201);
    expect((await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/evidence`, evidence)).statusCode).toBe(201);
    // a compulsory measure (a fine would wait for pending_decision: 行政处罚法 arts. 44–45, 57)
    const m = await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/measures`, { type: 'seal_seizure', startsOn: '2026-03-02', endsOn: '2026-03-31' });
    expect(m.statusCode, m.body).toBe(201);
  });
  afterAll(() => t.close());

  const timeline = async () => (await t.req('changjiInspector', 'GET', `/v1/cases/${caseId}/timeline?limit=500`)).json().items;
  const verify = async () => (await t.req('changjiInspector', 'GET', `/v1/cases/${caseId}/timeline/verify`)).json();
  const sqlite = () => t.app.deps.db.$client;

  it('records every change, note and evidence record, in order, chained by hash', async () => {
    const items = await timeline();
    expect(items.map((e: { kind: string; data: { action?: string } }) => e.data.action ?? e.kind)).toEqual([
      'registered',
      'routed',
      'transition',
      'note',
      'evidence',
      'measure_added',
    ]);
    expect(items.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(items[0].prevHash).toBe(GENESIS);
    for (let i = 0; i < items.length; i++) {
      const e = items[i];
      if (i > 0) expect(e.prevHash).toBe(items[i - 1].hash);
      const canon = canonicalJson({ caseId, seq: e.seq, kind: e.kind, at: e.at, actor: e.actor, actorAgencyCode: e.actorAgencyCode, data: e.data });
      expect(e.hash).toBe(
        createHash('sha256')
          .update(e.prevHash + canon)
          .digest('hex'),
      );
    }
    expect(items[4].data).toEqual(evidence);
    expect(items[3]).toMatchObject({ kind: 'note', actorAgencyCode: '652301', data: { text: 'Owner not present; spoke to the foreman.' } });
    expect(await verify()).toEqual({ valid: true, entries: 6 });
  });

  it('pages oldest first', async () => {
    const p1 = (await t.req('changjiInspector', 'GET', `/v1/cases/${caseId}/timeline?limit=4`)).json();
    expect(p1.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4]);
    const p2 = (await t.req('changjiInspector', 'GET', `/v1/cases/${caseId}/timeline?limit=4&cursor=${p1.nextCursor}`)).json();
    expect(p2.items.map((e: { seq: number }) => e.seq)).toEqual([5, 6]);
    expect(p2.nextCursor).toBeNull();
  });

  it('bad evidence and notes are 400 and add nothing', async () => {
    for (const bad of [
      { ...evidence, sha256: 'xyz' },
      { ...evidence, bytes: -1 },
      { ...evidence, mediaType: 'jpeg' },
      { ...evidence, capturedAt: '2030-01-01T00:00:00.000Z' },
      { ...evidence, file: 'base64…' },
    ]) {
      expect((await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/evidence`, bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/notes`, { text: '' })).statusCode).toBe(400);
    expect((await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/notes`, { text: 'x'.repeat(5001) })).statusCode).toBe(400);
    expect(await verify()).toEqual({ valid: true, entries: 6 });
  });

  it('notes and evidence do not change the case version', async () => {
    const before = (await t.req('changjiInspector', 'GET', `/v1/cases/${caseId}`)).json().version;
    await t.req('changjiInspector', 'POST', `/v1/cases/${caseId}/notes`, { text: 'another' });
    expect((await t.req('changjiInspector', 'GET', `/v1/cases/${caseId}`)).json().version).toBe(before);
    sqlite().prepare('DELETE FROM case_timeline WHERE case_id = ? AND seq = 7').run(caseId);
  });

  it('an entry altered directly in SQLite is reported as the first broken link', async () => {
    const row = sqlite().prepare('SELECT data FROM case_timeline WHERE case_id = ? AND seq = 4').get(caseId) as { data: string };
    sqlite()
      .prepare('UPDATE case_timeline SET data = ? WHERE case_id = ? AND seq = 4')
      .run(JSON.stringify({ text: 'Owner present; no violation.' }), caseId);
    const v = await verify();
    expect(v).toMatchObject({ valid: false, entries: 6, firstBrokenAt: 4 });
    sqlite().prepare('UPDATE case_timeline SET data = ? WHERE case_id = ? AND seq = 4').run(row.data, caseId);
    expect(await verify()).toEqual({ valid: true, entries: 6 });
  });

  it('a re-hashed altered entry breaks the next link; a deleted entry is reported too', async () => {
    const rows = sqlite().prepare('SELECT * FROM case_timeline WHERE case_id = ? ORDER BY seq').all(caseId) as Record<string, unknown>[];
    // Forge entry 2 consistently with its own hash: entry 3's prevHash no longer matches.
    const e2 = rows[1];
    const forged = { ...JSON.parse(String(e2.data)), leadTeamId: 'team-forged' };
    const canon = canonicalJson({ caseId, seq: 2, kind: e2.kind, at: e2.at, actor: e2.actor, actorAgencyCode: e2.actor_agency_code, data: forged });
    const hash = createHash('sha256')
      .update(String(e2.prev_hash) + canon)
      .digest('hex');
    sqlite().prepare('UPDATE case_timeline SET data = ?, hash = ? WHERE id = ?').run(JSON.stringify(forged), hash, e2.id);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenAt: 3 });
    sqlite().prepare('UPDATE case_timeline SET data = ?, hash = ? WHERE id = ?').run(e2.data, e2.hash, e2.id);
    expect((await verify()).valid).toBe(true);
    sqlite().prepare('DELETE FROM case_timeline WHERE id = ?').run(rows[2].id);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenAt: 4 });
  });

  it('the timeline is visible to co-handling agencies, who may add notes; others 404', async () => {
    const c = await createCase(t, { coHandlingAgencyCodes: ['XPCC-D6'] });
    expect((await t.req('d6Supervisor', 'POST', `/v1/cases/${c.id}/notes`, { text: 'We saw it too.' })).statusCode).toBe(201);
    expect((await t.req('d6Supervisor', 'GET', `/v1/cases/${c.id}/timeline`)).json().items.at(-1).actorAgencyCode).toBe('XPCC-D6');
    expect((await t.req('d8Supervisor', 'POST', `/v1/cases/${c.id}/notes`, { text: 'x' })).statusCode).toBe(404);
    expect((await t.req('d8Supervisor', 'GET', `/v1/cases/${c.id}/timeline/verify`)).statusCode).toBe(404);
    expect((await t.req('intake', 'POST', `/v1/cases/${c.id}/notes`, { text: 'x' })).statusCode).toBe(403);
  });
});
