import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { problems } from '../http/problem.js';
import { Page, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { listAudit } from '../http/audit.js';
import { AuditEntry, AuditQuery } from './schemas.js';

export const auditRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/admin/audit',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['operations'],
          summary: 'The audit log: every write and every denied attempt, newest first',
          description:
            'Append-only. Each entry says who (key id, role, side, agency, team), what (method, route, path, subject), when, the request id and the outcome. Successful reads are not recorded (reporter-data reads are: GET /v1/admin/pii-reads). No body, query string or reporter data is kept.',
          querystring: AuditQuery,
          response: { 200: Page(AuditEntry), ...problems(400, 401, 403) },
        },
      },
      async (req) => {
        const { limit = 50, cursor, ...f } = req.query;
        const after = decodeCursor(cursor, isCreatedCursor);
        return pageOf(
          listAudit(deps.db, f, limit + 1, after),
          limit,
          (r) => ({ c: r.at, i: r.id }),
          (r) => r,
        );
      },
    );
  };
