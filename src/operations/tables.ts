import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import type { ItemResult } from '../inspections/tables.js';

export const OPERATION_KINDS = ['joint', 'cross'] as const;
export const OPERATION_STATUSES = ['proposed', 'confirmed', 'closed'] as const;
export const TASK_STATUSES = ['open', 'recorded', 'cancelled'] as const;
export const TASK_OUTCOMES = ['no_issue', 'rectify', 'case'] as const;

export interface OperationFocus {
  categories: string[];
  areaIds: string[];
  sourceIds: string[];
  supervisionClasses: string[];
}

/** Frozen at close: what the operation did (never recomputed afterwards). */
export interface OperationSummary {
  targets: number;
  visited: number;
  cancelled: number;
  violations: number;
  cases: number;
  caseIds: string[];
  /** Measures the operation's cases took by close (cases capability), by type. */
  measures?: { total: number; byType: Record<string, number> };
  /** Fines and daily penalties among them, total in fen. */
  fines?: { count: number; totalFen: number };
  closedAt: string;
}

/** Joint or cross enforcement operation (联合执法 / 交叉执法) of agencies of both sides. */
export const jointOperations = sqliteTable(
  'joint_operations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: OPERATION_KINDS }).notNull(),
    side: text('side', { enum: ['region', 'corps'] }).notNull(),
    leadAgencyCode: text('lead_agency_code').notNull(),
    partnerAgencyCodes: text('partner_agency_codes', { mode: 'json' }).$type<string[]>().notNull(),
    windowFrom: text('window_from').notNull(),
    windowTo: text('window_to').notNull(),
    focus: text('focus', { mode: 'json' }).$type<OperationFocus>().notNull(),
    teamIds: text('team_ids', { mode: 'json' }).$type<string[]>().notNull(),
    note: text('note'),
    status: text('status', { enum: OPERATION_STATUSES }).notNull(),
    confirmedAt: text('confirmed_at'),
    confirmedBy: text('confirmed_by'),
    confirmedByAgencyCode: text('confirmed_by_agency_code'),
    summary: text('summary', { mode: 'json' }).$type<OperationSummary | null>(),
    /** The heavy-pollution alert (src/air) that opened it by linkage, else null (proposed by a supervisor). */
    airAlertId: text('air_alert_id'),
    closedAt: text('closed_at'),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('joint_operations_created').on(t.createdAt, t.id)],
);

/**
 * One target of an operation: a pollution source, the teams that visit it and its inspection
 * record. Its teams are chosen by the operation, not by place: they get it on their work lists as
 * assignments of kind `operation_task` (assignToTeams), closed by its record or the operation's close.
 */
export const operationTasks = sqliteTable(
  'operation_tasks',
  {
    id: text('id').primaryKey(),
    operationId: text('operation_id')
      .notNull()
      .references(() => jointOperations.id),
    position: integer('position').notNull(),
    sourceId: text('source_id').notNull(),
    sourceSide: text('source_side', { enum: ['region', 'corps'] }).notNull(),
    sourceAgencyCode: text('source_agency_code').notNull(),
    teamIds: text('team_ids', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status', { enum: TASK_STATUSES }).notNull(),
    dueAt: text('due_at').notNull(),
    inspectionDate: text('inspection_date'),
    results: text('results', { mode: 'json' }).$type<ItemResult[] | null>(),
    officersPresent: text('officers_present', { mode: 'json' }).$type<string[] | null>(),
    evidence: text('evidence', { mode: 'json' }).$type<string[] | null>(),
    outcome: text('outcome', { enum: TASK_OUTCOMES }),
    rectification: text('rectification', { mode: 'json' }).$type<{ dueOn: string; requirement: string } | null>(),
    caseId: text('case_id'),
    /** Alert-linked tasks: the alert level the source is checked against (re-set when the alert changes level). */
    alertLevel: text('alert_level'),
    /** Alert-linked tasks: the source's emergency measures at that level (what the visit checks). */
    requiredMeasures: text('required_measures', { mode: 'json' }).$type<string[] | null>(),
    /** Outcome case on an alert-linked task: the measure the source failed to apply. */
    failedMeasure: text('failed_measure'),
    recordedAt: text('recorded_at'),
    recordedBy: text('recorded_by'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('operation_tasks_operation').on(t.operationId, t.position)],
);
