import { sqliteTable, text, index } from 'drizzle-orm/sqlite-core';
import { PARTNER_AUDIENCES, type PartnerScope } from '../domain/index.js';

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    /** sha256 of the whole key; keys have 256 bits of entropy so a fast hash is enough. */
    hash: text('hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    name: text('name'),
    role: text('role', { enum: ['admin', 'intake', 'supervisor', 'inspector', 'partner'] }).notNull(),
    side: text('side', { enum: ['region', 'corps'] }),
    agencyCode: text('agency_code'),
    teamId: text('team_id'),
    /** Partners only: what the key reads beyond what it created (PARTNER_AUDIENCES). */
    audience: text('audience', { enum: PARTNER_AUDIENCES }),
    /** Partners only: read-only scopes (PARTNER_SCOPES). */
    scopes: text('scopes', { mode: 'json' }).$type<PartnerScope[]>(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by'),
    revokedAt: text('revoked_at'),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [index('api_keys_created').on(t.createdAt, t.id)],
);

/**
 * Single-use stream tokens (POST /v1/events/stream-tokens): a browser's EventSource cannot send a
 * bearer header, so it passes one of these as `?token=`. Only the hash is kept; the token carries
 * the visibility of the key that made it (resolved again when used: a revoked key's tokens fail).
 */
export const streamTokens = sqliteTable(
  'stream_tokens',
  {
    hash: text('hash').primaryKey(),
    keyId: text('key_id').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
  },
  (t) => [index('stream_tokens_expires').on(t.expiresAt)],
);
