import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseApp, type CaseTest } from '../cases/helpers.js';

const HEADER = 'code,title,origin,kind,leadAgencyCode,coAgencyCodes,supervisingAgencyCode,responsiblePerson,measures,target,dueOn,milestones';
const row = (code: string, over: Partial<Record<'dueOn' | 'kind' | 'lead', string>> = {}) =>
  [
    code,
    '"强化重点区域大气污染防治, 乌—昌—石"',
    '"中央环境保护督察反馈意见：""局部区域大气和水环境问题突出"""',
    over.kind ?? 'staged',
    over.lead ?? '650000',
    'XPCC；XPCC-D8',
    '',
    '李建国',
    '"淘汰城市建成区燃煤锅炉;严格区域大气环境质量约束性指标\n（含兵团城市）"',
    '乌—昌—石区域细颗粒物浓度逐年下降',
    over.dueOn ?? '2027-12-31',
    '完成燃煤锅炉淘汰@2027-06-30；完成评估@2027-11-30',
  ].join(',');

/** The ledger's CSV import: the same rules as the JSON one, all or nothing. */
describe('rectification tasks: CSV import', () => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp();
    t.clock.set('2026-12-01T02:00:00.000Z');
  });
  afterAll(() => t.close());

  const post = (csv: string, headers: Record<string, string> = {}) =>
    t.req('regionTop', 'POST', '/v1/rectification-tasks/import', csv, { 'content-type': 'text/csv; charset=utf-8', ...headers });
  const count = async () => ((await t.req('admin', 'GET', '/v1/rectification-tasks?limit=500')).json().items as unknown[]).length;

  it('imports a spreadsheet export: BOM, quoted commas, quotes and newlines, ; and ； lists, milestones', async () => {
    const csv = '\uFEFF' + [HEADER, row('四-8'), row('四-9', { kind: 'immediate' })].join('\r\n') + '\r\n';
    const r = await post(csv, { 'idempotency-key': 'csv-import-1' });
    expect(r.statusCode, r.body).toBe(201);
    const { created, items } = r.json();
    expect(created).toBe(2);
    expect(items[0]).toMatchObject({
      code: '四-8',
      title: '强化重点区域大气污染防治, 乌—昌—石',
      origin: '中央环境保护督察反馈意见："局部区域大气和水环境问题突出"',
      kind: 'staged',
      leadAgencyCode: '650000',
      coAgencyCodes: ['XPCC', 'XPCC-D8'],
      measures: ['淘汰城市建成区燃煤锅炉', '严格区域大气环境质量约束性指标\n（含兵团城市）'],
      dueOn: '2027-12-31',
      milestones: [
        { title: '完成燃煤锅炉淘汰', dueOn: '2027-06-30', doneOn: null },
        { title: '完成评估', dueOn: '2027-11-30', doneOn: null },
      ],
    });
    expect(items[1]).toMatchObject({ code: '四-9', kind: 'immediate' });
    // A replay answers the same and stores nothing more.
    const again = await post(csv, { 'idempotency-key': 'csv-import-1' });
    expect(again.statusCode).toBe(201);
    expect(again.json().items.map((i: { id: string }) => i.id)).toEqual(items.map((i: { id: string }) => i.id));
    expect(await count()).toBe(2);
  });

  it('all or nothing: the first bad row is named, and nothing of the good rows is stored', async () => {
    const before = await count();
    const bad = await post([HEADER, row('四-10'), row('四-11', { dueOn: '2027-02-30x' })].join('\r\n'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'body/tasks/1/dueOn' });
    expect(bad.json().errors[0].reason).toMatch(/line 3/);
    const early = await post([HEADER, row('四-12'), row('四-13', { dueOn: '2026-11-30' })].join('\r\n'));
    expect(early.json().errors[0].field).toBe('body/tasks/1/dueOn'); // due before it was created (service rule)
    const dup = await post([HEADER, row('四-14'), row('四-14')].join('\r\n'));
    expect(dup.json().errors[0].field).toBe('body/tasks/1/code');
    const kind = await post([HEADER, row('四-15', { kind: 'someday' })].join('\r\n'));
    expect(kind.json().errors[0].field).toBe('body/tasks/0/kind');
    expect(await count()).toBe(before);
  });

  it('the header is checked: an unknown column and a missing required one are 400; CSV elsewhere is 415', async () => {
    const unknown = await post(`${HEADER},colour\r\n${row('四-20')},red\r\n`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({ field: 'body/header/12' });
    const missing = await post('code,title\r\n四-21,标题\r\n');
    expect(missing.json().errors[0].field).toBe('body/header');
    expect((await post(`${HEADER}\r\n`)).json().errors[0].field).toBe('body');
    const ragged = await post(`${HEADER}\r\n四-22,标题\r\n`);
    expect(ragged.statusCode).toBe(400);
    const elsewhere = await t.req('regionTop', 'POST', '/v1/rectification-tasks', 'code\r\nx\r\n', { 'content-type': 'text/csv' });
    expect(elsewhere.statusCode).toBe(415);
    expect(elsewhere.json().accepted).toEqual(['application/json']);
    // The policy is the same as the JSON import's.
    const notMine = await t.req('d8Supervisor', 'POST', '/v1/rectification-tasks/import', `${HEADER}\r\n${row('四-23')}\r\n`, { 'content-type': 'text/csv' });
    expect(notMine.statusCode).toBe(403);
  });
});
