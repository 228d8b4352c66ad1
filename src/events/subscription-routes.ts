import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DateTime } from '../http/schemas.js';
import { problems } from '../http/problem.js';
import { IdempotencyHeaders, createOnce, sealedWith, sendIdempotent } from '../http/idempotency.js';
import { Page, PageQuery, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import type { Deps } from '../deps.js';
import { encodeEventCursor } from './feed.js';
import { ping } from './delivery.js';
import { CreateBody, CreatedSubscription, DeliverySchema, PatchBody, ReplayBody, SubParams, SubscriptionSchema } from './schemas.js';
import { publicSubscription } from './views.js';
import {
  checkSubscription,
  insertSubscription,
  deleteSubscription,
  deliveryViews,
  listDeliveries,
  listSubscriptions,
  ownedSubscription,
  patchSubscription,
  replay,
  requireActive,
  retryDelivery,
  rotateSecret,
} from './service.js';

const ROLES = ['partner', 'supervisor', 'admin'] as const;

export const subscriptionRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(SubscriptionSchema);
    app.addSchema(DeliverySchema);

    app.post(
      '/v1/subscriptions',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Subscribe a webhook receiver (the signing secret is shown once)',
          description:
            'Deliveries are CloudEvents (structured mode) signed per Standard Webhooks. The subscription sees only what the creating key sees. The URL must be https (or http to a private/loopback address where WEBHOOK_ALLOW_PRIVATE_NETWORKS=true); addresses resolving to loopback, private, link-local or metadata ranges are refused.',
          headers: IdempotencyHeaders,
          body: CreateBody,
          response: { 201: CreatedSubscription, ...problems(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const types = await checkSubscription(deps, req.body);
        // The signing secret is shown once: kept sealed for a replay of this create.
        const r = createOnce(
          deps,
          req,
          (tx) => {
            const { row, secret } = insertSubscription(tx, deps, req.principal, req.body, types);
            return { status: 201, body: { ...publicSubscription(row, deps.services.sealer), secret }, location: `/v1/subscriptions/${row.id}` };
          },
          { codec: sealedWith(deps.services.sealer) },
        );
        return sendIdempotent(reply, r);
      },
    );

    app.get(
      '/v1/subscriptions',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'List subscriptions (own; admins see all)',
          querystring: Type.Object(PageQuery),
          response: {
            200: Page(Type.Ref('Subscription')),
            ...problems(400, 401, 403),
          },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const rows = listSubscriptions(deps.db, req.principal, limit + 1, decodeCursor(req.query.cursor, isCreatedCursor));
        return pageOf(
          rows,
          limit,
          (r) => ({ c: r.createdAt, i: r.id }),
          (r) => publicSubscription(r, deps.services.sealer),
        );
      },
    );

    app.get(
      '/v1/subscriptions/:id',
      {
        config: { roles: ROLES },
        schema: {
          tags: ['subscriptions'],
          summary: 'Get a subscription',
          params: SubParams,
          response: { 200: Type.Ref('Subscription'), ...problems(401, 403, 404) },
        },
      },
      async (req) => publicSubscription(ownedSubscription(deps.db, req.principal, req.params.id), deps.services.sealer),
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
      async (req) => publicSubscription(await patchSubscription(deps, req.principal, req.params.id, req.body), deps.services.sealer),
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
        deleteSubscription(deps, req.principal, req.params.id);
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
      async (req) => rotateSecret(deps, req.principal, req.params.id),
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
        const s = ownedSubscription(deps.db, req.principal, req.params.id);
        requireActive(s, 're-enable it with PATCH { "enabled": true }');
        return deliveryViews(deps.db, [await ping(deps, s)])[0];
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
            ...PageQuery,
          }),
          response: {
            200: Page(Type.Ref('Delivery')),
            ...problems(400, 401, 403, 404),
          },
        },
      },
      async (req) => {
        const s = ownedSubscription(deps.db, req.principal, req.params.id);
        const limit = req.query.limit ?? 50;
        const rows = listDeliveries(deps.db, s, req.query, limit + 1, decodeCursor(req.query.cursor, isCreatedCursor));
        const page = pageOf(
          rows,
          limit,
          (r) => ({ c: r.createdAt, i: r.id }),
          (r) => r,
        );
        return { items: deliveryViews(deps.db, page.items), nextCursor: page.nextCursor };
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
      async (req, reply) => reply.status(202).send(deliveryViews(deps.db, [retryDelivery(deps, req.principal, req.params.id, req.params.deliveryId)])[0]),
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
        const r = replay(deps, req.principal, req.params.id, req.body);
        return reply.status(202).send({ replayId: r.replayId, events: r.events, upTo: encodeEventCursor(r.upTo) });
      },
    );
  };
