import type { Category } from '../domain/index.js';
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const COMPLAINT_STATUSES = [
  'received',
  'accepted',
  'not_accepted',
  'transferred',
  'routed',
  'in_progress',
  'replied',
  'under_review',
  'reviewed',
  'closed',
] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];
export const CHANNELS = ['phone', 'web', 'wechat', 'letter', 'visit', 'open311', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Attachment {
  url?: string;
  sha256?: string;
  mediaType?: string;
  bytes?: number;
}

/**
 * 12369 complaints. Reporter fields live only in `reporter_enc` (AES-256-GCM, see pii.ts); nothing
 * else in the row identifies the reporter.
 */
export const complaints = sqliteTable(
  'complaints',
  {
    id: text('id').primaryKey(),
    /** `12369-<year>-<6 digits>`, sequential per year (complaint_counters). */
    number: text('number').notNull(),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    category: text('category').$type<Category>().notNull(),
    description: text('description').notNull(),
    lat: real('lat'),
    lng: real('lng'),
    address: text('address'),
    adminCode: text('admin_code'),
    occurredAt: text('occurred_at'),
    urgent: integer('urgent', { mode: 'boolean' }).notNull().default(false),
    sourceId: text('source_id'),
    externalRef: text('external_ref'),
    attachments: text('attachments', { mode: 'json' }).$type<Attachment[]>().notNull(),
    /** `v1.<iv>.<tag>.<ciphertext>` of the reporter JSON { name, phone, email }; null when none given. */
    reporterEnc: text('reporter_enc'),
    reporterAnonymous: integer('reporter_anonymous', { mode: 'boolean' }).notNull().default(true),
    /** HMAC of the query code (keyed from the PII key): a leaked database does not reveal codes. */
    queryCodeHash: text('query_code_hash').notNull(),
    status: text('status', { enum: COMPLAINT_STATUSES }).notNull(),
    /** Why not accepted / transferred: told to the reporter. */
    statusReason: text('status_reason'),
    transferredTo: text('transferred_to'),
    receivedAt: text('received_at').notNull(),
    acceptanceDueAt: text('acceptance_due_at').notNull(),
    acceptedAt: text('accepted_at'),
    replyDueAt: text('reply_due_at'),
    extensionDays: integer('extension_days'),
    extensionReason: text('extension_reason'),
    extendedAt: text('extended_at'),
    overdue: integer('overdue', { mode: 'boolean' }).notNull().default(false),
    overdueDeadline: text('overdue_deadline', { enum: ['acceptance', 'reply', 'review'] }),
    overdueAt: text('overdue_at'),
    routedAt: text('routed_at'),
    side: text('side', { enum: ['region', 'corps'] }),
    agencyCode: text('agency_code'),
    teamId: text('team_id'),
    areaId: text('area_id'),
    gridId: text('grid_id'),
    joint: integer('joint', { mode: 'boolean' }).notNull().default(false),
    triage: integer('triage', { mode: 'boolean' }).notNull().default(false),
    startedAt: text('started_at'),
    replyText: text('reply_text'),
    repliedAt: text('replied_at'),
    repliedBy: text('replied_by'),
    feedbackSatisfied: integer('feedback_satisfied', { mode: 'boolean' }),
    feedbackComment: text('feedback_comment'),
    closedAt: text('closed_at'),
    closedBy: text('closed_by'),
    /** `final`: the re-review (复核) opinion was given; the matter is final (信访工作条例 art. 36). */
    closeReason: text('close_reason', { enum: ['feedback', 'auto', 'manual', 'final'] }),
    /**
     * Until when the reporter may ask for review (复查, 30 days after the reply) or re-review (复核,
     * 30 days after the review opinion): 信访工作条例 (2022) arts. 35–36. Null while a review is
     * pending, when final, and before a reply.
     */
    reviewRequestableUntil: text('review_requestable_until'),
    /** Set when intake reopened a closed complaint (within 30 days, with a reason). */
    reopenedAt: text('reopened_at'),
    reopenReason: text('reopen_reason'),
    duplicateOf: text('duplicate_of'),
    createdByKeyId: text('created_by_key_id').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('complaints_number').on(t.number),
    uniqueIndex('complaints_external_ref').on(t.channel, t.externalRef),
    // dedup bbox prefilter: category =, lat range, lng and received_at checked inside the index;
    // only masters can be linked to, so duplicates stay out of it (a burst of reports of one
    // chimney would otherwise make every lookup scan all earlier duplicates: bench/intake.ts)
    index('complaints_dedup_masters')
      .on(t.category, t.lat, t.lng, t.receivedAt)
      .where(sql`${t.duplicateOf} IS NULL`),
    index('complaints_received').on(t.receivedAt, t.id),
    index('complaints_status').on(t.status, t.receivedAt),
    index('complaints_agency').on(t.agencyCode, t.receivedAt),
    index('complaints_duplicate_of').on(t.duplicateOf),
    index('complaints_creator').on(t.createdByKeyId, t.receivedAt),
  ],
);

/** Per-year sequence for complaint numbers; incremented in the creating transaction. */
export const complaintCounters = sqliteTable('complaint_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

/** Audit of every read of reporter fields: who, when, which complaint. */
export const piiReads = sqliteTable(
  'pii_reads',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id').notNull(),
    role: text('role').notNull(),
    complaintId: text('complaint_id').notNull(),
    at: text('at').notNull(),
    /** The route that returned the fields. */
    via: text('via').notNull(),
  },
  (t) => [index('pii_reads_at').on(t.at, t.id), index('pii_reads_complaint').on(t.complaintId)],
);

export const REVIEW_STAGES = ['review', 're_review'] as const;
export type ReviewStage = (typeof REVIEW_STAGES)[number];

/**
 * A reporter's request for review (复查) of the reply, or re-review (复核) of the review opinion,
 * by the agency one level above (信访工作条例 (2022) arts. 35–36): at most one of each stage per
 * complaint. `reason` is the reporter's statement as intake took it down (never in events).
 */
export const complaintReviews = sqliteTable(
  'complaint_reviews',
  {
    id: text('id').primaryKey(),
    complaintId: text('complaint_id').notNull(),
    stage: text('stage', { enum: REVIEW_STAGES }).notNull(),
    /** The reviewing agency: the parent of `reviewedAgencyCode` in the agency hierarchy. */
    agencyCode: text('agency_code').notNull(),
    /** The agency whose answer is reviewed: the handling agency (review) or the reviewer (re-review). */
    reviewedAgencyCode: text('reviewed_agency_code').notNull(),
    requestedAt: text('requested_at').notNull(),
    requestedVia: text('requested_via', { enum: ['intake', 'public'] }).notNull(),
    /** API key id of the intake staff, or `public` (the reporter with the query code). */
    requestedBy: text('requested_by').notNull(),
    reason: text('reason').notNull(),
    /** 24:00 China time of the 30th day after the request (moved off a holiday). */
    dueAt: text('due_at').notNull(),
    overdue: integer('overdue', { mode: 'boolean' }).notNull().default(false),
    overdueAt: text('overdue_at'),
    opinion: text('opinion'),
    outcome: text('outcome', { enum: ['upheld', 'revised'] }),
    opinionAt: text('opinion_at'),
    opinionBy: text('opinion_by'),
  },
  (t) => [uniqueIndex('complaint_reviews_stage').on(t.complaintId, t.stage)],
);
