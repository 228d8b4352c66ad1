import { and, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Tx } from '../db/client.js';
import type { Sealer } from '../auth/seal.js';
import type { Role, Side } from '../domain/index.js';
import { events } from '../outbox/tables.js';
import { subscriptions } from './tables.js';
import type { StoredEvent } from '../outbox/index.js';
import { resolveTypes } from './feed.js';
import { EVENT_TYPES } from './catalog.js';
import { audienceKeys, isVisible, visibleCondition, type Binding } from './visibility.js';

export type Subscription = typeof subscriptions.$inferSelect;
export interface SubscriptionFilter {
  side?: string;
  agencyCodes?: string[];
  categories?: string[];
}

/** `whsec_` + base64 of 32 random bytes (the Standard Webhooks secret format). */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export const SECRET_OVERLAP_MS = 24 * 3_600_000;

/** The secrets that sign now: the current one, and the previous one during its 24 h overlap. */
export function signingSecrets(sub: Subscription, now: Date): string[] {
  const out = [sub.secret];
  if (sub.previousSecret && sub.previousSecretExpiresAt && sub.previousSecretExpiresAt > now.toISOString()) out.push(sub.previousSecret);
  return out;
}

/** `webhook-signature`: one `v1,<base64>` per secret, space-separated (Standard Webhooks). */
export function sign(secrets: string[], msgId: string, timestamp: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(msgId, timestamp, body)).join(' ');
}

export const ownerBinding = (s: Subscription): Binding => ({
  role: s.ownerRole as Role,
  side: s.ownerSide as Side | null,
  agencyCode: s.ownerAgencyCode,
  teamId: s.ownerTeamId,
  keyId: s.ownerKeyId,
  audience: s.ownerAudience,
  scopes: s.ownerScopes,
});

/** Owner audience keys, memoised briefly (the reactor asks once per event × subscription). */
const keyCache = new Map<string, { at: number; keys: string[] | 'all' }>();
export function subscriptionKeys(db: Tx, s: Subscription): string[] | 'all' {
  const hit = keyCache.get(s.id);
  if (hit && Date.now() - hit.at < 5_000) return hit.keys;
  const keys = audienceKeys(db, ownerBinding(s));
  keyCache.set(s.id, { at: Date.now(), keys });
  if (keyCache.size > 10_000) keyCache.clear();
  return keys;
}

/**
 * Exact types a subscription's patterns (`complaint.*`, `*`) stand for today. Memoised by pattern
 * list and catalog size (the relay asks once per event × subscription). Do not mutate the result.
 */
const typesCache = new Map<string, string[]>();
export const subscriptionTypes = (s: Subscription): string[] => {
  const key = `${Object.keys(EVENT_TYPES).length}\n${s.types.join('\n')}`;
  let hit = typesCache.get(key);
  if (!hit) {
    hit = resolveTypes(s.types, 'types') ?? [];
    if (typesCache.size > 1_000) typesCache.clear();
    typesCache.set(key, hit);
  }
  return hit;
};

function filterMatches(f: SubscriptionFilter | null | undefined, e: StoredEvent): boolean {
  if (!f) return true;
  if (f.side && e.side !== f.side) return false;
  if (f.agencyCodes?.length && !(e.agencyCode && f.agencyCodes.includes(e.agencyCode))) return false;
  if (f.categories?.length && !(e.category && f.categories.includes(e.category))) return false;
  return true;
}

/**
 * Would this subscription receive this event (types, filter, and its owner's visibility)?
 * `visible` may answer the visibility check from the event's audience already read (the relay
 * reads it once per event); otherwise it is one query.
 */
export function subscriptionMatches(db: Tx, s: Subscription, e: StoredEvent, visible?: (keys: string[]) => boolean): boolean {
  if (!subscriptionTypes(s).includes(e.type)) return false;
  if (!filterMatches(s.filter, e)) return false;
  const keys = subscriptionKeys(db, s);
  if (visible && keys !== 'all') return keys.length > 0 && visible(keys);
  return isVisible(db, keys, e.position);
}

/** The same rule as SQL over `events` (replay). */
export function subscriptionCondition(db: Tx, s: Subscription, types?: string[]): SQL | undefined {
  const f = s.filter;
  const conds: (SQL | undefined)[] = [inArray(events.type, types ?? subscriptionTypes(s)), visibleCondition(subscriptionKeys(db, s))];
  if (f?.side) conds.push(eq(events.side, f.side));
  if (f?.agencyCodes?.length) conds.push(inArray(events.agencyCode, f.agencyCodes));
  if (f?.categories?.length) conds.push(inArray(events.category, f.categories));
  return and(...conds);
}

/** Subscriptions that fan out the event at `position`. */
export function liveSubscriptions(db: Tx, position: number): Subscription[] {
  return db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.status, 'active'), isNull(subscriptions.deletedAt), lt(subscriptions.startPosition, position)))
    .all();
}

export function getSubscription(db: Tx, id: string): Subscription | undefined {
  return db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.id, id), isNull(subscriptions.deletedAt)))
    .get();
}

export const countSql = sql<number>`count(*)`;

/** Headers a subscription may not set: hop-by-hop, framing, and the ones that carry our signature. */
const RESERVED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'user-agent',
  'expect',
]);

/** Why a custom header name is refused, or null. */
export function headerRefusal(name: string): string | null {
  const n = name.toLowerCase();
  if (n.startsWith('webhook-')) return 'is a signature header set by the service (webhook-id, webhook-timestamp, webhook-signature)';
  if (RESERVED_HEADERS.has(n)) return 'is a hop-by-hop or framing header set by the HTTP client';
  return null;
}

const headersAad = (id: string) => `subscription-headers:${id}`;

/** Seals custom headers for the subscription's row (values never stored in clear). */
export function sealHeaders(sealer: Sealer, id: string, headers: Record<string, string> | null | undefined) {
  if (!headers || !Object.keys(headers).length) return { customHeaderNames: null, customHeaders: null };
  return { customHeaderNames: Object.keys(headers), customHeaders: sealer.seal(headers, headersAad(id)) };
}

export function openHeaders(sealer: Sealer, s: Subscription): Record<string, string> {
  return s.customHeaders ? sealer.open<Record<string, string>>(s.customHeaders, headersAad(s.id)) : {};
}

/** Names and masked values, for GET (the value itself is write-only). */
export function maskedHeaders(sealer: Sealer, s: Subscription): { name: string; value: string }[] {
  if (!s.customHeaders) return [];
  return Object.entries(openHeaders(sealer, s)).map(([name, v]) => ({ name, value: v.length >= 12 ? `****${v.slice(-4)}` : '****' }));
}
