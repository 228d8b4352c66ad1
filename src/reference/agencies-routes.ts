import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import { problems } from '../http/problem.js';
import { IdempotencyHeaders, createOnce, sendIdempotent } from '../http/idempotency.js';
import { Page, PageQuery, decodeCursor, pageOf } from '../http/pagination.js';
import type { Deps } from '../deps.js';
import { Agency, AgencyListQuery, AgencyParams, CreateAgencyBody, PatchAgencyBody } from './schemas.js';
import { withEtag } from '../http/versioning.js';
import { createAgency, getAgencyOr404, listAgencies, patchAgency, publicAgency } from './agencies.js';
import { IfMatchHeaders, etagOf, parseIfMatch } from '../http/versioning.js';

const TAGS = ['reference'];
const isCodeCursor = (v: any): v is { k: string } => v && typeof v === 'object' && typeof v.k === 'string';

export const agencyRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/agencies',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: TAGS,
          summary: 'Register an agency',
          description:
            'Admin only. The level must belong to the side (region: autonomous_region > prefecture > county; corps: corps > division > regiment). ' +
            'A parent must exist (404), be on the same side (422) and be at a higher level (422). A duplicate code is 409.',
          headers: IdempotencyHeaders,
          body: CreateAgencyBody,
          response: { 201: withEtag(Agency), ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const a = createAgency(tx, deps.clock, req.body);
          return { status: 201, body: publicAgency(a), location: `/v1/agencies/${encodeURIComponent(a.code)}` };
        });
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/agencies',
      {
        schema: {
          tags: TAGS,
          summary: 'List agencies (ordered by code)',
          description: 'Any authenticated role. Filter by side, direct parent and level.',
          querystring: Type.Object({ ...AgencyListQuery.properties, ...PageQuery }),
          response: { 200: Page(Agency, 'A page of agencies'), ...problems(400, 401) },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const after = decodeCursor(req.query.cursor, isCodeCursor);
        const rows = listAgencies(deps.db, req.query, limit + 1, after?.k);
        return pageOf(rows, limit, (r) => ({ k: r.code }), publicAgency);
      },
    );

    app.get(
      '/v1/agencies/:code',
      {
        schema: {
          tags: TAGS,
          summary: 'Get an agency',
          description: 'Any authenticated role. The ETag header carries the version to send in If-Match when patching.',
          params: AgencyParams,
          response: { 200: withEtag(Agency), ...problems(400, 401, 404) },
        },
      },
      async (req, reply) => {
        const a = getAgencyOr404(deps.db, req.params.code);
        return reply.header('etag', etagOf(a.version)).send(publicAgency(a));
      },
    );

    app.patch(
      '/v1/agencies/:code',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: TAGS,
          summary: 'Change an agency (name, level, parent, adminCode)',
          description:
            'Admin only. Requires If-Match with the current ETag (428 without, 412 when stale; the problem carries currentVersion). ' +
            'The new parent must exist (404), be on the same side and above the agency (422) and not be the agency or below it (422 cycle); ' +
            'a level change must stay above every child.',
          params: AgencyParams,
          headers: IfMatchHeaders,
          body: PatchAgencyBody,
          response: { 200: withEtag(Agency), ...problems(400, 401, 403, 404, 412, 422, 428) },
        },
      },
      async (req, reply) => {
        const a = inTx(deps.db, (tx) => patchAgency(tx, deps.clock, req.params.code, req.body, parseIfMatch(req.headers['if-match'])));
        return reply.header('etag', etagOf(a.version)).send(publicAgency(a));
      },
    );
  };
