import { sqliteTable, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Why a filing was made: the case event that triggered it, or a user's request (`manual`). */
export const FILING_TRIGGERS = [
  'registered',
  'decided',
  'closed',
  'fine',
  'police_transfer',
  'seal_seizure',
  'production_suspension',
  'listed_supervision',
  'manual',
] as const;
export type FilingTrigger = (typeof FILING_TRIGGERS)[number];

export const FILING_STATUSES = ['pending', 'acknowledged', 'overdue'] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];

/** Why this agency receives the filing. */
export const FILING_REASONS = ['place', 'source', 'co_handling', 'manual'] as const;
export type FilingReason = (typeof FILING_REASONS)[number];

/**
 * Cross-filings (互相备案): a case record filed by one side with an agency of the other side,
 * which must acknowledge it by `ackDueAt`. `snapshot` is the case summary as it stood when filed.
 * One case state (`stateKey`: the triggering event id, or `manual-v<case version>`) produces at
 * most one filing per receiving agency and trigger (unique index), however often a job runs.
 */
export const filings = sqliteTable(
  'filings',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id').notNull(),
    caseNumber: text('case_number').notNull(),
    fromAgencyCode: text('from_agency_code').notNull(),
    fromSide: text('from_side', { enum: ['region', 'corps'] }).notNull(),
    toAgencyCode: text('to_agency_code').notNull(),
    toSide: text('to_side', { enum: ['region', 'corps'] }).notNull(),
    trigger: text('trigger', { enum: FILING_TRIGGERS }).notNull(),
    /** The case event that triggered it, or `manual-v<case version>`. */
    stateKey: text('state_key').notNull(),
    /** The measure behind a measure trigger. */
    measureId: text('measure_id'),
    reasons: text('reasons', { mode: 'json' }).$type<FilingReason[]>().notNull(),
    note: text('note'),
    category: text('category').notNull(),
    snapshot: text('snapshot', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: FILING_STATUSES }).notNull(),
    createdAt: text('created_at').notNull(),
    /** API key id of the user who asked for a manual filing; null for automatic ones. */
    createdBy: text('created_by'),
    ackDueAt: text('ack_due_at').notNull(),
    escalateAt: text('escalate_at').notNull(),
    acknowledgedAt: text('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    overdueAt: text('overdue_at'),
    escalatedAt: text('escalated_at'),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('filings_state').on(t.caseId, t.toAgencyCode, t.trigger, t.stateKey),
    index('filings_created').on(t.createdAt, t.id),
    index('filings_to').on(t.toAgencyCode, t.createdAt, t.id),
    index('filings_from').on(t.fromAgencyCode, t.createdAt, t.id),
    index('filings_case').on(t.caseId, t.createdAt, t.id),
  ],
);

export const COMMENT_KINDS = ['comment', 'question', 'answer'] as const;

/**
 * Comments on a filing, by either agency. A `question` is an information request from the
 * receiving agency (it lands in the filing agency's inbox); an `answer` answers one.
 */
export const filingComments = sqliteTable(
  'filing_comments',
  {
    id: text('id').primaryKey(),
    filingId: text('filing_id')
      .notNull()
      .references(() => filings.id),
    kind: text('kind', { enum: COMMENT_KINDS }).notNull(),
    text: text('text').notNull(),
    agencyCode: text('agency_code'),
    byKeyId: text('by_key_id').notNull(),
    /** For an answer: the question it answers. */
    answersId: text('answers_id'),
    /** For a question: when it was answered. */
    answeredAt: text('answered_at'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('filing_comments_filing').on(t.filingId, t.createdAt, t.id)],
);
