import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import { notFound, problems } from '../http/problem.js';
import { IdempotencyHeaders, createOnce, sendIdempotent } from '../http/idempotency.js';
import { Page, PageQuery, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { CategorySchema, DateTime, IdParam, Nullable, SideSchema } from '../http/schemas.js';
import type { Deps } from '../deps.js';
import { spatialService } from './spatial-index.js';
import { createRule, deleteRule, getRule, listRules, publicRule } from './rules.js';

const Code = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });

const NeighbourSchema = Type.Object({
  side: SideSchema,
  agencyCode: Type.String({ description: 'Agency responsible for the neighbouring area' }),
  areaId: Type.String({ description: 'The neighbouring area' }),
  distanceMeters: Type.Number({ description: 'Distance from the point to the area, metres (0 = the point is inside it)' }),
});

const ResolutionSchema = Type.Object(
  {
    side: Nullable(SideSchema),
    agencyCode: Nullable(Type.String({ description: 'Owning agency; null = no area owns the point (the 12369 center triages)' })),
    areaId: Nullable(Type.String({ description: 'The owning area: the most specific grid or jurisdiction area containing the point' })),
    gridId: Nullable(Type.String({ description: 'The owning area when it is a grid cell (网格), else null' })),
    joint: Type.Boolean({
      description: 'true when an area of the other side lies within JOINT_BUFFER_METERS of the point (or contains it): the work is handled jointly',
    }),
    neighbours: Type.Array(NeighbourSchema, {
      description: 'Areas of the other side within the joint buffer, nearest first (when nothing owns the point: areas of either side)',
    }),
  },
  { $id: 'Resolution', description: 'Who owns a point' },
);

const RuleSchema = Type.Object(
  {
    id: Type.String(),
    areaId: Nullable(Type.String({ description: 'Area the rule applies to (a point inside it)' })),
    agencyCode: Nullable(Type.String({ description: 'Agency the rule applies to (work owned by it)' })),
    category: CategorySchema,
    teamId: Type.String({ description: 'Team that receives the work' }),
    createdAt: DateTime(),
  },
  { $id: 'RoutingRule', description: 'Explicit routing rule: area or agency + category → team; wins over the defaults' },
);

const NewRuleSchema = Type.Object(
  {
    areaId: Type.Optional(Code('Area the rule applies to; give this or agencyCode')),
    agencyCode: Type.Optional(Code('Agency the rule applies to; give this or areaId')),
    category: CategorySchema,
    teamId: Code('Team that receives matching work'),
  },
  { additionalProperties: false, examples: [{ agencyCode: 'XPCC-D8', category: 'air', teamId: '0195…' }] },
);

export const jurisdictionRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/jurisdictions/resolve',
      {
        schema: {
          tags: ['jurisdiction'],
          summary: 'Resolve a point (WGS-84) to the side, agency and area that own it',
          description:
            'The owner is the most specific grid or jurisdiction area containing the point (a grid beats a jurisdiction; between areas of one kind the smaller wins; protected areas own nothing). A point in no area resolves to side null and agencyCode null (triage by the 12369 center).',
          querystring: Type.Object({
            lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, WGS-84 degrees' }),
            lng: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, WGS-84 degrees' }),
          }),
          response: { 200: ResolutionSchema, ...problems(400, 401) },
        },
      },
      async (req) => {
        const r = spatialService(deps).resolve(req.query.lat, req.query.lng);
        return {
          side: r.side,
          agencyCode: r.agencyCode,
          areaId: r.areaId,
          gridId: r.gridId,
          joint: r.joint,
          neighbours: r.neighbours.map((n) => ({ side: n.side, agencyCode: n.agencyCode, areaId: n.areaId, distanceMeters: n.distanceMeters })),
        };
      },
    );

    app.post(
      '/v1/routing-rules',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['jurisdiction'],
          summary: 'Add an explicit routing rule (area or agency + category → team)',
          headers: IdempotencyHeaders,
          body: NewRuleSchema,
          response: { 201: RuleSchema, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const row = createRule(tx, deps.clock, req.body, req.principal.keyId);
          return { status: 201, body: publicRule(row), location: `/v1/routing-rules/${row.id}` };
        });
        return sendIdempotent(reply, r);
      },
    );
    app.get(
      '/v1/routing-rules',
      {
        config: { roles: ['admin', 'intake'] },
        schema: {
          tags: ['jurisdiction'],
          summary: 'List explicit routing rules (newest first)',
          querystring: Type.Object({
            ...PageQuery,
            areaId: Type.Optional(Code('Only rules on this area')),
            agencyCode: Type.Optional(Code('Only rules on this agency')),
            category: Type.Optional(CategorySchema),
            teamId: Type.Optional(Code('Only rules sending work to this team')),
          }),
          response: { 200: Page(RuleSchema), ...problems(400, 401, 403) },
        },
      },
      async (req) => {
        const { limit = 50, cursor, ...f } = req.query;
        const after = decodeCursor(cursor, isCreatedCursor);
        return pageOf(listRules(deps.db, f, limit + 1, after), limit, (r) => ({ c: r.createdAt, i: r.id }), publicRule);
      },
    );
    app.get(
      '/v1/routing-rules/:id',
      {
        config: { roles: ['admin', 'intake'] },
        schema: { tags: ['jurisdiction'], summary: 'One routing rule', params: IdParam, response: { 200: RuleSchema, ...problems(401, 403, 404) } },
      },
      async (req) => {
        const row = getRule(deps.db, req.params.id);
        if (!row) throw notFound('routing rule', req.params.id);
        return publicRule(row);
      },
    );
    app.delete(
      '/v1/routing-rules/:id',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['jurisdiction'],
          summary: 'Delete a routing rule (routing falls back to the defaults)',
          params: IdParam,
          response: { 204: Type.Null({ description: 'Deleted' }), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        if (!inTx(deps.db, (tx) => deleteRule(tx, req.params.id))) throw notFound('routing rule', req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
