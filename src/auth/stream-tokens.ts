import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { inTx, type Db } from '../db/client.js';
import type { Clock } from '../clock.js';
import { randomToken } from '../ids.js';
import { ENV_ADMIN, getKey, principalOf, sha256 } from './keys.js';
import { streamTokens } from './tables.js';
import type { Principal } from './principal.js';

/** Tokens are told apart from API keys by this prefix (and never accepted as a bearer key). */
const PREFIX = 'est_';

/** A single-use token for one stream connection, carrying the visibility of `p`'s key. */
export function issueStreamToken(db: Db, clock: Clock, p: Principal, ttlSeconds: number): { token: string; expiresAt: string } {
  const token = PREFIX + randomToken(32);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  inTx(db, (tx) => {
    // Expired tokens are of no use to anyone: dropped as new ones are made.
    tx.delete(streamTokens).where(lt(streamTokens.expiresAt, now.toISOString())).run();
    tx.insert(streamTokens)
      .values({ hash: sha256(token), keyId: p.keyId, createdAt: now.toISOString(), expiresAt })
      .run();
  });
  return { token, expiresAt };
}

/**
 * Spends a token: the principal of the key that made it, or null when the token is unknown,
 * expired, already used, or its key was revoked since. Marking it used and reading it are one
 * statement, so two connections racing with one token get one stream.
 */
export function redeemStreamToken(db: Db, clock: Clock, token: string, adminKeySet: boolean): Principal | null {
  if (!token.startsWith(PREFIX)) return null;
  const now = clock.now().toISOString();
  const row = db
    .update(streamTokens)
    .set({ usedAt: now })
    .where(and(eq(streamTokens.hash, sha256(token)), isNull(streamTokens.usedAt), gt(streamTokens.expiresAt, now)))
    .returning({ keyId: streamTokens.keyId })
    .get();
  if (!row) return null;
  if (row.keyId === ENV_ADMIN.keyId) return adminKeySet ? { ...ENV_ADMIN } : null;
  const key = getKey(db, row.keyId);
  return key && !key.revokedAt ? principalOf(key) : null;
}
