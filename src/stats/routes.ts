import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { problems } from '../http/problem.js';
import type { StatSubject } from '../domain/stats.js';
import { AssignmentFigures, CaseFigures, ComplaintFigures, DeclinesByTeam, FilingFigures, StatsQuerySchema, StatsResponse, TaskFigures } from './schemas.js';
import { DIMENSIONS, parseStatsQuery, statsOf } from './service.js';
import { STATS_ROLES } from './visibility.js';

const TAGS = ['statistics'];

const ROUTES: { subject: StatSubject; summary: string; response: TSchema }[] = [
  {
    subject: 'complaints',
    summary: '12369 complaint figures: received, accepted, answered, on-time rate, days to accept and answer',
    response: StatsResponse('complaints', ComplaintFigures),
  },
  {
    subject: 'cases',
    summary: 'Case figures: registered, decided on time, closed; measures by type, fines and daily-penalty totals (fen)',
    response: StatsResponse('cases', CaseFigures),
  },
  { subject: 'filings', summary: 'Cross-filing figures: filed, acknowledged on time, escalated', response: StatsResponse('filings', FilingFigures) },
  {
    subject: 'assignments',
    summary: 'Work-list figures: assigned, claimed on time, declined (推诿) per team, completed',
    response: StatsResponse('assignments', AssignmentFigures, { declinesByTeam: DeclinesByTeam }),
  },
  {
    subject: 'rectification',
    summary: 'Rectification ledger figures: tasks due, closed off on time, overdue, missed weeks',
    response: StatsResponse('rectification', TaskFigures),
  },
];

export const statsRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    for (const r of ROUTES)
      app.get(
        `/v1/stats/${r.subject}`,
        {
          config: { roles: STATS_ROLES },
          schema: {
            tags: TAGS,
            summary: r.summary,
            description: `Counts only what the caller may GET (the same visibility as the list). Period \`from\`–\`to\` in China days (default the last twelve months; over 5 years is 400). \`groupBy\` one of: ${DIMENSIONS[r.subject].join(', ')} — another is 400 listing these (\`validDimensions\`). On-time rate = on time ÷ (closed + still open past due now): late open items count against it. Partner keys: 403.`,
            querystring: StatsQuerySchema,
            response: { 200: r.response, ...problems(400, 401, 403) },
          },
        },
        async (req) => inTx(deps.db, (tx) => statsOf(tx, req.principal, r.subject, parseStatsQuery(r.subject, req.query, deps.clock.now()))),
      );
  };
