import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** regular 定期会商 · ad_hoc 临时会商 · case 个案会商 */
export const CONSULTATION_KINDS = ['regular', 'ad_hoc', 'case'] as const;
export type ConsultationKind = (typeof CONSULTATION_KINDS)[number];

/** scheduled → held (minutes recorded) */
export const CONSULTATION_STATUSES = ['scheduled', 'held'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

export const ATTENDANCE_STATUSES = ['invited', 'confirmed', 'declined'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** open → done (the owner reported it done) */
export const DECISION_STATUSES = ['open', 'done'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

/** What an agenda item may point at (the subject kinds of the other capabilities). */
export const AGENDA_LINK_KINDS = ['case', 'complaint', 'rectification_task', 'air_alert', 'joint_operation'] as const;
export type AgendaLinkKind = (typeof AGENDA_LINK_KINDS)[number];

export interface AgendaLink {
  kind: AgendaLinkKind;
  id: string;
}
export interface AgendaItem {
  title: string;
  links: AgendaLink[];
}
export interface Attendance {
  agencyCode: string;
  status: AttendanceStatus;
  note: string | null;
  at: string | null;
}
export interface Minutes {
  attendees: string[];
  text: string;
  recordedAt: string;
  recordedBy: string;
}

/** Joint consultations (会商) of the two sides: agenda, attendance, minutes. */
export const consultations = sqliteTable(
  'consultations',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: CONSULTATION_KINDS }).notNull(),
    title: text('title').notNull(),
    convenerAgencyCode: text('convener_agency_code').notNull(),
    convenerSide: text('convener_side', { enum: ['region', 'corps'] }).notNull(),
    /** Every invited agency, the convener included (both sides). */
    agencyCodes: text('agency_codes', { mode: 'json' }).$type<string[]>().notNull(),
    scheduledAt: text('scheduled_at').notNull(),
    place: text('place'),
    agenda: text('agenda', { mode: 'json' }).$type<AgendaItem[]>().notNull(),
    attendance: text('attendance', { mode: 'json' }).$type<Attendance[]>().notNull(),
    /** Open decisions of earlier consultations listed on this agenda, frozen when the minutes are recorded. */
    carriedOver: text('carried_over', { mode: 'json' }).$type<string[] | null>(),
    status: text('status', { enum: CONSULTATION_STATUSES }).notNull(),
    minutes: text('minutes', { mode: 'json' }).$type<Minutes | null>(),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull(),
  },
  (t) => [index('consultations_scheduled').on(t.scheduledAt, t.id), index('consultations_created').on(t.createdAt, t.id)],
);

/** Decisions (议定事项) of a consultation's minutes: follow-up items with a deadline. */
export const consultationDecisions = sqliteTable(
  'consultation_decisions',
  {
    id: text('id').primaryKey(),
    consultationId: text('consultation_id').notNull(),
    seq: integer('seq').notNull(),
    text: text('text').notNull(),
    ownerAgencyCode: text('owner_agency_code').notNull(),
    ownerSide: text('owner_side', { enum: ['region', 'corps'] }).notNull(),
    dueOn: text('due_on').notNull(),
    status: text('status', { enum: DECISION_STATUSES }).notNull(),
    overdue: integer('overdue', { mode: 'boolean' }).notNull(),
    overdueAt: text('overdue_at'),
    doneAt: text('done_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull(),
  },
  (t) => [index('decisions_consultation').on(t.consultationId, t.seq), index('decisions_open').on(t.status, t.ownerAgencyCode)],
);

/** Progress reports on a decision by its owner agency. */
export const decisionProgress = sqliteTable(
  'decision_progress',
  {
    id: text('id').primaryKey(),
    decisionId: text('decision_id').notNull(),
    text: text('text').notNull(),
    done: integer('done', { mode: 'boolean' }).notNull(),
    byAgencyCode: text('by_agency_code').notNull(),
    byKeyId: text('by_key_id').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('decision_progress_decision').on(t.decisionId, t.at)],
);

export type ConsultationRow = typeof consultations.$inferSelect;
export type DecisionRow = typeof consultationDecisions.$inferSelect;
export type DecisionProgressRow = typeof decisionProgress.$inferSelect;
