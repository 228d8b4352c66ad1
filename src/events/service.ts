/**
 * Webhook subscription management: create, list, change, delete, rotate, the delivery log, retry
 * and replay. Each write is one transaction; a caller only ever reaches its own subscriptions
 * (admins reach all), and a subscription sees only what its owner's key sees.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import { inTx, type Tx } from '../db/client.js';
import { afterKey } from '../db/keyset.js';
import type { Deps } from '../deps.js';
import { newId } from '../ids.js';
import type { Principal } from '../auth/principal.js';
import { conflict, fieldError, notFound, unprocessable } from '../http/problem.js';
import { events } from '../outbox/tables.js';
import { deliveries, deliveryAttempts, subscriptions } from './tables.js';
import { decodeEventCursor, feedTypes, lastEventPosition, resolveTypes } from './feed.js';
import { checkWebhookUrl } from './safety.js';
import {
  countSql,
  getSubscription,
  headerRefusal,
  newSecret,
  sealHeaders,
  SECRET_OVERLAP_MS,
  subscriptionCondition,
  type Subscription,
} from './subscriptions.js';
import { disableSubscription, MAX_ATTEMPTS, scheduleNow, type Delivery } from './delivery.js';
import { deliveryView } from './views.js';
import type { CreateBody, PatchBody, ReplayBody } from './schemas.js';

/** 404 unless the caller owns it (admins see all). */
export function ownedSubscription(db: Tx, p: Principal, id: string): Subscription {
  const s = getSubscription(db, id);
  if (!s || (p.role !== 'admin' && s.ownerKeyId !== p.keyId)) throw notFound('subscription', id);
  return s;
}

function validateTypes(types: string[], field: string): string[] {
  resolveTypes(types, field, feedTypes());
  return [...new Set(types.map((t) => t.trim()))];
}

/** Deliveries with their attempt logs, in one read of the attempts. */
export function deliveryViews(db: Tx, rows: Delivery[]) {
  const ids = rows.map((r) => r.id);
  const atts = ids.length ? db.select().from(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, ids)).orderBy(asc(deliveryAttempts.id)).all() : [];
  return rows.map((d) => deliveryView(d, atts));
}

/** 400 naming the first refused custom header. */
function checkHeaders(headers: Record<string, string> | null | undefined) {
  for (const name of Object.keys(headers ?? {})) {
    const why = headerRefusal(name);
    if (why) throw fieldError(`body/headers/${name}`, why);
  }
}

/** The checks a new subscription needs before its transaction (the URL check resolves DNS). */
export async function checkSubscription(deps: Deps, b: Static<typeof CreateBody>): Promise<string[]> {
  const types = validateTypes(b.types, 'body/types');
  checkHeaders(b.headers);
  await checkWebhookUrl(b.url, deps.config.webhookAllowPrivateNetworks);
  return types;
}

export async function createSubscription(deps: Deps, p: Principal, b: Static<typeof CreateBody>): Promise<{ row: Subscription; secret: string }> {
  const types = await checkSubscription(deps, b);
  return inTx(deps.db, (tx) => insertSubscription(tx, deps, p, b, types));
}

/** Inserts a checked subscription (see checkSubscription) in the caller's transaction. */
export function insertSubscription(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateBody>, types: string[]): { row: Subscription; secret: string } {
  const now = deps.clock.now().toISOString();
  const secret = newSecret();
  const id = newId();
  const row = tx
    .insert(subscriptions)
    .values({
      id,
      ...sealHeaders(deps.services.sealer, id, b.headers),
      ownerKeyId: p.keyId,
      ownerRole: p.role,
      ownerSide: p.side,
      ownerAgencyCode: p.agencyCode,
      ownerTeamId: p.teamId,
      ownerAudience: p.audience ?? null,
      ownerScopes: p.scopes ?? null,
      url: b.url,
      types,
      filter: b.filter ?? null,
      description: b.description ?? null,
      secret,
      status: 'active',
      // Events committed from now on fan out to it (read under the write lock).
      startPosition: lastEventPosition(tx),
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  return { row, secret };
}

/** Own subscriptions (admins: all), oldest first. */
export function listSubscriptions(db: Tx, p: Principal, limit: number, after?: { c: string; i: string }): Subscription[] {
  const conds: (SQL | undefined)[] = [isNull(subscriptions.deletedAt)];
  if (p.role !== 'admin') conds.push(eq(subscriptions.ownerKeyId, p.keyId));
  conds.push(afterKey(subscriptions.createdAt, subscriptions.id, after && { value: after.c, id: after.i }, 'asc'));
  return db
    .select()
    .from(subscriptions)
    .where(and(...conds))
    .orderBy(asc(subscriptions.createdAt), asc(subscriptions.id))
    .limit(limit)
    .all();
}

export async function patchSubscription(deps: Deps, p: Principal, id: string, b: Static<typeof PatchBody>): Promise<Subscription> {
  const s = ownedSubscription(deps.db, p, id);
  const types = b.types ? validateTypes(b.types, 'body/types') : undefined;
  checkHeaders(b.headers);
  if (b.url !== undefined) await checkWebhookUrl(b.url, deps.config.webhookAllowPrivateNetworks);
  return inTx(deps.db, (tx) => {
    const cur = getSubscription(tx, s.id);
    if (!cur) throw notFound('subscription', s.id);
    const now = deps.clock.now().toISOString();
    const set: Partial<Subscription> = { updatedAt: now };
    if (b.url !== undefined) set.url = b.url;
    if (types) set.types = types;
    if (b.filter !== undefined) set.filter = b.filter;
    if (b.description !== undefined) set.description = b.description;
    if (b.headers !== undefined) Object.assign(set, sealHeaders(deps.services.sealer, s.id, b.headers));
    const reenable = b.enabled === true && cur.status === 'disabled';
    // The fan-out rule changed: order-keeping starts afresh from the present.
    if (types || b.filter !== undefined || reenable) set.startPosition = lastEventPosition(tx);
    if (reenable) Object.assign(set, { status: 'active', disabledReason: null, disabledAt: null, failingSince: null });
    tx.update(subscriptions).set(set).where(eq(subscriptions.id, s.id)).run();
    const updated = getSubscription(tx, s.id)!;
    if (b.enabled === false && cur.status === 'active') disableSubscription(tx, deps, updated, 'manual');
    return getSubscription(tx, s.id)!;
  });
}

/** Deletes (soft) and cancels its pending deliveries. */
export function deleteSubscription(deps: Deps, p: Principal, id: string): void {
  inTx(deps.db, (tx) => {
    const s = ownedSubscription(tx, p, id);
    disableSubscription(tx, deps, s, 'deleted');
    tx.update(subscriptions).set({ deletedAt: deps.clock.now().toISOString() }).where(eq(subscriptions.id, s.id)).run();
  });
}

/** A new signing secret; the old one keeps signing for SECRET_OVERLAP_MS. */
export function rotateSecret(deps: Deps, p: Principal, id: string) {
  const now = deps.clock.now();
  const secret = newSecret();
  const expires = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
  inTx(deps.db, (tx) => {
    const s = ownedSubscription(tx, p, id);
    tx.update(subscriptions)
      .set({ secret, previousSecret: s.secret, previousSecretExpiresAt: expires, updatedAt: now.toISOString() })
      .where(eq(subscriptions.id, s.id))
      .run();
  });
  return { id, secret, previousSecretExpiresAt: expires };
}

export const requireActive = (s: Subscription, hint = 're-enable it first') => {
  if (s.status !== 'active') throw conflict('subscription-disabled', `Subscription ${s.id} is disabled; ${hint}.`);
};

/** The delivery log of a subscription, newest first. */
export function listDeliveries(
  db: Tx,
  s: Subscription,
  q: { status?: Delivery['status']; eventId?: string },
  limit: number,
  after?: { c: string; i: string },
): Delivery[] {
  const conds: (SQL | undefined)[] = [eq(deliveries.subscriptionId, s.id)];
  if (q.status) conds.push(eq(deliveries.status, q.status));
  if (q.eventId) conds.push(eq(deliveries.eventId, q.eventId));
  conds.push(afterKey(deliveries.createdAt, deliveries.id, after && { value: after.c, id: after.i }, 'desc'));
  return db
    .select()
    .from(deliveries)
    .where(and(...conds))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit)
    .all();
}

/** One more attempt of a failed or cancelled delivery, now. */
export function retryDelivery(deps: Deps, p: Principal, id: string, deliveryId: string): Delivery {
  const d = inTx(deps.db, (tx) => {
    const s = ownedSubscription(tx, p, id);
    requireActive(s);
    const cur = tx
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.id, deliveryId), eq(deliveries.subscriptionId, s.id)))
      .get();
    if (!cur) throw notFound('delivery', deliveryId);
    if (cur.status === 'pending')
      throw conflict(
        'delivery-pending',
        `Delivery ${cur.id} is still pending (next attempt ${cur.nextAttemptAt ?? 'after the earlier event of its subject'}).`,
      );
    tx.update(deliveries)
      .set({ status: 'pending', maxAttempts: cur.attempts + 1, deliveredAt: null })
      .where(eq(deliveries.id, cur.id))
      .run();
    scheduleNow(tx, deps, cur);
    return tx.select().from(deliveries).where(eq(deliveries.id, cur.id)).get()!;
  });
  deps.poke();
  return d;
}

/**
 * Re-sends the events of a range that the subscription matches, in order per subject with their
 * original ids: one replay delivery per event, the first of each subject scheduled now.
 */
export function replay(deps: Deps, p: Principal, id: string, b: Static<typeof ReplayBody>) {
  const owned = ownedSubscription(deps.db, p, id);
  if ((b.after === undefined) === (b.from === undefined)) throw fieldError('body', 'give exactly one of after or from');
  requireActive(owned);
  const after = b.after !== undefined ? decodeEventCursor(b.after, 'body/after') : undefined;
  const types = b.types ? resolveTypes(b.types, 'body/types') : undefined;
  const replayId = newId();
  const res = inTx(deps.db, (tx) => {
    const s = ownedSubscription(tx, p, id);
    requireActive(s);
    const upTo = lastEventPosition(tx);
    const where = and(
      subscriptionCondition(tx, s, types),
      lte(events.position, upTo),
      after !== undefined ? gt(events.position, after) : undefined,
      b.from !== undefined ? gte(events.time, new Date(b.from).toISOString()) : undefined,
    );
    const n = tx.select({ n: countSql }).from(events).where(where).get()?.n ?? 0;
    if (n > deps.config.replayMaxEvents) {
      throw unprocessable(
        'replay-too-large',
        `The range holds ${n} events; at most ${deps.config.replayMaxEvents} may be replayed at once. Narrow it with after/from or types.`,
        {
          events: n,
          max: deps.config.replayMaxEvents,
        },
      );
    }
    const rows = tx.select().from(events).where(where).orderBy(asc(events.position)).all();
    const now = deps.clock.now().toISOString();
    const firstOfSubject = new Set<string>();
    for (const e of rows) {
      const did = `r_${replayId}_${e.id}`;
      tx.insert(deliveries)
        .values({
          id: did,
          subscriptionId: s.id,
          kind: 'replay',
          eventId: e.id,
          eventPosition: e.position,
          type: e.type,
          subject: e.subject,
          status: 'pending',
          maxAttempts: MAX_ATTEMPTS,
          replayId,
          createdAt: now,
          updatedAt: now,
        })
        .run();
      if (!firstOfSubject.has(e.subject)) {
        firstOfSubject.add(e.subject);
        scheduleNow(tx, deps, { id: did, attempts: 0, timerSeq: 0 });
      }
    }
    return { events: rows.length, upTo: rows.length ? rows[rows.length - 1].position : upTo };
  });
  deps.poke();
  return { replayId, ...res };
}
