import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import { problems } from '../http/problem.js';
import { IdempotencyHeaders, createOnce, sendIdempotent } from '../http/idempotency.js';
import { Page, PageQuery, decodeCursor, pageOf } from '../http/pagination.js';
import type { Deps } from '../deps.js';
import { CreateTeamBody, PatchTeamBody, Team, TeamListQuery, TeamParams } from './schemas.js';
import { withEtag } from '../http/versioning.js';
import { createTeam, getTeamOr404, listTeams, patchTeam, publicTeam } from './teams.js';
import { IfMatchHeaders, etagOf, parseIfMatch } from '../http/versioning.js';

const TAGS = ['reference'];
const isIdCursor = (v: any): v is { k: string } => v && typeof v === 'object' && typeof v.k === 'string';

export const teamRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/teams',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: TAGS,
          summary: 'Register a team',
          description: 'Admin only. The agency must exist (404). Give an id for a stable reference, or one is generated. A duplicate id is 409.',
          headers: IdempotencyHeaders,
          body: CreateTeamBody,
          response: { 201: withEtag(Team), ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const t = createTeam(tx, deps.clock, req.body);
          return { status: 201, body: publicTeam(t), location: `/v1/teams/${encodeURIComponent(t.id)}` };
        });
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/teams',
      {
        schema: {
          tags: TAGS,
          summary: 'List teams (ordered by id)',
          description: 'Any authenticated role. Filter by agency and by a category the team handles.',
          querystring: Type.Object({ ...TeamListQuery.properties, ...PageQuery }),
          response: { 200: Page(Team, 'A page of teams'), ...problems(400, 401) },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const after = decodeCursor(req.query.cursor, isIdCursor);
        const rows = listTeams(deps.db, req.query, limit + 1, after?.k);
        return pageOf(rows, limit, (r) => ({ k: r.id }), publicTeam);
      },
    );

    app.get(
      '/v1/teams/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Get a team',
          description: 'Any authenticated role. The ETag header carries the version for If-Match.',
          params: TeamParams,
          response: { 200: withEtag(Team), ...problems(400, 401, 404) },
        },
      },
      async (req, reply) => {
        const t = getTeamOr404(deps.db, req.params.id);
        return reply.header('etag', etagOf(t.version)).send(publicTeam(t));
      },
    );

    app.patch(
      '/v1/teams/:id',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: TAGS,
          summary: 'Change a team (name, categories)',
          description: 'Admin only. Requires If-Match with the current ETag (428 without, 412 when stale).',
          params: TeamParams,
          headers: IfMatchHeaders,
          body: PatchTeamBody,
          response: { 200: withEtag(Team), ...problems(400, 401, 403, 404, 412, 428) },
        },
      },
      async (req, reply) => {
        const t = inTx(deps.db, (tx) => patchTeam(tx, deps.clock, req.params.id, req.body, parseIfMatch(req.headers['if-match'])));
        return reply.header('etag', etagOf(t.version)).send(publicTeam(t));
      },
    );
  };
