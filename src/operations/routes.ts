import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { problems } from '../http/problem.js';
import { Page, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { IdempotencyHeaders, createOnce, sendIdempotent } from '../http/idempotency.js';
import { actionRoute } from '../http/actions.js';
import { etagOf, withEtag } from '../http/versioning.js';
import { CloseBody, CreateOperationBody, IdParams, OperationQuery, OperationSchema, OperationTaskSchema, TaskRecordBody } from './schemas.js';
import { closeOperation, confirmOperation, listOperations, operationTasksOf, proposeOperation, recordTask } from './service.js';
import { operationView, taskViews } from './views.js';
import { loadOperationFor, loadTaskFor } from './visibility.js';

const TAGS = ['joint-operations'];

export const operationRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(OperationTaskSchema);
    app.addSchema(OperationSchema);
    const OperationRef = Type.Ref('JointOperation');
    const TaskRef = Type.Ref('OperationTask');

    app.post(
      '/v1/joint-operations',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Propose a joint or cross enforcement operation (联合执法 / 交叉执法)',
          description:
            'Admins and supervisors of the lead agency (or above), of either side. Partners must include an agency of the other side (422 `partner-of-other-side`); teams belong to the lead or a partner agency (or below); a joint operation needs teams of both sides (422 `joint-teams-of-both-sides`); window.from before window.to (400). The operation starts `proposed`; the other side confirms it.',
          headers: IdempotencyHeaders,
          body: CreateOperationBody,
          response: { 201: withEtag(OperationRef), ...problems(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const row = proposeOperation(tx, deps, req.principal, req.body);
          return { status: 201, body: operationView(tx, row, []), location: `/v1/joint-operations/${row.id}` };
        });
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/joint-operations',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'List the joint operations the caller may see',
          description:
            'Newest first; keyset pages. Admins see every operation; supervisors those of their agency or an agency below it as lead or partner; inspectors those of their agency (as lead or partner) and those their team takes part in.',
          querystring: OperationQuery,
          response: { 200: Page(OperationRef, 'A page of operations'), ...problems(400, 401, 403) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isCreatedCursor);
          const rows = listOperations(tx, req.principal, req.query, limit + 1, after);
          const tasks = operationTasksOf(
            tx,
            rows.map((r) => r.id),
          );
          return pageOf(
            rows,
            limit,
            (r) => ({ c: r.createdAt, i: r.id }),
            (r) =>
              operationView(
                tx,
                r,
                tasks.filter((t) => t.operationId === r.id),
              ),
          );
        }),
    );

    app.get(
      '/v1/joint-operations/:id',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Get an operation: its tasks and progress by side, team and outcome',
          description: 'Visible as in the list; anyone else 404. After close, `summary` holds the frozen figures.',
          params: IdParams,
          response: { 200: withEtag(OperationRef), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => operationView(tx, loadOperationFor(tx, req.principal, req.params.id)));
        return reply.header('etag', etagOf(view.version)).send(view);
      },
    );

    actionRoute(app, {
      url: '/v1/joint-operations/:id/confirm',
      tags: TAGS,
      summary: 'The other side confirms: targets are resolved and one task per target created',
      description:
        'A supervisor of a partner agency of the other side (or above it), or an admin; the lead’s side → 403 `operation-confirmed-by-other-side`. Targets: the classified pollution sources of the lead and partner agencies (and below) in the focus (ids, classes, areas). joint: each target gets one team of each side (round robin); cross: each target gets a team of the other side (a target whose other side has no team is left out). Tasks are due at the end of the window. Twice → 409 `operation-not-proposed`; after the window → 409.',
      roles: ['admin', 'supervisor'],
      response: OperationRef,
      run: (a) =>
        inTx(deps.db, (tx) => {
          const { op, tasks } = confirmOperation(tx, deps, a.principal, a.id, a.expected);
          return operationView(tx, op, tasks);
        }),
    });

    actionRoute(app, {
      url: '/v1/joint-operations/:id/close',
      tags: TAGS,
      summary: 'Close an operation: open tasks cancelled, summary frozen, every party notified',
      description:
        'Supervisors of the lead agency (or above) or admins; others who see it → 403 `operation-closed-by-lead`. The summary (targets, visited, cancelled, violations, cases) is frozen in the operation and sent as a notification to the lead and every partner agency. Twice → 409.',
      roles: ['admin', 'supervisor'],
      body: CloseBody,
      response: OperationRef,
      run: (a) => inTx(deps.db, (tx) => operationView(tx, closeOperation(tx, deps, a.principal, a.id, a.expected, a.body))),
    });

    app.get(
      '/v1/operation-tasks/:id',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Get an operation task',
          description: 'Visible to whoever sees its operation; anyone else 404.',
          params: IdParams,
          response: { 200: withEtag(TaskRef), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => taskViews(tx, [loadTaskFor(tx, req.principal, req.params.id).task])[0]);
        return reply.header('etag', etagOf(view.version)).send(view);
      },
    );

    actionRoute(app, {
      url: '/v1/operation-tasks/:id/record',
      tags: TAGS,
      summary: 'Record a task with the inspection record of random inspections',
      description:
        'An inspector of one of the task’s teams, a supervisor of a party agency (or above), or an admin (else 403 `operation-task-recorded-by-its-teams`). Officers present: ≥ 2 roster officers of the task’s teams (another officer → 403); a joint task needs officers of both sides (422 `joint-officers-of-both-sides`). Results: checklist items usable by the source’s agency or the officers’ agencies. outcome `rectify` needs `rectification`; `case` registers a case (origin inspection) led by the source’s supervising agency (the ground’s side), co-handled by a party agency of the other side. After close → 409 `operation-closed`; twice → 409 `already-recorded`.',
      roles: ['admin', 'supervisor', 'inspector'],
      body: TaskRecordBody,
      response: TaskRef,
      problems: [422],
      run: (a) => inTx(deps.db, (tx) => taskViews(tx, [recordTask(tx, deps, a.principal, a.id, a.expected, a.body)])[0]),
    });
  };
