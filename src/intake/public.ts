import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { Problem, problems } from '../http/problem.js';
import { DateTime, Nullable } from '../http/schemas.js';
import { complaintByNumber } from './query.js';
import { pii, type ComplaintRow } from './service.js';
import { ReviewStageSchema, StatusSchema } from './schemas.js';
import { requestReviewPublic, reviewsOf } from './review.js';
import { getAgency } from '../reference/hierarchy.js';
import { labelOf, preferredLanguage, type Language } from '../domain/labels.js';
import type { Tx } from '../db/client.js';

const PublicReview = Type.Object(
  {
    stage: ReviewStageSchema,
    agency: Type.String({ description: 'The reviewing agency, by name', examples: ['昌吉回族自治州'] }),
    requestedAt: DateTime(),
    dueAt: DateTime('The opinion is due by then (30 days, 24:00 China time)'),
    overdue: Type.Boolean({ description: 'The reviewing agency passed its deadline' }),
    opinion: Nullable(Type.String({ description: 'The review opinion, once given' })),
    opinionAt: Nullable(DateTime()),
  },
  { description: 'A review (复查) or re-review (复核) of this complaint' },
);

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
    review: Type.Object(
      {
        requestableUntil: Nullable(DateTime('Until when a review (复查) or re-review (复核) may be requested; null when none can be')),
        nextStage: Nullable(ReviewStageSchema),
        final: Type.Boolean({ description: 'The re-review (复核) opinion was given: the matter is final (信访工作条例 art. 36)' }),
        reviews: Type.Array(PublicReview),
      },
      { description: 'The review path (信访工作条例 arts. 35–36)' },
    ),
  },
  { description: 'Status, dates, the reply and the review state only: nothing else about the complaint' },
);

function reviewState(tx: Tx, row: ComplaintRow) {
  const reviews = reviewsOf(tx, row.id);
  const final = row.closeReason === 'final';
  const open = !final && row.reviewRequestableUntil !== null;
  return {
    requestableUntil: open ? row.reviewRequestableUntil : null,
    nextStage: open ? (reviews.some((r) => r.stage === 'review') ? ('re_review' as const) : ('review' as const)) : null,
    final,
    reviews: reviews.map((r) => ({
      stage: r.stage,
      agency: getAgency(tx, r.agencyCode)?.name ?? r.agencyCode,
      requestedAt: r.requestedAt,
      dueAt: r.dueAt,
      overdue: r.overdue,
      opinion: r.opinion,
      opinionAt: r.opinionAt,
    })),
  };
}

/** The same 404 for an unknown number and a wrong code: no hint which part was wrong. */
const lookupNotFound = () => new Problem(404, 'not-found', 'Not found', 'No complaint matches this number and query code.', { resource: 'complaint' });

export const publicLookupRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const find = (number: string, code: string) => {
      const row = complaintByNumber(deps.db, number);
      // Hash even when the number is unknown, so both 404s take the same time.
      const ok = pii(deps).codeMatches(number, code, row?.queryCodeHash ?? '0'.repeat(64));
      if (!row || !ok) throw lookupNotFound();
      return row;
    };
    const view = (row: ComplaintRow, lang: Language) => {
      const reason = row.status === 'not_accepted' ? row.statusReason : row.status === 'transferred' ? `${row.transferredTo}: ${row.statusReason ?? ''}` : null;
      return {
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
        review: reviewState(deps.db, row),
      };
    };

    app.post(
      '/v1/public/complaints/:number/review',
      {
        config: { public: true, rateLimit: { max: deps.config.publicLookupRatePerMinute, timeWindow: '1 minute' } },
        schema: {
          tags: ['public'],
          summary: 'The reporter asks for review (复查) of the reply, or re-review (复核) of the review opinion, with the query code (no key)',
          description:
            'Within 30 days of the written answer (review.requestableUntil), to the agency one level above (信访工作条例 arts. 35–36). 409 naming the rule when late (review-window-closed), while a review is pending (review-pending), after the re-review (review-final), or when there is no agency above. A wrong number or code is the same 404. Rate limited like the lookup.',
          params: Type.Object({ number: Type.String({ minLength: 1, maxLength: 40, description: 'e.g. 12369-2026-000123' }) }),
          body: Type.Object(
            {
              code: Type.String({ minLength: 1, maxLength: 32, description: 'The query code given at intake' }),
              reason: Type.String({ minLength: 1, maxLength: 2000, description: 'What the reporter does not accept, e.g. 烟囱仍在冒黑烟' }),
            },
            { additionalProperties: false },
          ),
          response: { 200: PublicStatus, ...problems(400, 404, 409, 429) },
        },
      },
      async (req, reply) => {
        const row = find(req.params.number, req.body.code);
        const next = requestReviewPublic(deps, row.id, req.body.reason);
        const lang = preferredLanguage(req.headers['accept-language']);
        return reply.header('cache-control', 'no-store').header('content-language', lang).header('vary', 'accept-language').send(view(next, lang));
      },
    );

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
        const lang = preferredLanguage(req.headers['accept-language']);
        return reply
          .header('cache-control', 'no-store')
          .header('content-language', lang)
          .header('vary', 'accept-language')
          .send(view(find(req.params.number, req.query.code), lang));
      },
    );
  };
