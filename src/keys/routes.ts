import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { and, eq } from 'drizzle-orm';
import { inTx } from '../db/client.js';
import { createKey, listKeys, publicKey, revokeKey } from '../auth/keys.js';
import { ROLES } from '../domain/index.js';
import { needsAgency, needsTeam } from '../auth/principal.js';
import { fieldError, notFound, problems } from '../http/problem.js';
import { Page, PageQuery, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { agencies, teams } from '../reference/tables.js';
import type { Deps } from '../deps.js';

const Side = Type.Union([Type.Literal('region'), Type.Literal('corps')]);
const ApiKey = Type.Object(
  {
    id: Type.String({ description: 'Key id' }),
    prefix: Type.String({ description: 'First characters of the key, to recognise it' }),
    name: Type.Union([Type.String(), Type.Null()], { description: 'Label' }),
    role: Type.Enum(ROLES, { description: 'Role of the principal' }),
    side: Type.Union([Side, Type.Null()], { description: 'Side the principal belongs to' }),
    agencyCode: Type.Union([Type.String(), Type.Null()], { description: 'Agency the principal belongs to' }),
    teamId: Type.Union([Type.String(), Type.Null()], { description: 'Team (inspectors)' }),
    createdAt: Type.String({ format: 'date-time' }),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Updated at most once a minute' }),
  },
  { $id: 'ApiKey' },
);
const CreatedKey = Type.Intersect([ApiKey, Type.Object({ key: Type.String({ description: 'The key itself: shown only now' }) })]);

const CreateKeyBody = Type.Object(
  {
    role: Type.Enum(ROLES),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    side: Type.Optional(Side),
    agencyCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    teamId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false, examples: [{ role: 'inspector', agencyCode: 'XPCC-D8', teamId: '01J…', name: 'Shihezi field app' }] },
);

/** Checks the principal binding against the registry; returns the side implied by the agency. */
export function checkBinding(deps: Deps, b: { role: string; side?: string; agencyCode?: string; teamId?: string }) {
  let side = b.side ?? null;
  if (needsAgency(b.role as never) && !b.agencyCode) throw fieldError('body/agencyCode', `is required for role ${b.role}`);
  if (needsTeam(b.role as never) && !b.teamId) throw fieldError('body/teamId', `is required for role ${b.role}`);
  if (b.agencyCode) {
    const a = deps.db.select().from(agencies).where(eq(agencies.code, b.agencyCode)).get();
    if (!a) throw notFound('agency', b.agencyCode);
    if (side && side !== a.side) throw fieldError('body/side', `does not match agency ${a.code} (side ${a.side})`);
    side = a.side;
  }
  if (b.teamId) {
    const t = deps.db.select().from(teams).where(and(eq(teams.id, b.teamId))).get();
    if (!t) throw notFound('team', b.teamId);
    if (b.agencyCode && t.agencyCode !== b.agencyCode) throw fieldError('body/teamId', `belongs to agency ${t.agencyCode}, not ${b.agencyCode}`);
  }
  return side as 'region' | 'corps' | null;
}

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
          body: CreateKeyBody,
          response: { 201: CreatedKey, ...problems(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        const side = checkBinding(deps, req.body);
        const created = inTx(deps.db, (tx) => createKey(tx, deps.clock, { ...req.body, side }, req.principal.keyId));
        return reply.status(201).header('location', `/v1/api-keys/${created.id}`).send(created);
      },
    );
    app.get(
      '/v1/api-keys',
      {
        config: { roles: ['admin'] },
        schema: { tags: ['api-keys'], summary: 'List API keys (never the keys themselves)', querystring: Type.Object(PageQuery), response: { 200: Page(ApiKey), ...problems(400, 401, 403) } },
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
        const row = inTx(deps.db, (tx) => revokeKey(tx, deps.clock, req.params.id));
        if (!row) throw notFound('api key', req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
