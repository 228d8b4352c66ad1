import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Problem, notFound, problems } from '../http/problem.js';
import { QUEUES } from '../queue/types.js';
import { type Deps } from '../deps.js';

const Health = Type.Object({ status: Type.Literal('ok') });
const Ready = Type.Object({
  status: Type.Literal('ready'),
  database: Type.Literal('ok'),
  queue: Type.Union([Type.Literal('embedded'), Type.Literal('redis')], { description: 'Which job bus carries the work' }),
  unreconciledOldestMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description:
      'Age in ms of the oldest outbox event or fired deadline whose derived jobs are not yet known to be done (Redis) or relayed (embedded); null when there is none. On Redis it stays within about RECONCILE_GRACE_MS plus 5 s unless work is backlogged, waiting on retries or being recovered.',
  }),
});
const QueueCountsSchema = Type.Object({
  waiting: Type.Integer(),
  active: Type.Integer(),
  delayed: Type.Integer(),
  failed: Type.Integer(),
  completed: Type.Integer(),
});
const FailedJobSchema = Type.Object({
  id: Type.String(),
  queue: Type.Enum(QUEUES),
  name: Type.String({ description: 'Job name, e.g. route.subject' }),
  attempts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  failedAt: Type.Union([Type.String(), Type.Null()]),
  payload: Type.Unknown(),
});

export const opsRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/healthz',
      { config: { public: true }, schema: { tags: ['operations'], summary: 'Liveness: the process is up', response: { 200: Health, ...problems() } } },
      async () => ({
        status: 'ok' as const,
      }),
    );
    app.get(
      '/readyz',
      {
        config: { public: true },
        schema: { tags: ['operations'], summary: 'Readiness: database reachable, and Redis when configured', response: { 200: Ready, ...problems(503) } },
      },
      async () => {
        try {
          deps.db.$client.prepare('select 1').get();
        } catch {
          throw new Problem(503, 'not-ready', 'Not ready', 'The database is not reachable.');
        }
        if (!(await app.runtime.healthy()))
          throw new Problem(503, 'not-ready', 'Not ready', 'Redis is not reachable; writes are kept in the outbox and relayed when it returns.');
        return { status: 'ready' as const, database: 'ok' as const, queue: app.runtime.mode, unreconciledOldestMs: app.runtime.unreconciledAgeMs() };
      },
    );
    app.get(
      '/v1/admin/queues',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['operations'],
          summary: 'Job counts per queue',
          response: { 200: Type.Record(Type.String(), QueueCountsSchema), ...problems(401, 403) },
        },
      },
      async () => app.runtime.counts(),
    );
    app.get(
      '/v1/admin/jobs/failed',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['operations'],
          summary: 'Dead-letter list: jobs that failed all their attempts',
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
          response: { 200: Type.Object({ items: Type.Array(FailedJobSchema) }), ...problems(400, 401, 403) },
        },
      },
      async (req) => ({ items: await app.runtime.failed(req.query.limit ?? 100) }),
    );
    app.post(
      '/v1/admin/jobs/:id/retry',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['operations'],
          summary: 'Retry a dead-lettered job',
          params: Type.Object({ id: Type.String({ maxLength: 300 }) }),
          response: { 202: Type.Object({ id: Type.String(), status: Type.Literal('retrying') }), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        if (!(await app.runtime.retry(req.params.id))) throw notFound('failed job', req.params.id);
        return reply.status(202).send({ id: req.params.id, status: 'retrying' as const });
      },
    );
  };
