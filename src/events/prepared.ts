import { and, asc, eq, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { timers } from '../queue/tables.js';
import { deliveries, deliveryAttempts, subscriptions } from './tables.js';
import { eventAudience, events } from '../outbox/tables.js';

const P = sql.placeholder;
/** A placeholder where drizzle's types want a value (update SET): bound as is (text and integer columns only). */
const V = (name: string) => sql`${P(name)}`;

/**
 * The statements of the webhook fan-out path (relay reactor, deliver job, claim, record), built
 * once per database. A delivery runs about twenty statements, and drizzle builds the SQL of a
 * one-off query on every call (≈ 150 µs here, ~30× executing a lookup by key; the statement cache
 * in db/client.ts saves the prepare, not the build), so building SQL — not SQLite, not HTTP — set
 * the fan-out ceiling (bench/events.ts). Each is the same SQL as the one-off builder it replaces;
 * executed through the one connection, it runs inside the caller's open transaction.
 */
function build(db: Db) {
  return {
    deliveryById: db
      .select()
      .from(deliveries)
      .where(eq(deliveries.id, P('id')))
      .prepare(),
    eventById: db
      .select()
      .from(events)
      .where(eq(events.id, P('id')))
      .prepare(),
    subscriptionById: db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.id, P('id')), isNull(subscriptions.deletedAt)))
      .prepare(),
    /** Subscriptions that fan out the event at `position` (as liveSubscriptions). */
    liveSubscriptions: db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.status, 'active'), isNull(subscriptions.deletedAt), lt(subscriptions.startPosition, P('position'))))
      .prepare(),
    eventAudience: db
      .select({ key: eventAudience.key })
      .from(eventAudience)
      .where(eq(eventAudience.position, P('position')))
      .prepare(),
    insertEventDelivery: db
      .insert(deliveries)
      .values({
        id: P('id'),
        subscriptionId: P('subscriptionId'),
        kind: 'event',
        eventId: P('eventId'),
        eventPosition: P('eventPosition'),
        type: P('type'),
        subject: P('subject'),
        status: P('status'),
        maxAttempts: P('maxAttempts'),
        lastError: P('lastError'),
        createdAt: P('now'),
        updatedAt: P('now'),
      })
      .onConflictDoNothing()
      .prepare(),
    /** An earlier pending delivery of the same subject to the same subscription. */
    earlierPending: db
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(
        and(
          eq(deliveries.subscriptionId, P('subscriptionId')),
          eq(deliveries.subject, P('subject')),
          eq(deliveries.status, 'pending'),
          lt(deliveries.eventPosition, P('position')),
        ),
      )
      .limit(1)
      .prepare(),
    /** Earlier events of the subject (after the subscription started) that have no delivery row yet. */
    unmaterialised: db
      .select()
      .from(events)
      .where(
        and(
          eq(events.subject, P('subject')),
          gt(events.position, P('start')),
          lt(events.position, P('position')),
          sql`NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.id = 'e_' || ${events.id} || '_' || ${P('subscriptionId')})`,
        ),
      )
      .prepare(),
    /** kickNext: the earliest other pending delivery of the subject. */
    nextOfSubject: db
      .select()
      .from(deliveries)
      .where(
        and(
          eq(deliveries.subscriptionId, P('subscriptionId')),
          eq(deliveries.subject, P('subject')),
          eq(deliveries.status, 'pending'),
          ne(deliveries.id, P('except')),
        ),
      )
      .orderBy(asc(deliveries.eventPosition))
      .limit(1)
      .prepare(),
    deleteTimer: db
      .delete(timers)
      .where(eq(timers.id, P('id')))
      .prepare(),
    /** scheduleTimer's upsert. */
    upsertTimer: db
      .insert(timers)
      .values({ id: P('id'), name: P('name'), payload: P('payload'), dueAt: P('dueAt'), firedAt: null, cancelledAt: null })
      .onConflictDoUpdate({
        target: timers.id,
        set: { id: sql`excluded.id`, name: sql`excluded.name`, payload: sql`excluded.payload`, dueAt: sql`excluded.due_at`, firedAt: null, cancelledAt: null },
      })
      .prepare(),
    setTimerSeq: db
      .update(deliveries)
      .set({ timerSeq: V('seq') })
      .where(eq(deliveries.id, P('id')))
      .prepare(),
    setNextAttempt: db
      .update(deliveries)
      .set({ nextAttemptAt: V('nextAttemptAt'), updatedAt: V('now') })
      .where(eq(deliveries.id, P('id')))
      .prepare(),
    markAttempt: db
      .update(deliveries)
      .set({ attempts: V('attempts'), nextAttemptAt: V('nextAttemptAt'), updatedAt: V('now') })
      .where(eq(deliveries.id, P('id')))
      .prepare(),
    markDelivered: db
      .update(deliveries)
      .set({
        lastStatusCode: V('lastStatusCode'),
        lastError: V('lastError'),
        deliveredAt: V('deliveredAt'),
        status: 'delivered',
        nextAttemptAt: null,
        updatedAt: V('now'),
      })
      .where(eq(deliveries.id, P('id')))
      .prepare(),
    insertAttempt: db
      .insert(deliveryAttempts)
      .values({
        deliveryId: P('deliveryId'),
        attempt: P('attempt'),
        at: P('at'),
        statusCode: P('statusCode'),
        durationMs: P('durationMs'),
        error: P('error'),
        nextAttemptAt: P('nextAttemptAt'),
      })
      .prepare(),
  };
}

export type DeliveryStatements = ReturnType<typeof build>;

const cache = new WeakMap<Db, DeliveryStatements>();

/** The prepared delivery statements of this database (built on first use). */
export function deliveryStatements(db: Db): DeliveryStatements {
  let s = cache.get(db);
  if (!s) cache.set(db, (s = build(db)));
  return s;
}
