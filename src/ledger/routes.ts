import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { CSV_IMPORT_EXAMPLE, tasksFromCsv } from './import.js';
import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { problems } from '../http/problem.js';
import { pageOrCsv, sendCsv, wantsCsv } from '../http/csv.js';
import { actionRoute } from '../http/actions.js';
import { IdParam } from '../http/schemas.js';
import { Page, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { IdempotencyHeaders, createOnce, sendIdempotent } from '../http/idempotency.js';
import { IfMatchHeaders, etagOf, parseIfMatch, withEtag } from '../http/versioning.js';
import { preferredLanguage } from '../domain/labels.js';
import {
  ApproveBody,
  CloseOffBody,
  CreateTaskBody,
  ImportBody,
  PatchTaskBody,
  ProgressBody,
  ProgressSchema,
  PublicTaskQuery,
  PublicTaskSchema,
  ReasonBody,
  RejectBody,
  ReviewSchema,
  TaskDetail,
  TaskQuery,
  TaskSchema,
} from './schemas.js';
import {
  approveCloseOff,
  checkOpinions,
  createTask,
  importTasks,
  listForSupervision,
  listPublicTasks,
  listTasks,
  loadTask,
  patchTask,
  progressOf,
  rejectCloseOff,
  reopenTask,
  reportProgress,
  requestCloseOff,
  reviewsOf,
  type TaskRow,
} from './service.js';
import { TASK_CSV, TASK_CSV_EXAMPLE, progressView, publicTaskView, reviewView, taskView } from './views.js';
import type { Tx } from '../db/client.js';

const TAGS = ['rectification'];
const TaskRef = Type.Ref('RectificationTask');
const WRITERS = ['admin', 'supervisor'] as const;

export const ledgerRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(TaskSchema);
    app.addSchema(ProgressSchema);
    app.addSchema(ReviewSchema);
    const view = (tx: Tx, t: TaskRow) => taskView(t, progressOf(tx, t.id, 1)[0]);

    app.post(
      '/v1/rectification-tasks',
      {
        config: { roles: WRITERS },
        schema: {
          tags: TAGS,
          summary: 'Add a rectification task to the ledger (整改台账)',
          description:
            'Admins, or supervisors of the lead agency or an agency above it. Agencies must exist (400 naming the field); the supervising agency (the checker of the close-off) defaults to the lead’s parent, or for a top agency the other side’s top, and is never the lead. A due date before today (China time) is 400; a code already in the ledger 409. The due date ends at 24:00 China time; weekly progress is owed from the first full week.',
          headers: IdempotencyHeaders,
          body: CreateTaskBody,
          response: { 201: withEtag(TaskRef), ...problems(400, 401, 403, 409) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const t = createTask(tx, deps, req.principal, req.body);
          return { status: 201, body: view(tx, t), location: `/v1/rectification-tasks/${t.id}` };
        });
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.post(
      '/v1/rectification-tasks/import',
      {
        config: { roles: WRITERS },
        schema: {
          tags: TAGS,
          summary: 'Import a task list, JSON or CSV (all or nothing)',
          description:
            'The same rules as one create, for each task; the first bad task is named (body/tasks/<i>/<field>) and nothing is stored. As `text/csv`: a header row naming the columns (code, title, origin, kind, leadAgencyCode, coAgencyCodes, supervisingAgencyCode, responsiblePerson, measures, target, dueOn, milestones; an unknown or missing required column is 400), one task per row (task <i> is data row i, counted from 0); lists within a cell are separated by `;` or `；`, a milestone is `title@YYYY-MM-DD`; UTF-8, a BOM is accepted.',
          headers: IdempotencyHeaders,
          body: {
            content: {
              'application/json': { schema: ImportBody },
              'text/csv': { schema: Type.String({ minLength: 1, description: 'The task list as CSV, UTF-8', examples: [CSV_IMPORT_EXAMPLE] }) },
            },
          },
          response: { 201: Type.Object({ created: Type.Integer(), items: Type.Array(TaskRef) }), ...problems(400, 401, 403, 409) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const body = req.body as Static<typeof ImportBody> | string;
          const rows = importTasks(tx, deps, req.principal, typeof body === 'string' ? tasksFromCsv(body) : body.tasks);
          return { status: 201, body: { created: rows.length, items: rows.map((t) => view(tx, t)) } };
        });
        return sendIdempotent(reply, r);
      },
    );

    app.get(
      '/v1/rectification-tasks',
      {
        schema: {
          tags: TAGS,
          summary: 'The ledger: tasks the caller sees, oldest first',
          description:
            'A task is seen by admins and the 12369 center, by supervisors of its lead, co-responsible or supervising agency or any agency above them, and by inspectors of those agencies.',
          querystring: TaskQuery,
          response: { 200: pageOrCsv(Page(TaskRef), TASK_CSV_EXAMPLE), ...problems(400, 401) },
        },
      },
      async (req, reply) => {
        const { limit = 50, cursor, format: _format, ...f } = req.query;
        const page = (at: string | undefined, n: number) =>
          inTx(deps.db, (tx) => {
            const rows = listTasks(tx, req.principal, f, n + 1, decodeCursor(at, isCreatedCursor));
            return pageOf(
              rows,
              n,
              (t) => ({ c: t.createdAt, i: t.id }),
              (t) => view(tx, t),
            );
          });
        return wantsCsv(req) ? sendCsv(reply, { filename: 'rectification-tasks', columns: TASK_CSV, page }, cursor) : page(cursor, limit);
      },
    );

    app.get(
      '/v1/rectification-tasks/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'A task with its weekly progress and close-off record',
          params: IdParam,
          response: { 200: withEtag(TaskDetail), ...problems(401, 404) },
        },
      },
      async (req, reply) => {
        const body = inTx(deps.db, (tx) => {
          const t = loadTask(tx, req.principal, req.params.id);
          const progress = progressOf(tx, t.id);
          return { ...taskView(t, progress[0]), progress: progress.map(progressView), reviews: reviewsOf(tx, t.id).map(reviewView) };
        });
        return reply.header('etag', etagOf(body.version)).send(body);
      },
    );

    app.patch(
      '/v1/rectification-tasks/:id',
      {
        config: { roles: WRITERS },
        schema: {
          tags: TAGS,
          summary: 'Change a task’s measures, target, dates, responsible person or co-agencies',
          description:
            'The lead agency’s supervisors (and admins), while the task is not in public notice or closed off (409). Requires If-Match (428 without, 412 stale).',
          params: IdParam,
          headers: IfMatchHeaders,
          body: PatchTaskBody,
          response: { 200: withEtag(TaskRef), ...problems(400, 401, 403, 404, 409, 412, 428) },
        },
      },
      async (req, reply) => {
        const body = inTx(deps.db, (tx) => view(tx, patchTask(tx, deps, req.principal, req.params.id, parseIfMatch(req.headers['if-match']), req.body)));
        return reply.header('etag', etagOf(body.version)).send(body);
      },
    );

    app.post(
      '/v1/rectification-tasks/:id/progress',
      {
        config: { roles: ['supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Report the week’s progress (按周调度; lead agency)',
          description:
            'One report per task and week (Monday–Sunday, China time; the week of periodEnd): a second is 409. Only while the task is open (409); periodEnd in the future or before the task was added is 400. Others who see the task get 403.',
          params: IdParam,
          headers: IdempotencyHeaders,
          body: ProgressBody,
          response: { 201: Type.Ref('RectificationProgress'), ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => ({ status: 201, body: progressView(reportProgress(tx, deps, req.principal, req.params.id, req.body)) }));
        return sendIdempotent(reply, r);
      },
    );

    const action = (
      url: string,
      summary: string,
      description: string,
      body: typeof CloseOffBody | typeof ApproveBody | typeof RejectBody | typeof ReasonBody,
      run: (tx: Tx, a: Parameters<Parameters<typeof actionRoute>[1]['run']>[0]) => TaskRow,
    ) =>
      actionRoute(app, {
        url,
        tags: TAGS,
        summary,
        description,
        roles: WRITERS,
        body,
        response: TaskRef,
        run: (a) => inTx(deps.db, (tx) => view(tx, run(tx, a))),
      });

    action(
      '/v1/rectification-tasks/:id/close-off',
      'Apply for close-off (销号申请; lead agency, with evidence)',
      'The lead agency’s supervisors, on an open task (409 otherwise); the supervising agency is told in its inbox.',
      CloseOffBody,
      (tx, a) => requestCloseOff(tx, deps, a.principal, a.id, a.expected, a.body as { text: string; evidence: string[] }),
    );
    action(
      '/v1/rectification-tasks/:id/close-off/approve',
      'Sign the close-off off after the on-site check (supervising agency)',
      'The supervising agency or one above it — never the lead agency (403 checker-not-lead). The task goes into public notice for RECTIFICATION_NOTICE_DAYS days (GET /v1/public/rectification-tasks), then is closed off.',
      ApproveBody,
      (tx, a) => approveCloseOff(tx, deps, a.principal, a.id, a.expected, a.body as { text: string }),
    );
    action(
      '/v1/rectification-tasks/:id/close-off/reject',
      'Refuse the close-off, with reasons (supervising agency)',
      'As approve; the task is open again and the lead is told the reasons.',
      RejectBody,
      (tx, a) => rejectCloseOff(tx, deps, a.principal, a.id, a.expected, a.body as { reasons: string[] }),
    );
    action(
      '/v1/rectification-tasks/:id/reopen',
      'Reopen a closed-off task after a re-check (回头看)',
      'The supervising agency or one above it (or admins), on a closed-off task (409 otherwise), with the reason; its due-date clock and weekly reports resume.',
      ReasonBody,
      (tx, a) => reopenTask(tx, deps, a.principal, a.id, a.expected, a.body as { reason: string }),
    );
    action(
      '/v1/rectification-tasks/:id/listed-supervision',
      'Put a late task under listed supervision (挂牌督办)',
      'The supervising agency or one above it, on an open task that is overdue or missed a weekly report (409 otherwise).',
      ReasonBody,
      (tx, a) => listForSupervision(tx, deps, a.principal, a.id, a.expected, a.body as { reason: string }),
    );

    app.get(
      '/v1/public/rectification-tasks',
      {
        config: { public: true },
        schema: {
          tags: ['public'],
          summary: 'Rectification tasks in public notice (公示) and closed off (no key)',
          description:
            'Unit, measures, target, dates and the on-site check opinion; no personal names. Chinese labels by default (Accept-Language: en for English).',
          querystring: PublicTaskQuery,
          response: { 200: Page(PublicTaskSchema), ...problems(400) },
        },
      },
      async (req, reply) => {
        const lang = preferredLanguage(req.headers['accept-language']);
        reply.header('content-language', lang).header('vary', 'accept-language');
        return inTx(deps.db, (tx) => {
          const { limit = 50, cursor, status } = req.query;
          const rows = listPublicTasks(tx, status, limit + 1, decodeCursor(cursor, isCreatedCursor));
          const opinions = checkOpinions(
            tx,
            rows.slice(0, limit).map((t) => t.id),
          );
          return pageOf(
            rows,
            limit,
            (t) => ({ c: t.createdAt, i: t.id }),
            (t) => publicTaskView(t, opinions.get(t.id) ?? null, lang),
          );
        });
      },
    );
  };
