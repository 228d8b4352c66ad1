import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, or, lt, type SQL } from 'drizzle-orm';
import { inTx } from '../db/client.js';
import { newId } from '../ids.js';
import type { Principal } from '../auth/principal.js';
import { CategorySchema, DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { conflict, fieldError, notFound, problems, unprocessable } from '../http/problem.js';
import { decodeCursor, encodeCursor, isCreatedCursor } from '../http/pagination.js';
import type { Deps } from '../deps.js';
import { deliveries, deliveryAttempts, subscriptions } from './tables.js';
import { events } from '../outbox/tables.js';
import { decodeEventCursor, encodeEventCursor, feedTypes, lastEventPosition, resolveTypes } from './feed.js';
import { checkWebhookUrl } from './safety.js';
import { getSubscription, newSecret, SECRET_OVERLAP_MS, subscriptionCondition, countSql, type Subscription } from './subscriptions.js';
import { disableSubscription, MAX_ATTEMPTS, ping, scheduleNow, type Delivery } from './delivery.js';

const ROLES = ['partner', 'supervisor', 'admin'] as const;

const FilterSchema = Type.Object(
  {
    side: Type.Optional(SideSchema),
    agencyCodes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200, description: 'Only events owned by these agencies (exact codes)' })),
    categories: Type.Optional(Type.Array(CategorySchema, { maxItems: 20, description: 'Only events of these categories' })),
  },
  { additionalProperties: false, description: 'Narrows the events further; visibility of the owner key always applies' },
);

const TypesSchema = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 50,
  description: 'Event types (see GET /v1/event-types); `complaint.*` prefix wildcards and `*` allowed',
});

const SubscriptionSchema = Type.Object(
  {
    id: Type.String(),
    url: Type.String({ description: 'Receiver URL (POST, application/cloudevents+json, Standard Webhooks signature)' }),
    types: Type.Array(Type.String(), { description: 'Type patterns as given' }),
    filter: Nullable(FilterSchema),
    description: Nullable(Type.String()),
    status: Type.Enum(['active', 'disabled'] as const),
    disabledReason: Nullable(Type.String({ description: '`gone` (receiver answered 410), `failing` (5 days of failures), `manual`' })),
    disabledAt: Nullable(DateTime()),
    failingSince: Nullable(DateTime('Start of the current run of failed deliveries')),
    ownerKeyId: Type.String({ description: 'The key that created it; the subscription sees what that key sees' }),
    previousSecretExpiresAt: Nullable(DateTime('Until then the previous secret also signs (after a rotation)')),
    createdAt: DateTime(),
    updatedAt: DateTime(),
  },
  { $id: 'Subscription' },
);
const CreatedSubscription = Type.Intersect([
  Type.Ref('Subscription'),
  Type.Object({ secret: Type.String({ description: 'Signing secret (whsec_…), shown only now' }) }),
]);

const CreateBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    types: TypesSchema,
    filter: Type.Optional(FilterSchema),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false, examples: [{ url: 'https://police.example/hooks/enforcement', types: ['case.*', 'filing.created'], filter: { side: 'corps' } }] },
);
const PatchBody = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    types: Type.Optional(TypesSchema),
    filter: Type.Optional(Nullable(FilterSchema)),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    enabled: Type.Optional(Type.Boolean({ description: 'false disables; true re-enables a disabled subscription (new events only: use replay for the gap)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const AttemptSchema = Type.Object({
  attempt: Type.Integer({ minimum: 1 }),
  at: DateTime(),
  statusCode: Nullable(Type.Integer({ description: 'HTTP status of the answer; null if none (timeout, refused…)' })),
  durationMs: Type.Integer({ minimum: 0 }),
  error: Nullable(Type.String()),
  nextAttemptAt: Nullable(DateTime('When the next attempt was scheduled after this one')),
});
const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Enum(['event', 'replay', 'ping'] as const),
    eventId: Type.String({ description: 'Also the webhook-id header' }),
    cursor: Nullable(Type.String({ description: 'The event’s feed cursor (null for pings)' })),
    type: Type.String(),
    subject: Type.String(),
    status: Type.Enum(['pending', 'delivered', 'failed', 'cancelled'] as const, { description: 'pending includes waiting for an earlier event of the same subject' }),
    attempts: Type.Integer(),
    maxAttempts: Type.Integer(),
    nextAttemptAt: Nullable(DateTime()),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    replayId: Nullable(Type.String()),
    createdAt: DateTime(),
    deliveredAt: Nullable(DateTime()),
    attemptLog: Type.Array(AttemptSchema),
  },
  { $id: 'Delivery' },
);

const SubParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Subscription id' }) });

const ReplayBody = Type.Object(
  {
    after: Type.Optional(Type.String({ maxLength: 512, description: 'Re-send events after this feed cursor' })),
    from: Type.Optional(DateTime('Re-send events at or after this time')),
    types: Type.Optional(TypesSchema),
  },
  { additionalProperties: false, description: 'Exactly one of after / from' },
);

export function publicSubscription(s: Subscription) {
  return {
    id: s.id,
    url: s.url,
    types: s.types,
    filter: s.filter ?? null,
    description: s.description,
    status: s.status,
    disabledReason: s.disabledReason,
    disabledAt: s.disabledAt,
    failingSince: s.failingSince,
    ownerKeyId: s.ownerKeyId,
    previousSecretExpiresAt: s.previousSecretExpiresAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function validateTypes(types: string[], field: string): string[] {
  resolveTypes(types, field, feedTypes());
  return [...new Set(types.map((t) => t.trim()))];
}

export const subscriptionRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(SubscriptionSchema);
    app.addSchema(DeliverySchema);

    /** 404 unless the caller owns it (admins see all). */
    const owned = (p: Principal, id: string): Subscription => {
      const s = getSubscription(deps.db, id);
      if (!s || (p.role !== 'admin' && s.ownerKeyId !== p.keyId)) throw notFound('subscription', id);
      return s;
    };

    const deliveryViews = (rows: Delivery[]) => {
      const ids = rows.map((r) => r.id);
      const atts = ids.length
        ? deps.db.select().from(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, ids)).orderBy(asc(deliveryAttempts.id)).all()
        : [];
      return rows.map((d) => ({
        id: d.id,
        kind: d.kind,
        eventId: d.eventId,
        cursor: d.eventPosition === null ? null : encodeEventCursor(d.eventPosition),
        type: d.type,
        subject: d.subject,
        status: d.status,
        attempts: d.attempts,
        maxAttempts: d.maxAttempts,
        nextAttemptAt: d.nextAttemptAt,
        lastStatusCode: d.lastStatusCode,
        lastError: d.lastError,
        replayId: d.replayId,
        createdAt: d.createdAt,
        deliveredAt: d.deliveredAt,
        attemptLog: atts
          .filter((a) => a.deliveryId === d.id)
          .map((a) => ({ attempt: a.attempt, at: a.at, statusCode: a.statusCode, durationMs: a.durationMs, error: a.error, nextAttemptAt: a.nextAttemptAt })),
      }));
    };

    app.post(
      '/v1/subscriptions',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Subscribe a webhook receiver (the signing secret is shown once)',
          description:
            'Deliveries are CloudEvents (structured mode) signed per Standard Webhooks. The subscription sees only what the creating key sees. The URL must be https (or http to a private/loopback address where WEBHOOK_ALLOW_PRIVATE_NETWORKS=true); addresses resolving to loopback, private, link-local or metadata ranges are refused.',
          body: CreateBody,
          response: { 201: CreatedSubscription, ...problems(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const types = validateTypes(b.types, 'body/types');
        await checkWebhookUrl(b.url, deps.config.webhookAllowPrivateNetworks);
        const p = req.principal;
        const now = deps.clock.now().toISOString();
        const secret = newSecret();
        const row = inTx(deps.db, (tx) =>
          tx
            .insert(subscriptions)
            .values({
              id: newId(),
              ownerKeyId: p.keyId,
              ownerRole: p.role,
              ownerSide: p.side,
              ownerAgencyCode: p.agencyCode,
              ownerTeamId: p.teamId,
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
            .get(),
        );
        return reply.status(201).header('location', `/v1/subscriptions/${row.id}`).send({ ...publicSubscription(row), secret });
      },
    );

    app.get(
      '/v1/subscriptions',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'List subscriptions (own; admins see all)',
          querystring: Type.Object({
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from nextCursor' })),
          }),
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('Subscription')), nextCursor: Nullable(Type.String()) }),
            ...problems(400, 401, 403),
          },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const after = decodeCursor(req.query.cursor, isCreatedCursor);
        const conds: (SQL | undefined)[] = [isNull(subscriptions.deletedAt)];
        if (req.principal.role !== 'admin') conds.push(eq(subscriptions.ownerKeyId, req.principal.keyId));
        if (after) conds.push(or(gt(subscriptions.createdAt, after.c), and(eq(subscriptions.createdAt, after.c), gt(subscriptions.id, after.i))));
        const rows = deps.db
          .select()
          .from(subscriptions)
          .where(and(...conds))
          .orderBy(asc(subscriptions.createdAt), asc(subscriptions.id))
          .limit(limit + 1)
          .all();
        const more = rows.length > limit;
        const kept = more ? rows.slice(0, limit) : rows;
        const last = kept[kept.length - 1];
        return { items: kept.map(publicSubscription), nextCursor: more ? encodeCursor({ c: last.createdAt, i: last.id }) : null };
      },
    );

    app.get(
      '/v1/subscriptions/:id',
      {
        config: { roles: ROLES },
        schema: { tags: ['subscriptions'], summary: 'Get a subscription', params: SubParams, response: { 200: Type.Ref('Subscription'), ...problems(401, 403, 404) } },
      },
      async (req) => publicSubscription(owned(req.principal, req.params.id)),
    );

    app.patch(
      '/v1/subscriptions/:id',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Change URL, types, filter, description; disable or re-enable',
          description: 'A changed type list, filter or re-enable applies to events committed from now on.',
          params: SubParams,
          body: PatchBody,
          response: { 200: Type.Ref('Subscription'), ...problems(400, 401, 403, 404) },
        },
      },
      async (req) => {
        const s = owned(req.principal, req.params.id);
        const b = req.body;
        const types = b.types ? validateTypes(b.types, 'body/types') : undefined;
        if (b.url !== undefined) await checkWebhookUrl(b.url, deps.config.webhookAllowPrivateNetworks);
        const row = inTx(deps.db, (tx) => {
          const cur = getSubscription(tx, s.id);
          if (!cur) throw notFound('subscription', s.id);
          const now = deps.clock.now().toISOString();
          const set: Partial<Subscription> = { updatedAt: now };
          if (b.url !== undefined) set.url = b.url;
          if (types) set.types = types;
          if (b.filter !== undefined) set.filter = b.filter;
          if (b.description !== undefined) set.description = b.description;
          const reenable = b.enabled === true && cur.status === 'disabled';
          // The fan-out rule changed: order-keeping starts afresh from the present.
          if (types || b.filter !== undefined || reenable) set.startPosition = lastEventPosition(tx);
          if (reenable) Object.assign(set, { status: 'active', disabledReason: null, disabledAt: null, failingSince: null });
          tx.update(subscriptions).set(set).where(eq(subscriptions.id, s.id)).run();
          const updated = getSubscription(tx, s.id)!;
          if (b.enabled === false && cur.status === 'active') disableSubscription(tx, deps, updated, 'manual');
          return getSubscription(tx, s.id)!;
        });
        return publicSubscription(row);
      },
    );

    app.delete(
      '/v1/subscriptions/:id',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Delete a subscription (pending deliveries are cancelled)',
          params: SubParams,
          response: { 204: Type.Null({ description: 'Deleted' }), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const s = owned(req.principal, req.params.id);
        inTx(deps.db, (tx) => {
          disableSubscription(tx, deps, s, 'deleted');
          tx.update(subscriptions).set({ deletedAt: deps.clock.now().toISOString() }).where(eq(subscriptions.id, s.id)).run();
        });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/subscriptions/:id/rotate-secret',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Rotate the signing secret (old and new both sign for 24 h)',
          description: 'During the overlap `webhook-signature` carries two signatures, space-separated; a receiver holding either secret verifies.',
          params: SubParams,
          response: {
            200: Type.Object({
              id: Type.String(),
              secret: Type.String({ description: 'The new secret (whsec_…), shown only now' }),
              previousSecretExpiresAt: DateTime('The old secret stops signing at this time'),
            }),
            ...problems(401, 403, 404),
          },
        },
      },
      async (req) => {
        const s = owned(req.principal, req.params.id);
        const now = deps.clock.now();
        const secret = newSecret();
        const expires = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
        inTx(deps.db, (tx) =>
          tx
            .update(subscriptions)
            .set({ secret, previousSecret: s.secret, previousSecretExpiresAt: expires, updatedAt: now.toISOString() })
            .where(eq(subscriptions.id, s.id))
            .run(),
        );
        return { id: s.id, secret, previousSecretExpiresAt: expires };
      },
    );

    app.post(
      '/v1/subscriptions/:id/test',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Send a `ping` event now and report the result',
          params: SubParams,
          response: { 200: Type.Ref('Delivery'), ...problems(401, 403, 404, 409) },
        },
      },
      async (req) => {
        const s = owned(req.principal, req.params.id);
        if (s.status !== 'active') throw conflict('subscription-disabled', `Subscription ${s.id} is disabled; re-enable it with PATCH { "enabled": true }.`);
        const d = await ping(deps, s);
        return deliveryViews([d])[0];
      },
    );

    app.get(
      '/v1/subscriptions/:id/deliveries',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Delivery log: each delivery with its attempts (newest first)',
          params: SubParams,
          querystring: Type.Object({
            status: Type.Optional(Type.Enum(['pending', 'delivered', 'failed', 'cancelled'] as const)),
            eventId: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 512 })),
          }),
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('Delivery')), nextCursor: Nullable(Type.String()) }),
            ...problems(400, 401, 403, 404),
          },
        },
      },
      async (req) => {
        const s = owned(req.principal, req.params.id);
        const limit = req.query.limit ?? 50;
        const after = decodeCursor(req.query.cursor, isCreatedCursor);
        const conds: (SQL | undefined)[] = [eq(deliveries.subscriptionId, s.id)];
        if (req.query.status) conds.push(eq(deliveries.status, req.query.status));
        if (req.query.eventId) conds.push(eq(deliveries.eventId, req.query.eventId));
        if (after) conds.push(or(lt(deliveries.createdAt, after.c), and(eq(deliveries.createdAt, after.c), lt(deliveries.id, after.i))));
        const rows = deps.db
          .select()
          .from(deliveries)
          .where(and(...conds))
          .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
          .limit(limit + 1)
          .all();
        const more = rows.length > limit;
        const kept = more ? rows.slice(0, limit) : rows;
        const last = kept[kept.length - 1];
        return { items: deliveryViews(kept), nextCursor: more ? encodeCursor({ c: last.createdAt, i: last.id }) : null };
      },
    );

    app.post(
      '/v1/subscriptions/:id/deliveries/:deliveryId/retry',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Try a failed or cancelled delivery once more, now',
          params: Type.Object({ id: SubParams.properties.id, deliveryId: Type.String({ minLength: 1, maxLength: 200 }) }),
          response: { 202: Type.Ref('Delivery'), ...problems(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const s = owned(req.principal, req.params.id);
        if (s.status !== 'active') throw conflict('subscription-disabled', `Subscription ${s.id} is disabled; re-enable it first.`);
        const d = inTx(deps.db, (tx) => {
          const cur = tx
            .select()
            .from(deliveries)
            .where(and(eq(deliveries.id, req.params.deliveryId), eq(deliveries.subscriptionId, s.id)))
            .get();
          if (!cur) throw notFound('delivery', req.params.deliveryId);
          if (cur.status === 'pending') throw conflict('delivery-pending', `Delivery ${cur.id} is still pending (next attempt ${cur.nextAttemptAt ?? 'after the earlier event of its subject'}).`);
          tx.update(deliveries)
            .set({ status: 'pending', maxAttempts: cur.attempts + 1, deliveredAt: null })
            .where(eq(deliveries.id, cur.id))
            .run();
          scheduleNow(tx, deps, cur);
          return tx.select().from(deliveries).where(eq(deliveries.id, cur.id)).get()!;
        });
        deps.poke();
        return reply.status(202).send(deliveryViews([d])[0]);
      },
    );

    app.post(
      '/v1/subscriptions/:id/replay',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Re-send a range of events to this subscription',
          description:
            'Events after `after` (a feed cursor) or from `from` (a time) up to now, that the subscription matches (types — or `types` here — filter and the owner’s visibility), are delivered again in order per subject with their original ids. More than REPLAY_MAX_EVENTS → 422: narrow the range or the types.',
          params: SubParams,
          body: ReplayBody,
          response: {
            202: Type.Object({
              replayId: Type.String(),
              events: Type.Integer({ description: 'How many events will be re-sent' }),
              upTo: Type.String({ description: 'Cursor of the last event in the range' }),
            }),
            ...problems(400, 401, 403, 404, 409, 422),
          },
        },
      },
      async (req, reply) => {
        const s = owned(req.principal, req.params.id);
        const b = req.body;
        if ((b.after === undefined) === (b.from === undefined)) throw fieldError('body', 'give exactly one of after or from');
        if (s.status !== 'active') throw conflict('subscription-disabled', `Subscription ${s.id} is disabled; re-enable it first.`);
        const after = b.after !== undefined ? decodeEventCursor(b.after, 'body/after') : undefined;
        const types = b.types ? resolveTypes(b.types, 'body/types') : undefined;
        const replayId = newId();
        const res = inTx(deps.db, (tx) => {
          const upTo = lastEventPosition(tx);
          const where = and(
            subscriptionCondition(tx, s, types),
            lte(events.position, upTo),
            after !== undefined ? gt(events.position, after) : undefined,
            b.from !== undefined ? gte(events.time, new Date(b.from).toISOString()) : undefined,
          );
          const n = tx.select({ n: countSql }).from(events).where(where).get()?.n ?? 0;
          if (n > deps.config.replayMaxEvents) {
            throw unprocessable('replay-too-large', `The range holds ${n} events; at most ${deps.config.replayMaxEvents} may be replayed at once. Narrow it with after/from or types.`, {
              events: n,
              max: deps.config.replayMaxEvents,
            });
          }
          const rows = tx.select().from(events).where(where).orderBy(asc(events.position)).all();
          const now = deps.clock.now().toISOString();
          const firstOfSubject = new Set<string>();
          for (const e of rows) {
            const id = `r_${replayId}_${e.id}`;
            tx.insert(deliveries)
              .values({ id, subscriptionId: s.id, kind: 'replay', eventId: e.id, eventPosition: e.position, type: e.type, subject: e.subject, status: 'pending', maxAttempts: MAX_ATTEMPTS, replayId, createdAt: now, updatedAt: now })
              .run();
            if (!firstOfSubject.has(e.subject)) {
              firstOfSubject.add(e.subject);
              scheduleNow(tx, deps, { id, attempts: 0, timerSeq: 0 });
            }
          }
          return { events: rows.length, upTo: rows.length ? rows[rows.length - 1].position : upTo };
        });
        deps.poke();
        return reply.status(202).send({ replayId, events: res.events, upTo: encodeEventCursor(res.upTo) });
      },
    );
  };
