import { and, eq } from 'drizzle-orm';
import { inGroupTx, inTx, type Tx } from '../db/client.js';
import { newId } from '../ids.js';
import type { Deps } from '../deps.js';
import type { JobRegistry } from '../queue/types.js';
import { appendEvent } from '../outbox/index.js';
import { toCloudEvent } from './envelope.js';
import { deliveries, subscriptions } from './tables.js';
import { DELIVERY_TIMEOUT_MS, postWebhook, type SendResult } from './send.js';
import { openHeaders, sign, signingSecrets, subscriptionMatches, type Subscription } from './subscriptions.js';
import { deliveryStatements, type DeliveryStatements } from './prepared.js';

export type Delivery = typeof deliveries.$inferSelect;

/**
 * Retry schedule after attempt n (n = 1…12): exponential, ×4 from 5 s (5 s, 20 s, 80 s, 5 min,
 * 21 min, 85 min, 5.7 h) then capped at 12 h — 13 attempts over about 2.8 days. Each delay is
 * jittered ±20 % so a recovering receiver is not hit by every subscription at once.
 */
export const RETRY_DELAYS_MS = Array.from({ length: 12 }, (_, i) => Math.min(5_000 * 4 ** i, 12 * 3_600_000));
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A subscription whose deliveries keep failing this long is disabled and its owner notified. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;
/** The final attempt gets a watchdog: if the process died mid-send, the delivery is closed out. */
const WATCHDOG_MS = 5 * 60_000;

export const retryDelay = (attempt: number) => {
  const base = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1];
  return Math.round(base * (0.8 + Math.random() * 0.4));
};

export const DELIVER_JOB = 'events.deliver';
export const ATTEMPT_JOB = 'events.attempt';
export const liveDeliveryId = (eventId: string, subscriptionId: string) => `e_${eventId}_${subscriptionId}`;
const timerId = (deliveryId: string, seq: number) => `dlv-${deliveryId}-${seq}`;

/**
 * (Re)schedules attempt `attempt` of a delivery at `dueAt`. Each schedule is a new timer (the
 * runtime's job id derives from timer id + due time, and "now" repeats under a still clock);
 * the previous timer row is dropped, so a delivery holds at most one.
 */
function setTimer(q: DeliveryStatements, d: Pick<Delivery, 'id' | 'timerSeq'>, attempt: number, dueAt: Date) {
  const seq = d.timerSeq + 1;
  q.deleteTimer.run({ id: timerId(d.id, d.timerSeq) });
  // scheduleTimer(tx, …), prepared
  q.upsertTimer.run({ id: timerId(d.id, seq), name: ATTEMPT_JOB, dueAt: dueAt.toISOString(), payload: { deliveryId: d.id, attempt } });
  q.setTimerSeq.run({ seq, id: d.id });
}

function dropTimer(q: DeliveryStatements, d: Pick<Delivery, 'id' | 'timerSeq'>) {
  q.deleteTimer.run({ id: timerId(d.id, d.timerSeq) });
}

/** Outbox → one `deliver` job per (event, matching subscription); job ids derive from both. */
export function registerDelivery(registry: JobRegistry, deps: Deps) {
  registry.react('*', (ev, d) => {
    const q = deliveryStatements(d.db);
    // The event's audience is read once, not once per subscription.
    let audience: Set<string> | undefined;
    const visible = (keys: string[]) => {
      audience ??= new Set(q.eventAudience.all({ position: ev.position }).map((r) => r.key));
      return keys.some((k) => audience!.has(k));
    };
    const subs = q.liveSubscriptions.all({ position: ev.position }).filter((s) => subscriptionMatches(d.db, s, ev, visible));
    return subs.map((s) => ({
      queue: 'deliver' as const,
      name: DELIVER_JOB,
      id: `dlv-${ev.id}-${s.id}`,
      payload: { eventId: ev.id, position: ev.position, subscriptionId: s.id },
      priority: 5,
    }));
  });
  registry.handle(DELIVER_JOB, {
    queue: 'deliver',
    attempts: 5,
    run: async (p: { eventId: string; position: number; subscriptionId: string }, ctx) => {
      const id = liveDeliveryId(p.eventId, p.subscriptionId);
      const q = deliveryStatements(deps.db);
      let claimed: Claimed | null = null;
      const claim = (tx: Tx) => {
        const ev = q.eventById.get({ id: p.eventId });
        const sub = q.subscriptionById.get({ id: p.subscriptionId });
        if (!ev || !sub) return;
        const now = deps.clock.now().toISOString();
        // Re-check at run time: a PATCH or disable since the relay wins (recorded as cancelled).
        const live = sub.status === 'active' && subscriptionMatches(tx, sub, ev);
        q.insertEventDelivery.run({
          id,
          subscriptionId: sub.id,
          eventId: ev.id,
          eventPosition: ev.position,
          type: ev.type,
          subject: ev.subject,
          status: live ? 'pending' : 'cancelled',
          maxAttempts: MAX_ATTEMPTS,
          lastError: live ? null : 'subscription no longer matches or is disabled',
          now,
        });
        if (!live) kickNext(tx, deps, sub.id, ev.subject, id);
        // Attempt 1 is claimed in the same transaction (one commit fewer per delivery); as if
        // attempt() had claimed it right after.
        else claimed = claimIn(tx, deps, id, 1);
      };
      let first: boolean;
      try {
        // Grouped: the claims of the jobs that start together commit together.
        first = await inGroupTx(deps.db, () => ctx.once(claim));
      } catch (err) {
        const c = claimed as Claimed | null;
        if (c) releaseSlot(deps, c); // the claim did not commit
        throw err;
      }
      const c = claimed as Claimed | null; // assigned inside the callback
      if (!first)
        await attempt(deps, id, 1); // a re-run job: the delivery row exists already
      else if (c) await send(deps, c);
    },
  });
  registry.handle(ATTEMPT_JOB, {
    queue: 'deliver',
    attempts: 5,
    run: async (p: { deliveryId: string; attempt: number }) => {
      await attempt(deps, p.deliveryId, p.attempt);
    },
  });
}

interface Claimed {
  d: Delivery;
  sub: Subscription;
  body: string;
  n: number;
  /** Holds one of the subscription's send slots (until the result is recorded). */
  slot: boolean;
}

/**
 * Attempt n of a delivery. Claimed in one transaction (attempts = n, and the next attempt's
 * durable timer written) so two runners never both send attempt n and a crash mid-send is
 * retried by the timer; sent outside any transaction; the result recorded in another.
 */
export async function attempt(deps: Deps, deliveryId: string, n: number): Promise<Delivery | undefined> {
  let c: Claimed | null = null;
  try {
    await inGroupTx(deps.db, (tx) => (c = claimIn(tx, deps, deliveryId, n)));
  } catch (err) {
    if (c) releaseSlot(deps, c); // the claim did not commit
    throw err;
  }
  const claimed = c as Claimed | null; // assigned inside the callback
  return claimed ? send(deps, claimed) : undefined;
}

/**
 * Per-subscription concurrency (DELIVERY_PER_SUBSCRIPTION, per process): sends in flight per
 * subscription, and the deliveries that found every slot of theirs busy, in arrival order. A
 * hanging receiver sent many subjects would otherwise fill every runner slot for its 10 s
 * deadline. In memory: a waiting delivery also has a durable timer (SLOT_RECHECK_MS) for a
 * restart, or for a slot freed in another worker process.
 */
interface Slots {
  inflight: Map<string, number>;
  waiting: Map<string, Map<string, number>>; // subscription → delivery id → attempt
}
const slotsByDb = new WeakMap<Deps['db'], Slots>();
const SLOT_RECHECK_MS = 3 * DELIVERY_TIMEOUT_MS;
function slotsOf(deps: Deps): Slots {
  let s = slotsByDb.get(deps.db);
  if (!s) slotsByDb.set(deps.db, (s = { inflight: new Map(), waiting: new Map() }));
  return s;
}

function takeSlot(deps: Deps, subscriptionId: string): boolean {
  const s = slotsOf(deps);
  const n = s.inflight.get(subscriptionId) ?? 0;
  if (n >= deps.config.deliveryPerSubscription) return false;
  s.inflight.set(subscriptionId, n + 1);
  return true;
}

/** Gives back a send's slot and schedules (now) the subscription's longest-waiting delivery, if any. */
function releaseSlot(deps: Deps, c: Claimed) {
  if (!c.slot) return;
  c.slot = false;
  const s = slotsOf(deps);
  const id = c.sub.id;
  const n = (s.inflight.get(id) ?? 1) - 1;
  if (n > 0) s.inflight.set(id, n);
  else s.inflight.delete(id);
  const waiting = s.waiting.get(id);
  if (!waiting) return;
  const q = deliveryStatements(deps.db);
  for (const [deliveryId, attemptNo] of waiting) {
    waiting.delete(deliveryId);
    const d = q.deliveryById.get({ id: deliveryId });
    // Still waiting for a slot (not sent by its timer meanwhile, cancelled or superseded).
    if (!d || d.status !== 'pending' || d.attempts !== attemptNo - 1) continue;
    inTx(deps.db, (tx) => scheduleNow(tx, deps, d));
    break;
  }
  if (!waiting.size) s.waiting.delete(id);
}

/** Sends a claimed attempt (outside any transaction) and records the result. */
async function send(deps: Deps, c: Claimed): Promise<Delivery | undefined> {
  const ts = new Date(); // receivers compare webhook-timestamp with their own wall clock
  const headers = {
    // The subscription's own static headers first: ours (refused as custom names) always win.
    ...openHeaders(deps.services.sealer, c.sub),
    'content-type': 'application/cloudevents+json; charset=utf-8',
    'webhook-id': c.d.eventId,
    'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
    'webhook-signature': sign(signingSecrets(c.sub, deps.clock.now()), c.d.eventId, ts, c.body),
  };
  let result: SendResult;
  try {
    result = await postWebhook(c.sub.url, headers, c.body, { allowPrivate: deps.config.webhookAllowPrivateNetworks, shutdown: deps.shutdown });
  } catch (err) {
    result = { statusCode: null, durationMs: 0, error: (err as Error).message };
  }
  try {
    return await record(deps, c, result);
  } finally {
    releaseSlot(deps, c);
    deps.poke();
  }
}

/** Claims attempt n in the caller's transaction; null if there is nothing to send now. */
function claimIn(tx: Tx, deps: Deps, deliveryId: string, n: number): Claimed | null {
  const q = deliveryStatements(deps.db);
  const d = q.deliveryById.get({ id: deliveryId });
  if (!d || d.status !== 'pending') return null;
  const now = deps.clock.now();
  if (n === d.maxAttempts + 1 && d.attempts === d.maxAttempts) {
    // The watchdog of a last attempt whose result was never recorded (the process died).
    finish(tx, deps, d, 'failed', { lastError: 'no result recorded for the last attempt' });
    return null;
  }
  if (d.attempts !== n - 1) return null; // stale timer or duplicate job
  const sub = q.subscriptionById.get({ id: d.subscriptionId });
  if (!sub || sub.status !== 'active') {
    finish(tx, deps, d, 'cancelled', { lastError: 'subscription disabled or deleted' });
    return null;
  }
  if (d.kind !== 'ping' && blocked(tx, q, d, sub)) {
    // Waits for the earlier event of its subject; kickNext re-schedules it.
    q.setNextAttempt.run({ nextAttemptAt: null, now: now.toISOString(), id: d.id });
    return null;
  }
  let body: string;
  if (d.envelope) body = JSON.stringify(d.envelope);
  else {
    const ev = q.eventById.get({ id: d.eventId });
    if (!ev) {
      finish(tx, deps, d, 'failed', { lastError: 'event not found' });
      return null;
    }
    body = JSON.stringify(toCloudEvent(ev, deps.config));
  }
  let slot = false;
  if (d.kind !== 'ping') {
    if (!takeSlot(deps, sub.id)) {
      // Every slot of this subscription is busy: attempt n waits (attempts unchanged) until
      // releaseSlot schedules it, or its timer fires.
      const at = new Date(now.getTime() + SLOT_RECHECK_MS);
      setTimer(q, d, n, at);
      q.setNextAttempt.run({ nextAttemptAt: at.toISOString(), now: now.toISOString(), id: d.id });
      const s = slotsOf(deps);
      let waiting = s.waiting.get(sub.id);
      if (!waiting) s.waiting.set(sub.id, (waiting = new Map()));
      waiting.set(d.id, n);
      return null;
    }
    slot = true;
  }
  const last = n >= d.maxAttempts;
  const next = new Date(now.getTime() + (last ? WATCHDOG_MS : retryDelay(n)));
  setTimer(q, d, n + 1, next);
  q.markAttempt.run({ attempts: n, nextAttemptAt: last ? null : next.toISOString(), now: now.toISOString(), id: d.id });
  return { d: { ...d, attempts: n }, sub, body, n, slot };
}

/**
 * Per-subject order: a delivery waits while an earlier one of its subject to the same
 * subscription is pending, or (live deliveries) while an earlier matching event of the subject
 * has not yet got its delivery row (its job has not run yet).
 */
function blocked(tx: Tx, q: DeliveryStatements, d: Delivery, sub: Subscription): boolean {
  if (d.eventPosition === null) return false;
  const earlier = q.earlierPending.get({ subscriptionId: sub.id, subject: d.subject, position: d.eventPosition });
  if (earlier) return true;
  if (d.kind !== 'event') return false;
  const unmaterialised = q.unmaterialised.all({ subject: d.subject, start: sub.startPosition, position: d.eventPosition, subscriptionId: sub.id });
  return unmaterialised.some((e) => subscriptionMatches(tx, sub, e));
}

/**
 * Records a result. Results (and claims, and the runner's job completions) that arrive in the
 * same turn of the event loop commit in one transaction (inGroupTx): a commit per delivery was
 * the largest cost of the fan-out. Each caller still hears only after the commit holding its
 * result; a crash before it is covered, like a crash mid-send, by the attempt's durable retry
 * timer written at claim time.
 */
function record(deps: Deps, c: Claimed, r: SendResult): Promise<Delivery | undefined> {
  return inGroupTx(deps.db, (tx) => recordIn(tx, deps, c, r));
}

function recordIn(tx: Tx, deps: Deps, c: Claimed, r: SendResult): Delivery | undefined {
  const q = deliveryStatements(deps.db);
  const now = deps.clock.now();
  const d = q.deliveryById.get({ id: c.d.id });
  const ok = r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300;
  const error = ok ? null : (r.error ?? `HTTP ${r.statusCode}${r.body ? `: ${r.body.slice(0, 500)}` : ''}`);
  const nextAttemptAt = !ok && r.statusCode !== 410 && d?.nextAttemptAt ? d.nextAttemptAt : null;
  q.insertAttempt.run({ deliveryId: c.d.id, attempt: c.n, at: now.toISOString(), statusCode: r.statusCode, durationMs: r.durationMs, error, nextAttemptAt });
  if (!d || d.status !== 'pending' || d.attempts !== c.n) return d; // superseded meanwhile
  const sub = q.subscriptionById.get({ id: d.subscriptionId });
  const fields = { lastStatusCode: r.statusCode, lastError: error };
  if (ok) {
    finish(tx, deps, d, 'delivered', { ...fields, deliveredAt: now.toISOString() });
    if (sub?.failingSince && d.kind !== 'ping') tx.update(subscriptions).set({ failingSince: null }).where(eq(subscriptions.id, sub.id)).run();
  } else if (r.statusCode === 410) {
    finish(tx, deps, d, 'failed', fields);
    if (sub && sub.status === 'active') disableSubscription(tx, deps, sub, 'gone');
  } else {
    if (d.attempts >= d.maxAttempts) finish(tx, deps, d, 'failed', fields);
    else
      tx.update(deliveries)
        .set({ ...fields, updatedAt: now.toISOString() })
        .where(eq(deliveries.id, d.id))
        .run();
    if (sub && d.kind !== 'ping') {
      const since = sub.failingSince ?? now.toISOString();
      if (!sub.failingSince) tx.update(subscriptions).set({ failingSince: since }).where(eq(subscriptions.id, sub.id)).run();
      if (sub.status === 'active' && now.getTime() - Date.parse(since) >= DISABLE_AFTER_MS) disableSubscription(tx, deps, sub, 'failing');
    }
  }
  return q.deliveryById.get({ id: d.id });
}

/** Closes a delivery (terminal status), drops its timer and lets the next of its subject go. */
function finish(tx: Tx, deps: Deps, d: Delivery, status: 'delivered' | 'failed' | 'cancelled', fields: Partial<Delivery> = {}) {
  const now = deps.clock.now();
  const q = deliveryStatements(deps.db);
  const { lastStatusCode, lastError, deliveredAt, ...rest } = fields;
  if (status === 'delivered' && Object.keys(rest).length === 0) {
    // The common case (a 2xx), prepared; the same update as below.
    q.markDelivered.run({
      lastStatusCode: lastStatusCode ?? null,
      lastError: lastError ?? null,
      deliveredAt: deliveredAt ?? null,
      now: now.toISOString(),
      id: d.id,
    });
  } else {
    tx.update(deliveries)
      .set({ ...fields, status, nextAttemptAt: null, updatedAt: now.toISOString() })
      .where(eq(deliveries.id, d.id))
      .run();
  }
  dropTimer(q, q.deliveryById.get({ id: d.id })!);
  if (d.kind !== 'ping' && d.eventPosition !== null) kickNext(tx, deps, d.subscriptionId, d.subject, d.id);
}

/** Schedules (now) the earliest pending delivery of the subject that is waiting for its turn. */
function kickNext(tx: Tx, deps: Deps, subscriptionId: string, subject: string, except: string) {
  const next = deliveryStatements(deps.db).nextOfSubject.get({ subscriptionId, subject, except });
  if (!next || next.nextAttemptAt !== null) return;
  scheduleNow(tx, deps, next);
}

/** Schedules a delivery's next attempt now (manual retry, replay start). */
export function scheduleNow(tx: Tx, deps: Deps, d: Pick<Delivery, 'id' | 'attempts' | 'timerSeq'>) {
  const now = deps.clock.now();
  const q = deliveryStatements(deps.db);
  setTimer(q, d, d.attempts + 1, now);
  q.setNextAttempt.run({ nextAttemptAt: now.toISOString(), now: now.toISOString(), id: d.id });
}

/**
 * Disables a subscription (410 Gone, failing for 5 days, or by its owner), cancels what is
 * pending, and — unless the owner did it — tells the owner with a `subscription.disabled`
 * event addressed to its key (feed, stream and its other subscriptions see it).
 */
export function disableSubscription(tx: Tx, deps: Deps, sub: Subscription, reason: 'gone' | 'failing' | 'manual' | 'deleted') {
  const now = deps.clock.now();
  tx.update(subscriptions)
    .set({ status: 'disabled', disabledReason: reason, disabledAt: now.toISOString(), updatedAt: now.toISOString() })
    .where(eq(subscriptions.id, sub.id))
    .run();
  const pending = tx
    .select({ id: deliveries.id, timerSeq: deliveries.timerSeq })
    .from(deliveries)
    .where(and(eq(deliveries.subscriptionId, sub.id), eq(deliveries.status, 'pending')))
    .all();
  for (const p of pending) {
    tx.update(deliveries)
      .set({ status: 'cancelled', nextAttemptAt: null, lastError: `subscription disabled (${reason})`, updatedAt: now.toISOString() })
      .where(eq(deliveries.id, p.id))
      .run();
    dropTimer(deliveryStatements(deps.db), p);
  }
  if (reason === 'gone' || reason === 'failing') {
    deps.log.warn({ subscriptionId: sub.id, reason }, 'webhook subscription disabled');
    appendEvent(tx, deps.clock, {
      type: 'subscription.disabled',
      subject: `subscriptions/${sub.id}`,
      data: { id: sub.id, reason, url: sub.url },
      audience: [`key:${sub.ownerKeyId}`],
    });
  }
}

/** A `ping` to the subscription, sent now (one attempt); returns the delivery. */
export async function ping(deps: Deps, sub: Subscription): Promise<Delivery> {
  const id = `p_${newId()}`;
  const eventId = newId();
  const now = deps.clock.now().toISOString();
  const envelope = {
    specversion: '1.0',
    id: eventId,
    source: `${deps.config.publicBaseUrl.replace(/\/+$/, '')}/enforcement/subscriptions`,
    type: 'ping',
    subject: `subscriptions/${sub.id}`,
    time: now,
    datacontenttype: 'application/json',
    data: { id: sub.id, message: 'Test delivery from POST /v1/subscriptions/{id}/test' },
  };
  inTx(deps.db, (tx) =>
    tx
      .insert(deliveries)
      .values({
        id,
        subscriptionId: sub.id,
        kind: 'ping',
        eventId,
        eventPosition: null,
        type: 'ping',
        subject: envelope.subject,
        envelope,
        status: 'pending',
        maxAttempts: 1,
        createdAt: now,
        updatedAt: now,
      })
      .run(),
  );
  return (await attempt(deps, id, 1)) ?? deps.db.select().from(deliveries).where(eq(deliveries.id, id)).get()!;
}
