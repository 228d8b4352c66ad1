import { csvExample } from '../http/csv.js';
import { endOfChinaDay } from '../calendar.js';
import { labelOf, type Language } from '../domain/labels.js';
import type { ProgressRow, ReviewRow, TaskRow } from './tables.js';

export function taskView(t: TaskRow, last: ProgressRow | undefined) {
  return {
    id: t.id,
    code: t.code,
    title: t.title,
    origin: t.origin,
    kind: t.kind,
    leadAgencyCode: t.leadAgencyCode,
    leadSide: t.leadSide,
    coAgencyCodes: t.coAgencyCodes,
    supervisingAgencyCode: t.supervisingAgencyCode,
    responsiblePerson: t.responsiblePerson,
    measures: t.measures,
    target: t.target,
    dueOn: t.dueOn,
    dueAt: endOfChinaDay(t.dueOn).toISOString(),
    milestones: t.milestones.map((m) => ({ title: m.title, dueOn: m.dueOn, doneOn: m.doneOn ?? null })),
    status: t.status,
    overdue: t.overdue,
    overdueAt: t.overdueAt,
    missedWeeks: t.missedWeeks,
    lastProgress: last ? { weekOf: last.weekOf, periodEnd: last.periodEnd, status: last.status, text: last.text } : null,
    listedSupervisionBy: t.listedSupervisionBy,
    listedSupervisionAt: t.listedSupervisionAt,
    noticeEndsOn: t.noticeEndsOn,
    closedOffAt: t.closedOffAt,
    reopenCount: t.reopenCount,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    version: t.version,
  };
}

export const progressView = (p: ProgressRow) => ({
  id: p.id,
  taskId: p.taskId,
  weekOf: p.weekOf,
  periodEnd: p.periodEnd,
  status: p.status,
  text: p.text,
  evidence: p.evidence,
  byAgencyCode: p.byAgencyCode,
  createdAt: p.createdAt,
});

export const reviewView = (r: ReviewRow) => ({
  id: r.id,
  action: r.action,
  byAgencyCode: r.byAgencyCode,
  text: r.text,
  reasons: r.reasons,
  evidence: r.evidence,
  at: r.at,
});

/** What the public sees of a task in notice or closed off: the unit, never the person. */
export const publicTaskView = (t: TaskRow, opinion: string | null, lang: Language) => ({
  code: t.code,
  title: t.title,
  kind: t.kind,
  kindLabel: labelOf('rectification_kind', t.kind, lang),
  leadAgencyCode: t.leadAgencyCode,
  coAgencyCodes: t.coAgencyCodes,
  measures: t.measures,
  target: t.target,
  dueOn: t.dueOn,
  status: t.status as 'public_notice' | 'closed_off',
  statusLabel: labelOf('rectification_status', t.status, lang),
  noticeEndsOn: t.noticeEndsOn,
  closedOffAt: t.closedOffAt,
  checkOpinion: opinion,
});

/** CSV export columns (GET /v1/rectification-tasks?format=csv). */
export const TASK_CSV = [
  'code',
  'title',
  'kind',
  'leadAgencyCode',
  'coAgencyCodes',
  'supervisingAgencyCode',
  'responsiblePerson',
  'measures',
  'target',
  'dueOn',
  'status',
  'overdue',
  'missedWeeks',
  'lastProgress.weekOf',
  'lastProgress.status',
  'listedSupervisionBy',
  'noticeEndsOn',
  'closedOffAt',
  'reopenCount',
  'id',
] as const;
export const TASK_CSV_EXAMPLE = csvExample(TASK_CSV, [
  '四-8',
  '强化重点区域大气污染防治',
  'staged',
  '650000',
  ['XPCC'],
  'XPCC',
  '李建国',
  ['淘汰城市建成区燃煤锅炉', '严格区域大气环境质量约束性指标'],
  '乌—昌—石区域细颗粒物浓度逐年下降',
  '2027-12-31',
  'open',
  false,
  [],
  '2026-11-30',
  'on_track',
  null,
  null,
  null,
  0,
  '01a23187-e5ef-7582-93ce-33c9d6951b71',
]);
