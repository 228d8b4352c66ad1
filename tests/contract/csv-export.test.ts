import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_POINTS, SEAM, filingApp, newCase, type CaseTest } from '../filings/helpers.js';
import { fileComplaint } from '../support/factories.js';
import { parseCsv } from '../support/csv.js';
import { COMPLAINT_CSV } from '../../src/intake/views.js';
import { CASE_CSV } from '../../src/cases/views.js';
import { FILING_CSV } from '../../src/filings/views.js';
import { ASSIGNMENT_CSV } from '../../src/assignments/views.js';
import { TASK_CSV } from '../../src/ledger/views.js';

const BOM = '\uFEFF';

/**
 * Every list exports as CSV (`?format=csv` or `Accept: text/csv`): the same filters and
 * visibility as its JSON pages, every row once across the export's internal pages, UTF-8 with a
 * BOM, RFC 4180 quoting, formula-looking cells defused.
 */
describe('CSV export of lists', () => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await filingApp('embedded');
    await newCase(t, { title: '燃煤锅炉未配套除尘设施, "黑烟"' });
    await newCase(t, { location: SEAM });
    await newCase(t, { leadAgencyCode: 'XPCC-D8', location: DEMO_POINTS.shiheziCenter }, 'd8Inspector');
    await fileComplaint(t, t.keys.intake, DEMO_POINTS.changjiCenter);
    await fileComplaint(t, t.keys.intake, DEMO_POINTS.shiheziCenter);
    await t.app.runtime.settle();
  });
  afterAll(() => t.close());

  /** Every item of the JSON list, all pages. */
  async function allJson(label: string, url: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let cursor: string | null = null; ;) {
      const sep = url.includes('?') ? '&' : '?';
      const r = await t.req(label, 'GET', `${url}${sep}limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.statusCode, r.body).toBe(200);
      const page = r.json() as { items: Record<string, unknown>[]; nextCursor: string | null };
      out.push(...page.items);
      if (!page.nextCursor) return out;
      cursor = page.nextCursor;
    }
  }
  async function csv(label: string, url: string, headers: Record<string, string> = {}) {
    const r = await t.req(label, 'GET', url, undefined, headers);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename=".+\.csv"$/);
    expect(r.body.startsWith(BOM)).toBe(true);
    const [header, ...rows] = parseCsv(r.body.slice(1));
    return { header, rows };
  }

  const LISTS = [
    { url: '/v1/complaints', columns: COMPLAINT_CSV, key: 'number' },
    { url: '/v1/cases', columns: CASE_CSV, key: 'number' },
    { url: '/v1/filings', columns: FILING_CSV, key: 'id' },
    { url: '/v1/assignments', columns: ASSIGNMENT_CSV, key: 'id' },
    { url: '/v1/rectification-tasks', columns: TASK_CSV, key: 'code' },
  ] as const;

  it('each list: the same rows as its JSON pages, for keys of both sides, by ?format=csv and by Accept', async () => {
    await t.req('regionTop', 'POST', '/v1/rectification-tasks', {
      code: '四-1',
      title: '=HYPERLINK("http://evil")',
      origin: '督察反馈',
      kind: 'staged',
      leadAgencyCode: '652301',
      responsiblePerson: '李建国',
      measures: ['淘汰燃煤锅炉, 共 12 台', '落实"一厂一策"'],
      target: '达标',
      dueOn: '2027-06-30',
    });
    let nonEmpty = 0;
    for (const list of LISTS)
      for (const label of ['admin', 'changjiSupervisor', 'd8Supervisor', 'changjiInspector']) {
        const json = await allJson(label, list.url).catch(() => null);
        const r = await t.req(label, 'GET', `${list.url}?format=csv`);
        if (json === null) {
          expect(r.statusCode, `${label} ${list.url}`).not.toBe(200); // a list the key may not read is refused in CSV too
          continue;
        }
        const { header, rows } = await csv(label, `${list.url}?format=csv`);
        expect(header).toEqual([...list.columns]);
        const keyCol = header.indexOf(list.key);
        expect(
          rows.map((row) => row[keyCol]),
          `${label} ${list.url}`,
        ).toEqual(json.map((j) => String(j[list.key])));
        if (rows.length) nonEmpty++;
        // Accept: text/csv is the same export; JSON stays the default.
        const viaAccept = await csv(label, list.url, { accept: 'text/csv' });
        expect(viaAccept.rows).toEqual(rows);
        const jsonAgain = await t.req(label, 'GET', list.url, undefined, { accept: 'application/json, text/csv;q=0.5' });
        expect(jsonAgain.headers['content-type']).toMatch(/^application\/json/);
      }
    expect(nonEmpty).toBeGreaterThan(10);
  });

  it('the same filters: ?category and ?side narrow the export as they narrow the page', async () => {
    const { rows } = await csv('admin', '/v1/cases?format=csv&side=corps');
    expect(rows.map((r) => r[CASE_CSV.indexOf('side')])).toEqual(['corps']);
    expect((await csv('admin', '/v1/complaints?format=csv&category=water')).rows).toEqual([]);
  });

  it('quotes commas, quotes and Chinese text; defuses formula cells; nested and list fields flatten', async () => {
    const cases = await csv('admin', '/v1/cases?format=csv');
    expect(cases.rows.map((r) => r[CASE_CSV.indexOf('title')])).toContain('燃煤锅炉未配套除尘设施, "黑烟"');
    const tasks = await csv('admin', '/v1/rectification-tasks?format=csv');
    const row = tasks.rows.find((r) => r[0] === '四-1')!;
    expect(row[TASK_CSV.indexOf('title')]).toBe(`'=HYPERLINK("http://evil")`);
    expect(row[TASK_CSV.indexOf('measures')]).toBe('淘汰燃煤锅炉, 共 12 台; 落实"一厂一策"');
    const complaints = await csv('admin', '/v1/complaints?format=csv');
    expect(complaints.rows.every((r) => r[COMPLAINT_CSV.indexOf('routing.agencyCode')] !== '')).toBe(true);
    // reporter data is never exported
    const body = (await t.req('admin', 'GET', '/v1/complaints?format=csv')).body;
    expect(body).not.toMatch(/reporter/i);
  });

  it('runs across its internal pages (500 rows each): every row once, in list order', async () => {
    const tasks = Array.from({ length: 1203 }, (_, i) => ({
      code: `T-${String(i).padStart(4, '0')}`,
      title: `整改任务 ${i}`,
      origin: '督察反馈',
      kind: 'long_term',
      leadAgencyCode: 'XPCC-D8',
      responsiblePerson: '张伟',
      measures: ['措施'],
      target: '目标',
      dueOn: '2027-12-31',
    }));
    const r = await t.req('admin', 'POST', '/v1/rectification-tasks/import', { tasks: tasks.slice(0, 1000) });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(201);
    expect((await t.req('admin', 'POST', '/v1/rectification-tasks/import', { tasks: tasks.slice(1000) })).statusCode).toBe(201);
    const { rows } = await csv('d8Supervisor', '/v1/rectification-tasks?format=csv&leadAgencyCode=XPCC-D8');
    const codes = rows.map((row) => row[0]);
    expect(codes).toHaveLength(1203);
    expect(new Set(codes).size).toBe(1203);
    expect(codes).toEqual((await allJson('d8Supervisor', '/v1/rectification-tasks?leadAgencyCode=XPCC-D8')).map((j) => j.code));
  });

  it('bad input is a problem before any row is sent', async () => {
    const r = await t.req('admin', 'GET', '/v1/cases?format=csv&cursor=nonsense');
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    const sync = await t.req('admin', 'GET', '/v1/cases?format=csv&updatedSince=0');
    expect(sync.statusCode).toBe(400);
    expect(sync.json().errors[0].field).toBe('querystring/format');
    expect((await t.req('admin', 'GET', '/v1/complaints?format=xlsx')).statusCode).toBe(400);
  });
});
