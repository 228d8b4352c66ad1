/**
 * A task list as CSV (the ledger spreadsheets both sides keep): one task per row, a header row
 * naming the columns. Lists (co-agencies, measures, milestones) are `;`-separated within a cell
 * (also the full-width `；`); a milestone is `title@YYYY-MM-DD`. Parsed with csv-parse (RFC 4180,
 * BOM, quoted newlines), then each row is checked against the same schema as the JSON import.
 */
import { parse } from 'csv-parse/sync';
import type { Static } from 'typebox';
import { Value } from 'typebox/value';
import { badRequest, fieldError } from '../http/problem.js';
import { CreateTaskBody } from './schemas.js';

type NewTask = Static<typeof CreateTaskBody>;

export const CSV_COLUMNS = [
  'code',
  'title',
  'origin',
  'kind',
  'leadAgencyCode',
  'coAgencyCodes',
  'supervisingAgencyCode',
  'responsiblePerson',
  'measures',
  'target',
  'dueOn',
  'milestones',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: Column[] = ['code', 'title', 'origin', 'kind', 'leadAgencyCode', 'responsiblePerson', 'measures', 'target', 'dueOn'];
const LISTS: Column[] = ['coAgencyCodes', 'measures'];

export const CSV_IMPORT_EXAMPLE =
  'code,title,origin,kind,leadAgencyCode,coAgencyCodes,supervisingAgencyCode,responsiblePerson,measures,target,dueOn,milestones\r\n' +
  '四-8,强化重点区域大气污染防治,中央环境保护督察反馈意见：局部区域大气和水环境问题突出,staged,650000,XPCC,,李建国,淘汰城市建成区燃煤锅炉；严格区域大气环境质量约束性指标,乌—昌—石区域细颗粒物浓度逐年下降,2027-12-31,完成燃煤锅炉淘汰@2027-06-30\r\n';

const split = (cell: string) =>
  cell
    .split(/[;；]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The tasks of a CSV text; the first bad row is named (`body/tasks/<i>/<column>`, i = data row from 0). */
export function tasksFromCsv(text: string): NewTask[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true });
  } catch (e) {
    throw badRequest(`body: not CSV (${(e as Error).message})`, [{ field: 'body', reason: `not CSV: ${(e as Error).message}` }]);
  }
  const [header, ...rows] = records;
  if (!header) throw fieldError('body', 'is empty: a header row and at least one task row are needed');
  header.forEach((h, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) throw fieldError(`body/header/${i}`, `unknown column "${h}" (columns: ${CSV_COLUMNS.join(', ')})`);
  });
  for (const c of REQUIRED) if (!header.includes(c)) throw fieldError('body/header', `the column "${c}" is missing`);
  if (!rows.length) throw fieldError('body', 'has no task rows');
  if (rows.length > 1000) throw fieldError('body', `has ${rows.length} task rows; at most 1000 per import`);
  return rows.map((cells, i) => {
    const task: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const v = cells[j] ?? '';
      if (v === '') return;
      if (h === 'milestones')
        task.milestones = split(v).map((m, k) => {
          const at = m.lastIndexOf('@');
          if (at < 1) throw fieldError(`body/tasks/${i}/milestones/${k}`, `"${m}" is not title@YYYY-MM-DD`);
          return { title: m.slice(0, at).trim(), dueOn: m.slice(at + 1).trim() };
        });
      else task[h] = (LISTS as string[]).includes(h) ? split(v) : v;
    });
    const error = [...Value.Errors(CreateTaskBody, task)].find((e) => e.instancePath !== '' || e.keyword === 'required');
    if (error) {
      const missing = (error.params as { requiredProperties?: string[] }).requiredProperties?.[0];
      const field = `body/tasks/${i}${error.instancePath || (missing ? `/${missing}` : '')}`;
      throw fieldError(field, `${error.message} (line ${i + 2})`);
    }
    return task as NewTask;
  });
}
