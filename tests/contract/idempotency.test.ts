import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { filingApp, filingsOf, newCase, SEAM, type CaseTest } from '../filings/helpers.js';
import { inspectionApp, type InspectionTest } from '../inspections/helpers.js';
import { polygonAt } from '../reference/helpers.js';

/**
 * 201s that store no resource a retry could double: a stream token is a 60-second single-use
 * credential (a retry simply gets another; the unused one expires), a backup is a file.
 */
const NOT_RESOURCES = new Set(['POST /v1/events/stream-tokens', 'POST /v1/admin/backups']);

type Doc = { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; responses: Record<string, unknown> }>> };

describe('Idempotency-Key: one mechanism on every creating POST', () => {
  it('the document declares Idempotency-Key on every operation that answers 201', () => {
    const doc = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as Doc;
    const creating: string[] = [];
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        if (!op.responses?.['201'] || NOT_RESOURCES.has(`${method.toUpperCase()} ${path}`)) continue;
        creating.push(`${method.toUpperCase()} ${path}`);
        if (!(op.parameters ?? []).some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'))
          missing.push(`${method.toUpperCase()} ${path}`);
      }
    expect(creating.length).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });

  describe('replays', () => {
    let t: CaseTest;
    beforeAll(async () => {
      t = await filingApp('embedded', { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    });
    afterAll(() => t.close());

    /** Sends the same create twice under one key: one resource, the same answer, marked as a replay. */
    async function once(label: string, url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
      const key = `k-${url}-${Math.random()}`;
      const first = await t.req(label, 'POST', url, body, { 'idempotency-key': key, ...headers });
      expect(first.statusCode, first.body).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await t.req(label, 'POST', url, body, { 'idempotency-key': key, ...headers });
      expect(again.statusCode, again.body).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.headers.etag).toBe(first.headers.etag);
      // Same key, another body: refused, nothing created.
      const other = await t.req(label, 'POST', url, { ...body, __other: undefined, ...differ(body) }, { 'idempotency-key': key, ...headers });
      expect(other.statusCode, other.body).toBe(422);
      expect(other.json().type).toContain('idempotency-key-reused');
      return first.json();
    }
    // A body that differs from the first in one string field the route accepts.
    const differ = (b: Record<string, unknown>) => {
      for (const f of ['text', 'name', 'question', 'description', 'legalBasis', 'reason', 'category'])
        if (typeof b[f] === 'string') return { [f]: f === 'category' ? 'noise' : `${b[f] as string} (2)` };
      throw new Error('no string field to vary');
    };

    it('reference data: agencies, teams, areas, routing rules', async () => {
      await once('admin', '/v1/agencies', { code: 'XPCC-D9', name: '第九师生态环境局', side: 'corps', level: 'division', parentCode: 'XPCC' });
      expect((await t.req('admin', 'GET', '/v1/agencies/XPCC-D9')).statusCode).toBe(200);
      const team = await once('admin', '/v1/teams', { agencyCode: '650100', name: '乌鲁木齐市执法支队 水组', categories: ['water'] });
      expect(
        (await t.req('admin', 'GET', '/v1/teams?agencyCode=650100&limit=100')).json().items.filter((x: { name: string }) => x.name === team.name),
      ).toHaveLength(1);
      const area = await once('admin', '/v1/areas', { name: '测试网格', side: 'region', agencyCode: '650100', kind: 'grid', geometry: polygonAt(87.7, 43.9) });
      expect((await t.req('admin', 'GET', `/v1/areas?agencyCode=650100&limit=100`)).json().items.filter((x: { id: string }) => x.id === area.id)).toHaveLength(
        1,
      );
      await once('admin', '/v1/routing-rules', { agencyCode: '650100', category: 'water', teamId: team.id });
    });

    it('keys and subscriptions: the secret shown once comes back on a replay (kept sealed at rest)', async () => {
      const k = await once('admin', '/v1/api-keys', { role: 'partner', name: '自治区生态环境厅 数据共享平台', audience: 'all', scopes: ['events'] });
      expect(k.key).toMatch(/^ek_/);
      const rows = t.app.deps.db.$client.prepare("SELECT response FROM idempotency_keys WHERE route = 'POST /v1/api-keys'").all() as { response: string }[];
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.response).not.toContain(k.key);
      const s = await once('admin', '/v1/subscriptions', { url: 'http://127.0.0.1:9/hook', types: ['case.*'], description: '兵团执法平台 接收端' });
      expect(s.secret).toMatch(/^whsec_/);
      expect((await t.req('admin', 'GET', '/v1/subscriptions?limit=100')).json().items.filter((x: { id: string }) => x.id === s.id)).toHaveLength(1);
    });

    it('case notes, evidence and measures; filing comments and information requests', async () => {
      const c = await newCase(t);
      await once('changjiInspector', `/v1/cases/${c.id}/notes`, { text: '现场复查：除尘设施仍未运行。' });
      await once('changjiInspector', `/v1/cases/${c.id}/evidence`, {
        sha256: 'a'.repeat(64),
        mediaType: 'image/jpeg',
        bytes: 182_311,
        capturedAt: t.clock.now().toISOString(),
        capturedBy: '执法证号 65010023',
        description: '锅炉房烟囱冒黑烟照片',
      });
      await once('changjiInspector', `/v1/cases/${c.id}/measures`, { type: 'warning', legalBasis: '中华人民共和国环境保护法 第二十五条' });
      const timeline = (await t.req('changjiInspector', 'GET', `/v1/cases/${c.id}/timeline?limit=100`)).json().items as { kind: string }[];
      expect(timeline.filter((e) => e.kind === 'note')).toHaveLength(1);
      expect((await t.req('changjiInspector', 'GET', `/v1/cases/${c.id}/measures`)).json().items).toHaveLength(1);

      // The same key and body on another case is another request: not a replay.
      const c2 = await newCase(t);
      const key = 'same-key-two-cases';
      const a = await t.req('changjiInspector', 'POST', `/v1/cases/${c.id}/notes`, { text: '同一键' }, { 'idempotency-key': key });
      const b = await t.req('changjiInspector', 'POST', `/v1/cases/${c2.id}/notes`, { text: '同一键' }, { 'idempotency-key': key });
      expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
      expect(b.headers['idempotent-replayed']).toBeUndefined();

      const joint = await newCase(t, { location: SEAM });
      await t.app.runtime.settle();
      const [f] = filingsOf(t, joint.id);
      await once('d8Supervisor', `/v1/filings/${f.id}/request-info`, { question: '被查封的是哪台锅炉？' });
      await once('changjiInspector', `/v1/filings/${f.id}/comments`, { text: '已在备案材料中补充现场照片。' });
    });

    it('a refused create stores no key: the retry runs again', async () => {
      const key = 'k-refused';
      const bad = await t.req('admin', 'POST', '/v1/teams', { agencyCode: 'NOPE', name: '不存在的机构', categories: ['air'] }, { 'idempotency-key': key });
      expect(bad.statusCode).toBe(404);
      const good = await t.req('admin', 'POST', '/v1/teams', { agencyCode: '650100', name: '不存在的机构', categories: ['air'] }, { 'idempotency-key': key });
      expect(good.statusCode).toBe(201);
    });
  });

  describe('inspector conflicts', () => {
    let t: InspectionTest;
    beforeAll(async () => {
      t = await inspectionApp();
    });
    afterAll(() => t.close());

    it('a declared conflict replays under its key', async () => {
      const url = '/v1/inspectors/insp-652301-01/conflicts';
      const body = { sourceId: 'src-652301-01', reason: '亲属在该企业任职' };
      const first = await t.req('insp-652301-01', 'POST', url, body, { 'idempotency-key': 'c1' });
      expect(first.statusCode, first.body).toBe(201);
      const again = await t.req('insp-652301-01', 'POST', url, body, { 'idempotency-key': 'c1' });
      expect(again.statusCode, again.body).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      // Without the key the second one is what it is: a duplicate conflict.
      expect((await t.req('insp-652301-01', 'POST', url, body)).statusCode).toBe(409);
    });
  });
});
