import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseApp, createCase, transition, type CaseTest } from './helpers.js';
import { grantCaseAccess } from '../../src/cases/access.js';
import { inTx } from '../../src/db/client.js';

type Item = { id: string; deleted?: true; version?: number; summary?: string };

/** A field app's local copy, synced with updatedSince. */
class Replica {
  cursor = '0';
  cases = new Map<string, Item>();
  deliveries: Item[] = [];
  pages = 0;
  constructor(
    private t: CaseTest,
    private who: string,
    private limit = 3,
  ) {}
  async page(): Promise<boolean> {
    const r = await this.t.req(this.who, 'GET', `/v1/cases?updatedSince=${this.cursor}&limit=${this.limit}`);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as { items: Item[]; nextCursor: string; hasMore: boolean };
    for (const it of body.items) {
      this.deliveries.push(it);
      if (it.deleted) this.cases.delete(it.id);
      else this.cases.set(it.id, it);
    }
    expect(body.nextCursor).toEqual(expect.any(String));
    this.cursor = body.nextCursor;
    this.pages++;
    return body.hasMore;
  }
  async catchUp() {
    while (await this.page());
  }
}

/** What the server says the caller sees now, by id → version. */
async function serverView(t: CaseTest, who: string) {
  const items = (await t.req(who, 'GET', '/v1/cases?limit=500')).json().items as Item[];
  return new Map(items.map((c) => [c.id, c.version]));
}
const versions = (r: Replica) => new Map([...r.cases].map(([id, c]) => [id, c.version]));

describe('concurrency: version, ETag, If-Match on cases', () => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp();
  });
  afterAll(() => t.close());

  it('PATCH without If-Match is 428, stale is 412 with the current version, current is 200 with a new ETag', async () => {
    const c = await createCase(t);
    await t.app.runtime.settle(); // routing bumps the version
    const g = await t.req('changjiInspector', 'GET', `/v1/cases/${c.id}`);
    const etag = g.headers.etag as string;
    expect(etag).toBe(`"${g.json().version}"`);
    const none = await t.req('changjiInspector', 'PATCH', `/v1/cases/${c.id}`, { title: 'A' });
    expect(none.statusCode).toBe(428);
    const ok = await t.req('changjiInspector', 'PATCH', `/v1/cases/${c.id}`, { title: 'A', partyName: '昌吉某热力公司' }, { 'if-match': etag });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ title: 'A', partyName: '昌吉某热力公司', version: g.json().version + 1 });
    expect(ok.headers.etag).toBe(`"${g.json().version + 1}"`);
    // A second inspector still holding the old ETag does not overwrite silently.
    const lost = await t.req('changjiSupervisor', 'PATCH', `/v1/cases/${c.id}`, { title: 'B' }, { 'if-match': etag });
    expect(lost.statusCode).toBe(412);
    expect(lost.json().currentVersion).toBe(g.json().version + 1);
    expect((await t.req('admin', 'GET', `/v1/cases/${c.id}`)).json().title).toBe('A');
    // The change is on the timeline with before and after.
    const tl = (await t.req('admin', 'GET', `/v1/cases/${c.id}/timeline`)).json().items;
    expect(tl.at(-1).data).toMatchObject({ action: 'updated', changes: { title: { from: c.title, to: 'A' } } });
    // Bad input: empty body, unknown field, unknown source.
    const cur = ok.headers.etag as string;
    expect((await t.req('changjiInspector', 'PATCH', `/v1/cases/${c.id}`, {}, { 'if-match': cur })).statusCode).toBe(400);
    expect((await t.req('changjiInspector', 'PATCH', `/v1/cases/${c.id}`, { status: 'closed' }, { 'if-match': cur })).statusCode).toBe(400);
    expect((await t.req('changjiInspector', 'PATCH', `/v1/cases/${c.id}`, { sourceId: 'nope' }, { 'if-match': cur })).statusCode).toBe(404);
  });
});

describe('sync (updatedSince)', () => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp();
  });
  afterAll(() => t.close());

  it('catches up exactly across page boundaries with writes between and during pages', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createCase(t, { title: `case ${i}` })).id);
    // Someone else's case: never delivered.
    await createCase(t, { leadAgencyCode: '650100', location: { lat: 43.83, lng: 87.62 } }, 'admin');
    const app = new Replica(t, 'changjiInspector', 3);
    await app.page(); // first page of 3
    const etag = async (id: string) => (await t.req('admin', 'GET', `/v1/cases/${id}`)).headers.etag as string;
    // Between pages: change a case already delivered, one not yet delivered, and add one.
    const delivered = app.deliveries[0].id;
    const pending = created.find((id) => !app.cases.has(id))!;
    await t.req('changjiInspector', 'PATCH', `/v1/cases/${delivered}`, { summary: 'changed after delivery' }, { 'if-match': await etag(delivered) });
    await t.req('changjiInspector', 'PATCH', `/v1/cases/${pending}`, { summary: 'changed before delivery' }, { 'if-match': await etag(pending) });
    created.push((await createCase(t, { title: 'late' })).id);
    // During the next pages: concurrent writes racing the reads.
    let more = true;
    let round = 0;
    while (more) {
      const writes =
        round < 3 ? [transition(t, created[round], 'investigating'), createCase(t, { title: `racing ${round}` }).then((c) => created.push(c.id))] : [];
      const [hasMore] = await Promise.all([app.page(), ...writes]);
      more = hasMore as boolean;
      round++;
    }
    await app.catchUp(); // whatever committed after the last page
    expect(app.pages).toBeGreaterThan(3);
    expect(versions(app)).toEqual(await serverView(t, 'changjiInspector'));
    // No change was delivered twice: a case comes again only with a higher version.
    const seen = new Map<string, number>();
    for (const d of app.deliveries) {
      if (seen.has(d.id)) expect(d.version!).toBeGreaterThan(seen.get(d.id)!);
      seen.set(d.id, d.version!);
    }
    expect(app.cases.get(pending)!.summary).toBe('changed before delivery');
    expect(app.deliveries.filter((d) => d.id === pending)).toHaveLength(1);
    // Nothing new → an empty page, same cursor.
    const before = app.cursor;
    const empty = (await t.req('changjiInspector', 'GET', `/v1/cases?updatedSince=${before}`)).json();
    expect(empty).toEqual({ items: [], nextCursor: before, hasMore: false });
  });

  it('a case transferred away comes as a tombstone, once; a cross-filed case appears for the receiver', async () => {
    const mine = new Replica(t, 'changjiInspector', 50);
    const pref = new Replica(t, 'changjiPrefSupervisor', 50);
    const top = new Replica(t, 'regionTop', 50);
    const d7 = new Replica(t, 'd7Supervisor', 50);
    const c = await createCase(t, { title: 'to be transferred' });
    for (const r of [mine, pref, top, d7]) await r.catchUp();
    expect(mine.cases.has(c.id)).toBe(true);
    expect(d7.cases.has(c.id)).toBe(false);
    const tr = await transition(t, c.id, 'transferred', { reason: 'Kuytun’s matter', toAgencyCode: '654003' });
    expect(tr.statusCode).toBe(200);
    for (const r of [mine, pref, top]) await r.catchUp();
    expect(mine.deliveries.at(-1)).toEqual({ id: c.id, deleted: true });
    expect(mine.cases.has(c.id)).toBe(false);
    expect(pref.deliveries.at(-1)).toEqual({ id: c.id, deleted: true });
    expect(top.cases.get(c.id)).toMatchObject({ version: expect.any(Number) }); // still visible to the region's top
    expect((top.cases.get(c.id) as { leadAgencyCode?: string }).leadAgencyCode).toBe('654003');
    // Later changes of the case are not repeated as tombstones.
    await transition(t, c.id, 'investigating', {}, 'admin');
    const n = mine.deliveries.length;
    await mine.catchUp();
    expect(mine.deliveries.length).toBe(n);
    // Cross-filing grants read access: the receiver's next sync brings the case.
    inTx(t.app.deps.db, (tx) => grantCaseAccess(tx, t.clock, { caseId: c.id, agencyCode: 'XPCC-D7', reason: 'filing:f1' }));
    await d7.catchUp();
    expect(d7.cases.get(c.id)).toMatchObject({ id: c.id });
    expect((await t.req('d7Supervisor', 'GET', `/v1/cases/${c.id}`)).statusCode).toBe(200);
  });

  it('bad cursors and filters with updatedSince are 400', async () => {
    expect((await t.req('changjiInspector', 'GET', '/v1/cases?updatedSince=garbage')).statusCode).toBe(400);
    const r = await t.req('changjiInspector', 'GET', '/v1/cases?updatedSince=0&status=registered');
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('querystring/status');
    expect((await t.req('partner', 'GET', '/v1/cases?updatedSince=0')).statusCode).toBe(404);
  });
});
