import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { DrawFailure, DrawInput, DrawMode, DrawnTarget, SupervisionClass } from './draw.js';

/** Checklist (检查事项清单): items of an agency, usable by it and the agencies below it. */
export const inspectionItems = sqliteTable(
  'inspection_items',
  {
    id: text('id').primaryKey(),
    agencyCode: text('agency_code').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    legalBasis: text('legal_basis').notNull(),
    categories: text('categories', { mode: 'json' }).$type<string[]>().notNull(),
    targetClasses: text('target_classes', { mode: 'json' }).$type<SupervisionClass[]>().notNull(),
    method: text('method').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('inspection_items_code').on(t.agencyCode, t.code)],
);

/** Officer roster (执法人员名录库). `keyId` links the officer's inspector API key (his own tasks). */
export const inspectors = sqliteTable(
  'inspectors',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    side: text('side', { enum: ['region', 'corps'] }).notNull(),
    agencyCode: text('agency_code').notNull(),
    teamId: text('team_id').notNull(),
    certificateNo: text('certificate_no').notNull(),
    certificateValidUntil: text('certificate_valid_until').notNull(),
    expert: integer('expert', { mode: 'boolean' }).notNull().default(false),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    keyId: text('key_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('inspectors_agency').on(t.agencyCode, t.id), index('inspectors_key').on(t.keyId), uniqueIndex('inspectors_certificate').on(t.certificateNo)],
);

/** Declared conflicts of interest (回避): the officer is never drawn for that source. */
export const inspectorConflicts = sqliteTable(
  'inspector_conflicts',
  {
    id: text('id').primaryKey(),
    inspectorId: text('inspector_id')
      .notNull()
      .references(() => inspectors.id),
    sourceId: text('source_id').notNull(),
    reason: text('reason').notNull(),
    declaredBy: text('declared_by'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('inspector_conflicts_pair').on(t.inspectorId, t.sourceId)],
);

export const PLAN_STATUSES = ['committing', 'revealing', 'drawn', 'failed'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export interface PlanParty {
  agencyCode: string;
  commitment: string | null;
  committedAt: string | null;
  committedBy: string | null;
  secret: string | null;
  revealedAt: string | null;
  revealedBy: string | null;
}

export interface PlanScope {
  agencyCode?: string;
  areaIds?: string[];
  categories?: string[];
}

/** Random-inspection plans (抽查计划) with their commit–reveal draw (摇号). */
export const inspectionPlans = sqliteTable(
  'inspection_plans',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    agencyCode: text('agency_code').notNull(),
    side: text('side', { enum: ['region', 'corps'] }).notNull(),
    scope: text('scope', { mode: 'json' }).$type<PlanScope>().notNull(),
    /** canonical JSON of the plan agency, scope (agency, areas, categories) and mode: plans of the same scope rotate officers. */
    scopeKey: text('scope_key').notNull(),
    periodFrom: text('period_from').notNull(),
    periodTo: text('period_to').notNull(),
    ratios: text('ratios', { mode: 'json' }).$type<Record<SupervisionClass, number>>().notNull(),
    inspectorsPerTarget: integer('inspectors_per_target').notNull(),
    mode: text('mode').$type<DrawMode>().notNull(),
    itemCodes: text('item_codes', { mode: 'json' }).$type<string[]>().notNull(),
    parties: text('parties', { mode: 'json' }).$type<PlanParty[]>().notNull(),
    status: text('status', { enum: PLAN_STATUSES }).notNull(),
    /** Frozen when the last party committed. */
    frozenAt: text('frozen_at'),
    input: text('input', { mode: 'json' }).$type<DrawInput | null>(),
    inputHash: text('input_hash'),
    previousPlanId: text('previous_plan_id'),
    seed: text('seed'),
    drawnAt: text('drawn_at'),
    targets: text('targets', { mode: 'json' }).$type<DrawnTarget[] | null>(),
    failure: text('failure', { mode: 'json' }).$type<DrawFailure | null>(),
    createdBy: text('created_by'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('inspection_plans_agency').on(t.agencyCode, t.createdAt, t.id),
    index('inspection_plans_scope').on(t.scopeKey, t.drawnAt),
    index('inspection_plans_created').on(t.createdAt, t.id),
  ],
);

export const INSPECTION_STATUSES = ['drawn', 'open', 'recorded', 'published'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];
export const OUTCOMES = ['no_issue', 'rectify', 'case'] as const;
export const ITEM_RESULTS = ['compliant', 'non_compliant', 'not_applicable'] as const;

export interface ItemResult {
  itemCode: string;
  result: (typeof ITEM_RESULTS)[number];
  note?: string | null;
}

/** One drawn target of a plan, with its officers; then its record and publication. */
export const inspections = sqliteTable(
  'inspections',
  {
    id: text('id').primaryKey(),
    planId: text('plan_id')
      .notNull()
      .references(() => inspectionPlans.id),
    /** Position in the draw (0-based). */
    position: integer('position').notNull(),
    sourceId: text('source_id').notNull(),
    sourceClass: text('source_class').$type<SupervisionClass>().notNull(),
    sourceSide: text('source_side', { enum: ['region', 'corps'] }).notNull(),
    officers: text('officers', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status', { enum: INSPECTION_STATUSES }).notNull(),
    inspectionDate: text('inspection_date'),
    results: text('results', { mode: 'json' }).$type<ItemResult[] | null>(),
    officersPresent: text('officers_present', { mode: 'json' }).$type<string[] | null>(),
    evidence: text('evidence', { mode: 'json' }).$type<string[] | null>(),
    outcome: text('outcome', { enum: OUTCOMES }),
    rectification: text('rectification', { mode: 'json' }).$type<{ dueOn: string; requirement: string } | null>(),
    caseId: text('case_id'),
    recordedAt: text('recorded_at'),
    recordedBy: text('recorded_by'),
    publicationDueAt: text('publication_due_at'),
    publishedAt: text('published_at'),
    publishedBy: text('published_by'),
    overdueAt: text('overdue_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('inspections_plan_position').on(t.planId, t.position),
    index('inspections_plan_status').on(t.planId, t.status),
    index('inspections_published').on(t.planId, t.publishedAt),
  ],
);
