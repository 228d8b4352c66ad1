import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { listKeys, publicKey } from '../auth/keys.js';
import { problems } from '../http/problem.js';
import { IdempotencyHeaders, createOnce, sealedWith, sendIdempotent } from '../http/idempotency.js';
import { Page, PageQuery, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { ApiKey, CreateKeyBody, CreatedKey } from './schemas.js';
import { issueKey, revokeApiKey } from './service.js';

export const apiKeyRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/api-keys',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['api-keys'],
          summary: 'Create an API key (the key is shown once)',
          headers: IdempotencyHeaders,
          body: CreateKeyBody,
          response: { 201: CreatedKey, ...problems(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        // The key is shown once: a replay of this create shows it again, so it is kept sealed.
        const r = createOnce(
          deps,
          req,
          (tx) => {
            const created = issueKey(tx, deps.clock, req.body, req.principal.keyId);
            return { status: 201, body: created, location: `/v1/api-keys/${created.id}` };
          },
          { codec: sealedWith(deps.services.sealer) },
        );
        return sendIdempotent(reply, r);
      },
    );
    app.get(
      '/v1/api-keys',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['api-keys'],
          summary: 'List API keys (never the keys themselves)',
          querystring: Type.Object(PageQuery),
          response: { 200: Page(ApiKey), ...problems(400, 401, 403) },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const after = decodeCursor(req.query.cursor, isCreatedCursor);
        const rows = listKeys(deps.db, limit + 1, after && { createdAt: after.c, id: after.i });
        return pageOf(rows, limit, (r) => ({ c: r.createdAt, i: r.id }), publicKey);
      },
    );
    app.delete(
      '/v1/api-keys/:id',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['api-keys'],
          summary: 'Revoke an API key (later calls with it get 401)',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          response: { 204: Type.Null({ description: 'Revoked' }), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        inTx(deps.db, (tx) => revokeApiKey(tx, deps.clock, req.params.id));
        return reply.status(204).send(null);
      },
    );
  };
