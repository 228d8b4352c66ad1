import { createHash, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, desc, sql } from 'drizzle-orm';
import { preparedOnce, type Db, type Tx } from '../db/client.js';
import { apiKeys } from './tables.js';
import { newId, randomToken } from '../ids.js';
import type { Principal } from './principal.js';
import type { PartnerAudience, PartnerScope, Role, Side } from '../domain/index.js';
import type { Clock } from '../clock.js';
import { afterKey } from '../db/keyset.js';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface NewKey {
  role: Role;
  side?: Side | null;
  agencyCode?: string | null;
  teamId?: string | null;
  name?: string | null;
  /** Partners: defaults to the narrowest that fits the binding (agency, else side, else created). */
  audience?: PartnerAudience | null;
  /** Partners: defaults to ['events']. */
  scopes?: PartnerScope[] | null;
}

/** The narrowest audience a partner binding allows: its agency's subtree, else its side, else what it created. */
export const defaultAudience = (k: { agencyCode?: string | null; side?: Side | null }): PartnerAudience =>
  k.agencyCode ? 'agency' : k.side ? 'side' : 'created';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function publicKey(row: ApiKeyRow) {
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    role: row.role,
    side: row.side,
    agencyCode: row.agencyCode,
    teamId: row.teamId,
    audience: row.audience,
    scopes: row.scopes,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  };
}

/** Creates a key; the plaintext is returned once and only its hash is stored. */
export function createKey(tx: Tx, clock: Clock, k: NewKey, createdBy: string | null = null) {
  const key = `ek_${randomToken(32)}`;
  const row: ApiKeyRow = {
    id: newId(),
    hash: sha256(key),
    prefix: key.slice(0, 10),
    name: k.name ?? null,
    role: k.role,
    side: k.side ?? null,
    agencyCode: k.agencyCode ?? null,
    teamId: k.teamId ?? null,
    audience: k.role === 'partner' ? (k.audience ?? defaultAudience(k)) : null,
    scopes: k.role === 'partner' ? (k.scopes ?? ['events']) : null,
    createdAt: clock.now().toISOString(),
    createdBy,
    revokedAt: null,
    lastUsedAt: null,
  };
  tx.insert(apiKeys).values(row).run();
  return { ...publicKey(row), key };
}

export function getKey(db: Tx, id: string): ApiKeyRow | undefined {
  return db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
}

export function listKeys(db: Tx, limit: number, after?: { createdAt: string; id: string }) {
  const where = after ? afterKey(apiKeys.createdAt, apiKeys.id, { value: after.createdAt, id: after.id }, 'desc') : undefined;
  return db.select().from(apiKeys).where(where).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)).limit(limit).all();
}

export function revokeKey(tx: Tx, clock: Clock, id: string): ApiKeyRow | undefined {
  const row = tx.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
  if (!row) return undefined;
  if (!row.revokedAt) tx.update(apiKeys).set({ revokedAt: clock.now().toISOString() }).where(eq(apiKeys.id, id)).run();
  return row;
}

const LAST_USED_GRANULARITY_MS = 60_000;

// Every request authenticates: built and prepared once (see preparedOnce).
const keyByHash = preparedOnce((db) =>
  db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .prepare(),
);
const touchKey = preparedOnce((db) =>
  db
    .update(apiKeys)
    .set({ lastUsedAt: sql`${sql.placeholder('at')}` })
    .where(eq(apiKeys.id, sql.placeholder('id')))
    .prepare(),
);

/**
 * Resolves a bearer key to a principal. `last_used_at` is written at most once a minute per key
 * so authentication does not turn every read into a write.
 */
export function authenticate(db: Db, clock: Clock, bearer: string, adminKey?: string): Principal | null {
  if (adminKey && bearer.length === adminKey.length && timingSafeEqual(Buffer.from(bearer), Buffer.from(adminKey))) {
    return { ...ENV_ADMIN };
  }
  const row = keyByHash(db).get({ hash: sha256(bearer) });
  if (!row) return null;
  const now = clock.now();
  if (!row.lastUsedAt || now.getTime() - new Date(row.lastUsedAt).getTime() >= LAST_USED_GRANULARITY_MS) {
    touchKey(db).run({ id: row.id, at: now.toISOString() });
  }
  return principalOf(row);
}

export const ENV_ADMIN: Principal = { keyId: 'env:ADMIN_API_KEY', role: 'admin', side: null, agencyCode: null, teamId: null };

export const principalOf = (row: ApiKeyRow): Principal => ({
  keyId: row.id,
  role: row.role,
  side: row.side,
  agencyCode: row.agencyCode,
  teamId: row.teamId,
  audience: row.audience,
  scopes: row.scopes,
});
