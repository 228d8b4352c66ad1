import type { Category } from '../domain/index.js';
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { ASSIGNMENT_ROLES, ASSIGNMENT_STATUSES } from '../domain/index.js';

/**
 * `superseded`: closed by the system because the work moved elsewhere (e.g. the case was
 * transferred); `cancelled`: closed by the system because the subject ended (closed, not accepted…).
 */
export const HISTORY_ACTIONS = ['created', 'claimed', 'declined', 'completed', 'overdue', 'superseded', 'cancelled'] as const;

/**
 * A team's work item: one subject (complaint or case) given to one team (or to the 12369
 * center's triage when team, side and agency are null). pending → claimed → completed, or declined,
 * or superseded (the system closed it: the subject was transferred and re-routed).
 */
export const assignments = sqliteTable(
  'assignments',
  {
    id: text('id').primaryKey(),
    subjectKind: text('subject_kind', { enum: ['complaint', 'case', 'inspection', 'operation_task'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    role: text('role', { enum: ASSIGNMENT_ROLES }).notNull(),
    status: text('status', { enum: ASSIGNMENT_STATUSES }).notNull(),
    /** Not claimed by dueAt (stays pending). */
    overdue: integer('overdue', { mode: 'boolean' }).notNull().default(false),
    teamId: text('team_id'),
    agencyCode: text('agency_code'),
    side: text('side', { enum: ['region', 'corps'] }),
    category: text('category').$type<Category>().notNull(),
    /** Why this team: rule | category | ancestor | suggested | dispatched | triage | declined_twice. */
    via: text('via').notNull(),
    /** Area the place resolved to (owner area for the lead, the other side's area for co-handling). */
    areaId: text('area_id'),
    /** Claim deadline. */
    dueAt: text('due_at').notNull(),
    claimedAt: text('claimed_at'),
    claimedBy: text('claimed_by'),
    completedAt: text('completed_at'),
    completedBy: text('completed_by'),
    completionNote: text('completion_note'),
    declinedAt: text('declined_at'),
    declinedBy: text('declined_by'),
    declineReason: text('decline_reason'),
    suggestedAgencyCode: text('suggested_agency_code'),
    /** The assignment whose decline (or supersession by a transfer) caused this one (re-routing chain). */
    previousId: text('previous_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('assignments_subject').on(t.subjectKind, t.subjectId),
    index('assignments_team').on(t.teamId, t.createdAt),
    index('assignments_agency').on(t.agencyCode, t.createdAt),
    index('assignments_created').on(t.createdAt, t.id),
  ],
);

/** Append-only history of every assignment: who did what, when and why. */
export const assignmentHistory = sqliteTable(
  'assignment_history',
  {
    position: integer('position').primaryKey({ autoIncrement: true }),
    assignmentId: text('assignment_id')
      .notNull()
      .references(() => assignments.id),
    at: text('at').notNull(),
    action: text('action', { enum: HISTORY_ACTIONS }).notNull(),
    status: text('status', { enum: ASSIGNMENT_STATUSES }).notNull(),
    /** API key id of the actor; null for the system (routing, deadlines). */
    byKeyId: text('by_key_id'),
    byRole: text('by_role'),
    byAgencyCode: text('by_agency_code'),
    reason: text('reason'),
  },
  (t) => [index('assignment_history_assignment').on(t.assignmentId, t.position)],
);
