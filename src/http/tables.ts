import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';

/** Idempotency-Key records, scoped per API key, kept ≥ 24 h. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    keyId: text('key_id').notNull(),
    key: text('key').notNull(),
    route: text('route').notNull(),
    bodyHash: text('body_hash').notNull(),
    status: integer('status').notNull(),
    response: text('response', { mode: 'json' }).$type<unknown>().notNull(),
    location: text('location'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.route, t.key] }), index('idem_created').on(t.createdAt)],
);

/**
 * The audit log: every write and every denied attempt, append-only (a trigger refuses UPDATE and
 * DELETE). Who, what, when, the request id and the outcome — never a body, a query string or
 * reporter data.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: text('at').notNull(),
    keyId: text('key_id'),
    role: text('role'),
    side: text('side'),
    agencyCode: text('agency_code'),
    teamId: text('team_id'),
    method: text('method').notNull(),
    route: text('route'),
    path: text('path').notNull(),
    subject: text('subject'),
    status: integer('status').notNull(),
    outcome: text('outcome').$type<'allowed' | 'denied' | 'refused' | 'failed'>().notNull(),
    requestId: text('request_id').notNull(),
  },
  (t) => [index('audit_at').on(t.at, t.id), index('audit_key_at').on(t.keyId, t.at), index('audit_subject_at').on(t.subject, t.at)],
);
