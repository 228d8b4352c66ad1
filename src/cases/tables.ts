import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

/** Pollution sources (污染源档案), keyed by the unified social credit code (GB 32100-2015). */
export const pollutionSources = sqliteTable(
  'pollution_sources',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    creditCode: text('credit_code').notNull(),
    side: text('side', { enum: ['region', 'corps'] }).notNull(),
    agencyCode: text('agency_code').notNull(),
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    address: text('address').notNull(),
    industry: text('industry').notNull(),
    permitNumber: text('permit_number'),
    gridId: text('grid_id'),
    /** 重点排污单位 key, 特殊监管对象 special, 一般排污单位 general; null = not classified (never drawn). */
    supervisionClass: text('supervision_class', { enum: ['key', 'special', 'general'] }),
    /** The date (China time) the class was last set. */
    supervisionClassSetOn: text('supervision_class_set_on'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('sources_credit_code').on(t.creditCode),
    index('sources_agency_class').on(t.agencyCode, t.supervisionClass),
    index('sources_name').on(t.name, t.id),
    index('sources_agency').on(t.agencyCode, t.name, t.id),
    index('sources_grid').on(t.gridId, t.name, t.id),
  ],
);

export const CASE_STATUSES = [
  'registered',
  'investigating',
  'pending_decision',
  'decided',
  'executing',
  'closed',
  'suspended',
  'withdrawn',
  'transferred',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const ORIGIN_KINDS = ['complaint', 'inspection', 'referral', 'joint_operation', 'other'] as const;

/** Enforcement cases (执法案件). `side` is the lead agency's side. */
export const cases = sqliteTable(
  'cases',
  {
    id: text('id').primaryKey(),
    /** `<agencyCode>-<year>-<5 digits>`, unique. */
    number: text('number').notNull(),
    title: text('title').notNull(),
    category: text('category').notNull(),
    side: text('side', { enum: ['region', 'corps'] }).notNull(),
    leadAgencyCode: text('lead_agency_code').notNull(),
    /** Set by routing (onRouted). */
    leadTeamId: text('lead_team_id'),
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    address: text('address'),
    areaId: text('area_id'),
    gridId: text('grid_id'),
    /** The place is inside / within the joint buffer of the other side's ground. */
    joint: integer('joint', { mode: 'boolean' }).notNull().default(false),
    sourceId: text('source_id'),
    partyName: text('party_name'),
    originKind: text('origin_kind', { enum: ORIGIN_KINDS }).notNull(),
    summary: text('summary').notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull(),
    /** Reason given with the last transition (suspension, withdrawal, transfer…). */
    statusReason: text('status_reason'),
    /** While suspended: the status to return to. */
    suspendedFrom: text('suspended_from', { enum: CASE_STATUSES }),
    /** The penalty decision (set on → decided). */
    decision: text('decision', { mode: 'json' }).$type<{ summary: string; documentNumber?: string | null } | null>(),
    transferredFrom: text('transferred_from'),
    registeredAt: text('registered_at').notNull(),
    /** Decision deadline (registration + CASE_DECISION_DAYS + extensions). */
    decisionDueAt: text('decision_due_at').notNull(),
    extensionCount: integer('extension_count').notNull().default(0),
    /** JSON list of approved extensions. */
    extensions: text('extensions', { mode: 'json' }).$type<{ days: number; reason: string; approvedBy: string; collective: boolean; at: string }[]>().notNull(),
    /** Set when the decision deadline passed without a decision. */
    overdueAt: text('overdue_at'),
    decidedAt: text('decided_at'),
    closedAt: text('closed_at'),
    createdBy: text('created_by'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('cases_number').on(t.number),
    index('cases_registered').on(t.registeredAt, t.id),
    index('cases_updated').on(t.updatedAt, t.id),
    index('cases_lead_registered').on(t.leadAgencyCode, t.registeredAt, t.id),
    index('cases_lead_updated').on(t.leadAgencyCode, t.updatedAt, t.id),
    index('cases_lead_status_registered').on(t.leadAgencyCode, t.status, t.registeredAt, t.id),
    index('cases_status_registered').on(t.status, t.registeredAt, t.id),
    index('cases_source').on(t.sourceId, t.registeredAt, t.id),
    index('cases_category_registered').on(t.category, t.registeredAt, t.id),
    // Partial: only cases whose decision deadline passed (the overdue filter walks these in order).
    index('cases_overdue_registered')
      .on(t.registeredAt, t.id)
      .where(sql`${t.overdueAt} is not null`),
    index('cases_lead_overdue_registered')
      .on(t.leadAgencyCode, t.registeredAt, t.id)
      .where(sql`${t.overdueAt} is not null`),
  ],
);

/** Per agency and year: last case number handed out (incremented in the registering tx). */
export const caseCounters = sqliteTable(
  'case_counters',
  {
    agencyCode: text('agency_code').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agencyCode, t.year] })],
);

/**
 * The case fields that case_co_handling and case_access rows keep a copy of (`caseCopy` in
 * changes.ts), so an agency's co-handled and cross-filed cases are listed, filtered and synced in
 * order from these small tables' indexes without reading every case row (src/cases/search.ts).
 * `recordChange` (changes.ts) refreshes the copies: a transaction that inserts such a row or
 * changes the case calls it afterwards (every case change does already).
 */
const caseCopyColumns = () => ({
  leadAgencyCode: text('lead_agency_code').notNull(),
  side: text('side', { enum: ['region', 'corps'] }).notNull(),
  status: text('status', { enum: CASE_STATUSES }).notNull(),
  suspendedFrom: text('suspended_from', { enum: CASE_STATUSES }),
  category: text('category').notNull(),
  joint: integer('joint', { mode: 'boolean' }).notNull(),
  sourceId: text('source_id'),
  overdueAt: text('overdue_at'),
  registeredAt: text('registered_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  /** The case's case_changes.seq. */
  changeSeq: integer('change_seq').notNull().default(0),
});

/** Co-handling agencies (联合办案) of a case, with a copy of the case's fields (above). */
export const caseCoHandling = sqliteTable(
  'case_co_handling',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    agencyCode: text('agency_code').notNull(),
    /** `requested` (named at registration), `joint_place`, `source_side`. */
    reason: text('reason').notNull(),
    addedAt: text('added_at').notNull(),
    ...caseCopyColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.agencyCode] }),
    index('case_co_handling_registered').on(t.agencyCode, t.registeredAt, t.caseId),
    index('case_co_handling_updated').on(t.agencyCode, t.updatedAt, t.caseId),
    index('case_co_handling_seq').on(t.agencyCode, t.changeSeq),
  ],
);

/**
 * Read access granted to other agencies (e.g. by a cross-filing being received), with a copy of
 * the case's fields (above). Insert through `grantCaseAccess` (src/cases/access.ts): it fills the
 * copy and writes the change log so the agency's apps sync the case.
 */
export const caseAccess = sqliteTable(
  'case_access',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    agencyCode: text('agency_code').notNull(),
    /** e.g. `filing:<filingId>`. */
    reason: text('reason').notNull(),
    createdAt: text('created_at').notNull(),
    ...caseCopyColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.agencyCode] }),
    index('case_access_registered').on(t.agencyCode, t.registeredAt, t.caseId),
    index('case_access_updated').on(t.agencyCode, t.updatedAt, t.caseId),
    index('case_access_seq').on(t.agencyCode, t.changeSeq),
  ],
);

/**
 * Agencies that no longer see a case through some relation (e.g. the lead before a transfer):
 * sync sends them a tombstone for changes after `leftSeq`.
 */
export const caseFormerAgencies = sqliteTable(
  'case_former_agencies',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    agencyCode: text('agency_code').notNull(),
    relation: text('relation', { enum: ['lead', 'co_handling', 'access'] }).notNull(),
    /** case_changes.seq of the change that took the case out of this agency's view. */
    leftSeq: integer('left_seq').notNull(),
    /** The case's case_changes.seq (kept by recordChange): sync walks an agency's rows in this order. */
    changeSeq: integer('change_seq').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.agencyCode, t.relation] }), index('case_former_agency').on(t.agencyCode, t.changeSeq)],
);

/** Complaints a case was opened from (the link the other way: query by complaintId). */
export const caseComplaints = sqliteTable(
  'case_complaints',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    complaintId: text('complaint_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.complaintId] }), index('case_complaints_complaint').on(t.complaintId)],
);

export const MEASURE_TYPES = [
  'warning',
  'fine',
  'daily_penalty',
  'seal_seizure',
  'production_restriction',
  'production_suspension',
  'police_transfer',
  'listed_supervision',
  /** 听证告知: the party was told of its right to a hearing (行政处罚法 art. 63–64); needed before a large fine. */
  'hearing_notice',
] as const;
export type MeasureType = (typeof MEASURE_TYPES)[number];

/** Enforcement measures (执法措施). Type-specific fields (input and computed) live in `details`. */
export const caseMeasures = sqliteTable(
  'case_measures',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    type: text('type', { enum: MEASURE_TYPES }).notNull(),
    status: text('status', { enum: ['active', 'lifted'] }).notNull(),
    /** fine amount, or the computed daily-penalty total, in fen. */
    amountFen: integer('amount_fen'),
    legalBasis: text('legal_basis'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    extensionCount: integer('extension_count').notNull().default(0),
    liftedAt: text('lifted_at'),
    liftReason: text('lift_reason'),
    createdBy: text('created_by'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('case_measures_case').on(t.caseId, t.createdAt, t.id), index('case_measures_type').on(t.type, t.caseId)],
);

/** Append-only, hash-chained timeline (changes, notes, evidence). Never updated or deleted. */
export const caseTimeline = sqliteTable(
  'case_timeline',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    /** 1, 2, 3… per case. */
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['change', 'note', 'evidence'] }).notNull(),
    at: text('at').notNull(),
    /** API key id of the actor; null for system jobs. */
    actor: text('actor'),
    actorAgencyCode: text('actor_agency_code'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [uniqueIndex('case_timeline_seq').on(t.caseId, t.seq), index('case_timeline_evidence').on(t.caseId, t.kind, t.seq)],
);

/**
 * Change log for sync: written in the same transaction as every case change. One row per case
 * (the latest change; older rows of the case are deleted) so a cursor over `seq` yields each
 * changed case once at its latest state. SQLite serialises writers, so seqs commit in order and
 * a cursor never skips.
 */
export const caseChanges = sqliteTable(
  'case_changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    at: text('at').notNull(),
    /** The case's lead agency as of this change (sync walks an agency's changes on this index). */
    leadAgencyCode: text('lead_agency_code').notNull(),
  },
  (t) => [uniqueIndex('case_changes_case').on(t.caseId), index('case_changes_lead').on(t.leadAgencyCode, t.seq)],
);

/**
 * Time-bounded read access of a team's inspectors to a case (GET only, not synced): a cross
 * operation grants its visiting teams the cases it opens for its window. `grantedBy` names the
 * grant's owner (e.g. `joint-operations/<id>`), which revokes all of its grants at once.
 */
export const caseReadGrants = sqliteTable(
  'case_read_grants',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    teamId: text('team_id').notNull(),
    grantedBy: text('granted_by').notNull(),
    until: text('until').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.teamId, t.grantedBy] }),
    index('case_read_grants_team').on(t.teamId, t.caseId),
    index('case_read_grants_by').on(t.grantedBy),
  ],
);
