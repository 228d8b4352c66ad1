import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError } from 'fastify';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import { problems } from '../http/problem.js';
import { IdempotencyHeaders, createOnce, sendIdempotent } from '../http/idempotency.js';
import { validationErrors } from '../http/errors.js';
import { Page, PageQuery, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import type { Deps } from '../deps.js';
import { Area, AreaListQuery, AreaParams, CreateAreaBody, ImportBody, ImportQuery, ImportResult, PatchAreaBody } from './schemas.js';
import { withEtag } from '../http/versioning.js';
import { createArea, deleteArea, getAreaOr404, importAreas, listAreas, notifyAreasChanged, patchArea, publicArea } from './areas.js';
import { IfMatchHeaders, IfMatchOptionalHeaders, etagOf, parseIfMatch } from '../http/versioning.js';

const TAGS = ['reference'];

export const areaRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/areas',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: TAGS,
          summary: 'Register an area (GeoJSON Polygon or MultiPolygon)',
          description:
            'Admin only. The geometry is validated (400 naming each bad member, e.g. body/geometry/coordinates/0); the agency must exist (404) ' +
            'and be on the area side (422). The bbox and planar size are computed on write. A duplicate id is 409.',
          headers: IdempotencyHeaders,
          body: CreateAreaBody,
          response: { 201: withEtag(Area), ...problems(400, 401, 403, 404, 409, 413, 422) },
        },
      },
      async (req, reply) => {
        let created: string | undefined;
        const r = createOnce(deps, req, (tx) => {
          const a = createArea(tx, deps.clock, req.body);
          created = a.id;
          return { status: 201, body: publicArea(a), location: `/v1/areas/${encodeURIComponent(a.id)}` };
        });
        if (!r.replayed) notifyAreasChanged(deps, created === undefined ? undefined : [created]);
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.post(
      '/v1/areas/import',
      {
        config: { roles: ['admin'] },
        bodyLimit: deps.config.areaImportBodyLimitBytes,
        // Schema problems are merged with the geometry/agency checks so one 400 lists every bad feature.
        attachValidation: true,
        schema: {
          tags: TAGS,
          summary: 'Import areas from a GeoJSON FeatureCollection (all or nothing)',
          description:
            'Admin only. Each feature carries properties { name, side, agencyCode, kind } and optionally { id }; other properties are ignored. ' +
            'Every feature is checked before anything is written: one bad feature and nothing is stored (400 listing each problem as ' +
            'body/features/<i>/...). With ?upsert=true a feature whose id exists replaces that area (e.g. real boundaries over the demo polygons).',
          querystring: ImportQuery,
          body: ImportBody,
          response: { 200: ImportResult, ...problems(400, 401, 403, 413) },
        },
      },
      async (req, reply) => {
        const v = req.validationError as FastifyError | undefined;
        const schemaErrors = v ? validationErrors(v) : [];
        // When the body fails its schema the query string is not coerced yet: accept 'true' too.
        const q = req.query as { upsert?: unknown };
        const upsert = q.upsert === true || q.upsert === 'true';
        const ids = inTx(deps.db, (tx) => importAreas(tx, deps.clock, req.body, { upsert, schemaErrors }));
        notifyAreasChanged(deps, ids);
        return reply.status(200).send({ imported: ids.length, ids });
      },
    );

    app.get(
      '/v1/areas',
      {
        schema: {
          tags: TAGS,
          summary: 'List areas (oldest first)',
          description: 'Any authenticated role. Filter by side, agency and kind. Items include the geometry.',
          querystring: Type.Object({ ...AreaListQuery.properties, ...PageQuery }),
          response: { 200: Page(Area, 'A page of areas'), ...problems(400, 401) },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const after = decodeCursor(req.query.cursor, isCreatedCursor);
        const rows = listAreas(deps.db, req.query, limit + 1, after);
        return pageOf(rows, limit, (r) => ({ c: r.createdAt, i: r.id }), publicArea);
      },
    );

    app.get(
      '/v1/areas/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Get an area',
          description: 'Any authenticated role. The ETag header carries the version for If-Match.',
          params: AreaParams,
          response: { 200: withEtag(Area), ...problems(400, 401, 404) },
        },
      },
      async (req, reply) => {
        const a = getAreaOr404(deps.db, req.params.id);
        return reply.header('etag', etagOf(a.version)).send(publicArea(a));
      },
    );

    app.patch(
      '/v1/areas/:id',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: TAGS,
          summary: 'Change an area (name, side, agency, kind, geometry)',
          description:
            'Admin only. Requires If-Match with the current ETag (428 without, 412 when stale). The result is checked like a new area: ' +
            'valid geometry (400), existing agency (404), area side = agency side (422).',
          params: AreaParams,
          headers: IfMatchHeaders,
          body: PatchAreaBody,
          response: { 200: withEtag(Area), ...problems(400, 401, 403, 404, 412, 413, 422, 428) },
        },
      },
      async (req, reply) => {
        const a = inTx(deps.db, (tx) => patchArea(tx, deps.clock, req.params.id, req.body, parseIfMatch(req.headers['if-match'])));
        notifyAreasChanged(deps, [a.id]);
        return reply.header('etag', etagOf(a.version)).send(publicArea(a));
      },
    );

    app.delete(
      '/v1/areas/:id',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: TAGS,
          summary: 'Delete an area',
          description:
            'Admin only. If-Match is optional; when sent it must match the current version (412). An area that routing rules are scoped to is kept (409 `area-in-use` listing them) unless `?cascade=true`: then the rules are removed with it and listed in a 200 answer.',
          params: AreaParams,
          querystring: Type.Object({
            cascade: Type.Optional(Type.Boolean({ default: false, description: 'Also delete the routing rules scoped to this area' })),
          }),
          headers: IfMatchOptionalHeaders,
          response: {
            200: Type.Object(
              {
                id: Type.String({ description: 'The deleted area' }),
                removed: Type.Array(
                  Type.Object({
                    kind: Type.Literal('routing-rule'),
                    id: Type.String(),
                    category: Type.String(),
                    teamId: Type.String(),
                  }),
                  { description: 'What was deleted with it' },
                ),
              },
              { description: 'Deleted with its routing rules (?cascade=true and there were some)' },
            ),
            204: Type.Null({ description: 'Deleted (nothing depended on it)' }),
            ...problems(400, 401, 403, 404, 409, 412),
          },
        },
      },
      async (req, reply) => {
        const { removed } = inTx(deps.db, (tx) => deleteArea(tx, deps, req.params.id, parseIfMatch(req.headers['if-match']), req.query.cascade));
        notifyAreasChanged(deps, [req.params.id]);
        if (removed.length === 0) return reply.status(204).send(null);
        req.log.info({ areaId: req.params.id, removed }, 'area deleted with its routing rules');
        return reply.status(200).send({ id: req.params.id, removed });
      },
    );
  };
