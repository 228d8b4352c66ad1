import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Problem, notFound, problems } from '../http/problem.js';
import { QUEUES } from '../queue/types.js';
import { checkMetricsAccess } from '../http/metrics.js';
import { type Deps } from '../deps.js';
import { queueDashboard } from './dashboard.js';
import { backupNow, scheduleBackups } from './backups.js';
import { getYear, importYear, refreshCalendar } from './calendar.js';

const DateList = (description: string) =>
  Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (China calendar date)' }), { maxItems: 366, description });
const CalendarYear = Type.Object({
  year: Type.Integer({ examples: [2027] }),
  off: DateList('Days off: public holidays and the days taken off around them (放假)'),
  work: DateList('Weekend days that are working days (调休上班)'),
  official: Type.Boolean({ description: "true: the State Council's published notice; false: provisional data" }),
  source: Type.String({ description: 'Where the data comes from', examples: ['国务院办公厅关于2027年部分节假日安排的通知'] }),
  importedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null: the data the service ships' }),
  importedBy: Type.Union([Type.String(), Type.Null()], { description: 'Key id of the admin who imported it' }),
});
const YearParam = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100, description: 'Calendar year' }) });

/** The queues an admin may pause: each side's work queue (routing, delivery and deadlines keep running). */
const PAUSABLE = ['work-region', 'work-corps'] as const;
const QueueState = Type.Object({
  queue: Type.Union(
    PAUSABLE.map((q) => Type.Literal(q)),
    { description: 'The side work queue' },
  ),
  paused: Type.Boolean({ description: 'true: no job of this queue starts until it is resumed (running jobs finish)' }),
});

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
  paused: Type.Optional(Type.Boolean({ description: 'An admin paused this queue' })),
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
      async () => {
        const [counts, paused] = await Promise.all([app.runtime.counts(), app.runtime.paused()]);
        return Object.fromEntries(Object.entries(counts).map(([q, c]) => [q, { ...c, paused: paused.includes(q as never) }]));
      },
    );
    for (const action of ['pause', 'resume'] as const)
      app.post(
        `/v1/admin/queues/:name/${action}`,
        {
          config: { roles: ['admin'] },
          schema: {
            tags: ['operations'],
            summary: action === 'pause' ? "Pause a side's work queue (jobs wait; running ones finish)" : "Resume a side's paused work queue",
            params: Type.Object({
              name: Type.Union(
                PAUSABLE.map((q) => Type.Literal(q)),
                { description: 'work-region or work-corps' },
              ),
            }),
            response: { 200: QueueState, ...problems(400, 401, 403) },
          },
        },
        async (req) => {
          if (action === 'pause') await app.runtime.pause(req.params.name);
          else await app.runtime.resume(req.params.name);
          req.log.info({ queue: req.params.name, by: req.principal.keyId }, `queue ${action}d`);
          return { queue: req.params.name, paused: action === 'pause' };
        },
      );
    app.get(
      '/metrics',
      {
        // Checked here, not by the key plugin: a METRICS_TOKEN is not an API key.
        config: { public: true },
        onRequest: async (req) => checkMetricsAccess(deps, req),
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics (text exposition format)',
          description:
            'Send `Authorization: Bearer <METRICS_TOKEN>` (or an admin key; without METRICS_TOKEN only admin keys). Series: enf_http_request_duration_seconds{method,route,status_code}, enf_outbox_lag_seconds, enf_unreconciled_age_seconds, enf_queue_jobs{queue,state}, enf_queue_paused{queue}, enf_webhook_deliveries{outcome}, enf_deadlines_overdue_total{kind}, enf_sqlite_busy_errors_total, and the Node.js process defaults.',
          security: [{ bearerAuth: [] }],
          response: {
            200: {
              description: 'Prometheus text format 0.0.4',
              content: { 'text/plain': { schema: Type.String({ examples: ['enf_outbox_lag_seconds 0\n'] }) } },
            },
            ...problems(401, 403),
          },
        },
      },
      async (_req, reply) => {
        const registry = deps.services.metrics.registry;
        return reply.type(registry.contentType).send(await registry.metrics());
      },
    );
    app.post(
      '/v1/admin/backups',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['operations'],
          summary: 'Write an online backup of the database into BACKUP_DIR now',
          description:
            "SQLite's backup API on the service's connection: requests go on meanwhile, and the file holds every write committed before it began. The oldest backups beyond BACKUP_KEEP are removed. PII_KEY is not in the backup: keep it separately. Restore with `npm run cli -- restore <file>` while the service is stopped.",
          response: {
            201: Type.Object({
              file: Type.String({ description: 'Path of the backup on the server', examples: ['/data/backups/enforcement-2026-03-02T08-00-00-000Z.db'] }),
              bytes: Type.Integer({ minimum: 0 }),
              startedAt: Type.String({ format: 'date-time' }),
              finishedAt: Type.String({ format: 'date-time' }),
              removed: Type.Array(Type.String(), { description: 'Older backups removed to keep BACKUP_KEEP' }),
            }),
            ...problems(401, 403, 409),
          },
        },
      },
      async (_req, reply) => reply.status(201).send(await backupNow(deps)),
    );
    scheduleBackups(app, deps);
    refreshCalendar(app, deps);
    app.get(
      '/v1/admin/calendar/:year',
      {
        config: { roles: ['admin', 'intake'] },
        schema: {
          tags: ['operations'],
          summary: 'The holiday calendar of a year (shipped or imported) used for working-day deadlines',
          params: YearParam,
          response: { 200: CalendarYear, ...problems(400, 401, 403, 404) },
        },
      },
      async (req) => {
        const y = getYear(deps, req.params.year);
        if (!y) throw notFound('calendar year', String(req.params.year));
        return y;
      },
    );
    app.put(
      '/v1/admin/calendar/:year',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['operations'],
          summary: "Import a year's public holidays and adjusted working days (the State Council's notice)",
          description:
            'Replaces the calendar of that year in every process (this one at once, others within a minute). Working-day deadlines computed from now on use it; deadlines already set keep their dates.',
          params: YearParam,
          body: Type.Object(
            {
              off: DateList('Days off: public holidays and the days taken off around them (放假)'),
              work: DateList('Weekend days that are working days (调休上班)'),
              source: Type.String({ minLength: 1, maxLength: 300, description: 'The notice, e.g. 国办发明电〔2026〕…号' }),
              official: Type.Optional(Type.Boolean({ default: true, description: 'false for provisional data' })),
            },
            {
              additionalProperties: false,
              examples: [{ off: ['2027-01-01', '2027-02-05', '2027-02-06'], work: ['2027-02-14'], source: '国务院办公厅关于2027年部分节假日安排的通知' }],
            },
          ),
          response: { 200: CalendarYear, ...problems(400, 401, 403) },
        },
      },
      async (req) => importYear(deps, req.principal, req.params.year, req.body),
    );
    if (app.runtime.mode === 'redis') await app.register(queueDashboard(deps, app.runtime));
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
