import { csvExample } from '../http/csv.js';

/** CSV export columns (GET /v1/filings?format=csv). */
export const FILING_CSV = [
  'caseNumber',
  'fromAgencyCode',
  'fromSide',
  'toAgencyCode',
  'toSide',
  'trigger',
  'reasons',
  'category',
  'status',
  'createdAt',
  'ackDueAt',
  'acknowledgedAt',
  'overdueAt',
  'escalatedAt',
  'caseId',
  'id',
] as const;
export const FILING_CSV_EXAMPLE = csvExample(FILING_CSV, [
  '昌环立〔2026〕42号',
  '652301',
  'region',
  'XPCC-D8',
  'corps',
  'case_registered',
  ['near_seam'],
  'air',
  'acknowledged',
  '2026-12-01T03:00:00.000Z',
  '2026-12-04T03:00:00.000Z',
  '2026-12-01T08:00:00.000Z',
  null,
  null,
  '01a23187-e5ef-7582-93ce-33c9d6951b71',
  '01a23187-e5ef-7582-93ce-33c9d6951b75',
]);
