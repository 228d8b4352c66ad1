import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** 立行立改 / 分阶段推进 / 长期整治 */
export const TASK_KINDS = ['immediate', 'staged', 'long_term'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/**
 * open → close_off_requested (the lead applies) → public_notice (a supervising agency signed off
 * after checking on site) → closed_off (the notice ran out); rejected → open; reopened (回头看) →
 * open.
 */
export const RECTIFICATION_STATUSES = ['open', 'close_off_requested', 'public_notice', 'closed_off'] as const;
export type TaskStatus = (typeof RECTIFICATION_STATUSES)[number];

export const PROGRESS_STATUSES = ['on_track', 'delayed', 'completed'] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

export interface Milestone {
  title: string;
  dueOn: string;
  doneOn?: string | null;
}

/** Rectification tasks (整改任务): the ledger both sides manage their plan with (整改一件销号一件). */
export const rectificationTasks = sqliteTable(
  'rectification_tasks',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    title: text('title').notNull(),
    /** The inspection feedback item it answers. */
    origin: text('origin').notNull(),
    kind: text('kind', { enum: TASK_KINDS }).notNull(),
    leadAgencyCode: text('lead_agency_code').notNull(),
    leadSide: text('lead_side', { enum: ['region', 'corps'] }).notNull(),
    coAgencyCodes: text('co_agency_codes', { mode: 'json' }).$type<string[]>().notNull(),
    /** The agency that checks on site and signs the close-off off (never the lead). */
    supervisingAgencyCode: text('supervising_agency_code').notNull(),
    responsiblePerson: text('responsible_person').notNull(),
    measures: text('measures', { mode: 'json' }).$type<string[]>().notNull(),
    target: text('target').notNull(),
    dueOn: text('due_on').notNull(),
    milestones: text('milestones', { mode: 'json' }).$type<Milestone[]>().notNull(),
    status: text('status', { enum: RECTIFICATION_STATUSES }).notNull(),
    overdue: integer('overdue', { mode: 'boolean' }).notNull(),
    overdueAt: text('overdue_at'),
    /** Weeks (Monday, China time) that ended without a progress report while open. */
    missedWeeks: text('missed_weeks', { mode: 'json' }).$type<string[]>().notNull(),
    listedSupervisionBy: text('listed_supervision_by'),
    listedSupervisionAt: text('listed_supervision_at'),
    noticeEndsOn: text('notice_ends_on'),
    closedOffAt: text('closed_off_at'),
    reopenCount: integer('reopen_count').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull(),
  },
  (t) => [
    uniqueIndex('rtasks_code').on(t.code),
    index('rtasks_created').on(t.createdAt, t.id),
    index('rtasks_lead').on(t.leadAgencyCode, t.createdAt),
    index('rtasks_status').on(t.status, t.createdAt),
  ],
);

/** Weekly progress (按周调度): one per task and week (the Monday of periodEnd's week, China time). */
export const rectificationProgress = sqliteTable(
  'rectification_progress',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id')
      .notNull()
      .references(() => rectificationTasks.id),
    weekOf: text('week_of').notNull(),
    periodEnd: text('period_end').notNull(),
    status: text('status', { enum: PROGRESS_STATUSES }).notNull(),
    text: text('text').notNull(),
    evidence: text('evidence', { mode: 'json' }).$type<string[]>().notNull(),
    byKeyId: text('by_key_id').notNull(),
    byAgencyCode: text('by_agency_code').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('rprogress_week').on(t.taskId, t.weekOf)],
);

export const REVIEW_ACTIONS = ['close_off_requested', 'close_off_approved', 'close_off_rejected', 'closed_off', 'reopened', 'listed_supervision'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

/** The close-off record (销号): applications, checks, decisions and re-checks, append-only. */
export const rectificationReviews = sqliteTable(
  'rectification_reviews',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id')
      .notNull()
      .references(() => rectificationTasks.id),
    action: text('action', { enum: REVIEW_ACTIONS }).notNull(),
    byAgencyCode: text('by_agency_code'),
    byKeyId: text('by_key_id'),
    text: text('text'),
    reasons: text('reasons', { mode: 'json' }).$type<string[]>().notNull(),
    evidence: text('evidence', { mode: 'json' }).$type<string[]>().notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('rreviews_task').on(t.taskId, t.at)],
);

export type TaskRow = typeof rectificationTasks.$inferSelect;
export type ProgressRow = typeof rectificationProgress.$inferSelect;
export type ReviewRow = typeof rectificationReviews.$inferSelect;
