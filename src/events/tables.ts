import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { PARTNER_AUDIENCES, type PartnerScope } from '../domain/index.js';

/**
 * Webhook subscriptions. A subscription sees what its owner's key binding sees (stored here, so
 * revoking or re-binding the key later does not widen it). Events after `startPosition` fan out.
 */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    ownerKeyId: text('owner_key_id').notNull(),
    ownerRole: text('owner_role').notNull(),
    ownerSide: text('owner_side'),
    ownerAgencyCode: text('owner_agency_code'),
    ownerTeamId: text('owner_team_id'),
    /** Partner owners: their key's audience and scopes at creation (the subscription never widens). */
    ownerAudience: text('owner_audience', { enum: PARTNER_AUDIENCES }),
    ownerScopes: text('owner_scopes', { mode: 'json' }).$type<PartnerScope[]>(),
    url: text('url').notNull(),
    types: text('types', { mode: 'json' }).$type<string[]>().notNull(),
    filter: text('filter', { mode: 'json' }).$type<{ side?: string; agencyCodes?: string[]; categories?: string[] } | null>(),
    description: text('description'),
    /** Signing secrets (`whsec_…`); the previous one keeps signing until `previousSecretExpiresAt`. */
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: text('previous_secret_expires_at'),
    /** Static headers sent with each delivery (e.g. the receiver's own token): names in clear, values sealed (PII_KEY, bound to the id). */
    customHeaderNames: text('custom_header_names', { mode: 'json' }).$type<string[]>(),
    customHeaders: text('custom_headers'),
    status: text('status', { enum: ['active', 'disabled'] }).notNull(),
    disabledReason: text('disabled_reason'),
    disabledAt: text('disabled_at'),
    /** Start of the current run of failed attempts (null after any success). */
    failingSince: text('failing_since'),
    startPosition: integer('start_position').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    deletedAt: text('deleted_at'),
  },
  (t) => [index('subscriptions_owner').on(t.ownerKeyId, t.createdAt), index('subscriptions_status').on(t.status)],
);

/** One row per (event, subscription) sent (kind event), re-sent (replay) or test ping. */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    kind: text('kind', { enum: ['event', 'replay', 'ping'] }).notNull(),
    eventId: text('event_id').notNull(),
    /** Outbox position (null for pings). */
    eventPosition: integer('event_position'),
    type: text('type').notNull(),
    subject: text('subject').notNull(),
    /** The CloudEvent for pings (events are rebuilt from the outbox). */
    envelope: text('envelope', { mode: 'json' }).$type<Record<string, unknown>>(),
    status: text('status', { enum: ['pending', 'delivered', 'failed', 'cancelled'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    nextAttemptAt: text('next_attempt_at'),
    /** Numbers this delivery's durable timers (`dlv-<id>-<seq>`): each schedule gets a fresh job id. */
    timerSeq: integer('timer_seq').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    replayId: text('replay_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    deliveredAt: text('delivered_at'),
  },
  (t) => [
    index('deliveries_sub_created').on(t.subscriptionId, t.createdAt, t.id),
    index('deliveries_order').on(t.subscriptionId, t.subject, t.status, t.eventPosition),
  ],
);

/** Every HTTP attempt of a delivery. */
export const deliveryAttempts = sqliteTable(
  'delivery_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => deliveries.id),
    attempt: integer('attempt').notNull(),
    at: text('at').notNull(),
    statusCode: integer('status_code'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    nextAttemptAt: text('next_attempt_at'),
  },
  (t) => [index('delivery_attempts_delivery').on(t.deliveryId, t.attempt)],
);
