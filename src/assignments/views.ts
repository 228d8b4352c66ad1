import { csvExample } from '../http/csv.js';

/** CSV export columns (GET /v1/assignments?format=csv). */
export const ASSIGNMENT_CSV = [
  'subject.kind',
  'subject.id',
  'role',
  'status',
  'overdue',
  'triage',
  'teamId',
  'agencyCode',
  'side',
  'category',
  'via',
  'dueAt',
  'claimedAt',
  'completedAt',
  'id',
] as const;
export const ASSIGNMENT_CSV_EXAMPLE = csvExample(ASSIGNMENT_CSV, [
  'complaint',
  '01a23187-e5ef-7582-93ce-33c9d6951b71',
  'lead',
  'claimed',
  false,
  false,
  'team-652301-air',
  '652301',
  'region',
  'air',
  'rule',
  '2026-12-08T15:59:59.999Z',
  '2026-12-01T16:20:00.000Z',
  null,
  '01a23187-e5ef-7582-93ce-33c9d6951b74',
]);
