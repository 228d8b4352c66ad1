import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { Problem, problems } from '../http/problem.js';
import { DateTime, Nullable } from '../http/schemas.js';
import { complaintByNumber } from './query.js';
import { pii } from './service.js';
import { StatusSchema } from './schemas.js';
import { labelOf, preferredLanguage } from '../domain/labels.js';

const PublicStatus = Type.Object(
  {
    number: Type.String(),
    status: StatusSchema,
    statusLabel: Type.String({ description: 'The status in the language asked for (Accept-Language; Chinese by default), e.g. 办理中', examples: ['办理中'] }),
    receivedAt: DateTime(),
    acceptanceDueAt: DateTime(),
    acceptedAt: Nullable(DateTime()),
    replyDueAt: Nullable(DateTime()),
    repliedAt: Nullable(DateTime()),
    closedAt: Nullable(DateTime()),
    reply: Nullable(Type.String({ description: 'The answer to the reporter' })),
    reason: Nullable(Type.String({ description: 'Why it was not accepted or transferred (and to whom), as told to the reporter' })),
  },
  { description: 'Status, dates and the reply only: nothing else about the complaint' },
);

/** The same 404 for an unknown number and a wrong code: no hint which part was wrong. */
const lookupNotFound = () => new Problem(404, 'not-found', 'Not found', 'No complaint matches this number and query code.', { resource: 'complaint' });

export const publicLookupRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/public/complaints/:number',
      {
        config: { public: true, rateLimit: { max: deps.config.publicLookupRatePerMinute, timeWindow: '1 minute' } },
        schema: {
          tags: ['public'],
          summary: 'Reporter status lookup by complaint number and query code (no key)',
          description: `Rate limited per client address (PUBLIC_LOOKUP_RATE_PER_MINUTE, default 30/min; 429 with Retry-After). A wrong number or code is the same 404. Answers in Chinese by default (statusLabel; Accept-Language: en for English), with the status code beside the label.`,
          params: Type.Object({ number: Type.String({ minLength: 1, maxLength: 40, description: 'e.g. 12369-2026-000123' }) }),
          querystring: Type.Object({ code: Type.String({ minLength: 1, maxLength: 32, description: 'The query code given at intake' }) }),
          response: { 200: PublicStatus, ...problems(400, 404, 429) },
        },
      },
      async (req, reply) => {
        const row = complaintByNumber(deps.db, req.params.number);
        const cipher = pii(deps);
        // Hash even when the number is unknown, so both 404s take the same time.
        const ok = cipher.codeMatches(req.params.number, req.query.code, row?.queryCodeHash ?? '0'.repeat(64));
        if (!row || !ok) throw lookupNotFound();
        const reason =
          row.status === 'not_accepted' ? row.statusReason : row.status === 'transferred' ? `${row.transferredTo}: ${row.statusReason ?? ''}` : null;
        const lang = preferredLanguage(req.headers['accept-language']);
        return reply
          .header('cache-control', 'no-store')
          .header('content-language', lang)
          .header('vary', 'accept-language')
          .send({
            number: row.number,
            status: row.status,
            statusLabel: labelOf('complaint_status', row.status, lang),
            receivedAt: row.receivedAt,
            acceptanceDueAt: row.acceptanceDueAt,
            acceptedAt: row.acceptedAt,
            replyDueAt: row.replyDueAt,
            repliedAt: row.repliedAt,
            closedAt: row.closedAt,
            reply: row.replyText,
            reason,
          });
      },
    );
  };
