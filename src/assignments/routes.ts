import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject } from 'typebox';
import { inTx, type Tx } from '../db/client.js';
import { actionRoute, type ActionArgs } from '../http/actions.js';
import { etagOf } from '../http/versioning.js';
import { notFound, problems } from '../http/problem.js';
import { FormatQuery, pageOrCsv, sendCsv, wantsCsv } from '../http/csv.js';
import { ASSIGNMENT_CSV, ASSIGNMENT_CSV_EXAMPLE } from './views.js';
import { Page, PageQuery, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { CategorySchema, DateTime, IdParam, Nullable, SideSchema } from '../http/schemas.js';
import type { Deps } from '../deps.js';
import { ASSIGNMENT_ROLES, ASSIGNMENT_STATUSES } from '../domain/index.js';
import { subjectPath } from '../domain/routing.js';
import { HISTORY_ACTIONS } from './tables.js';
import {
  canSee,
  claimAssignment,
  completeAssignment,
  declineAssignment,
  getAssignment,
  historyOf,
  listAssignments,
  type AssignmentRow,
  type HistoryRow,
} from './service.js';

const HistorySchema = Type.Object({
  at: DateTime(),
  action: Type.Enum(HISTORY_ACTIONS, {
    description: 'What happened (superseded: closed by the system when the subject was transferred; cancelled: closed by the system when the subject ended)',
  }),
  status: Type.Enum(ASSIGNMENT_STATUSES, { description: 'Status after it' }),
  byKeyId: Nullable(Type.String({ description: 'API key that acted; null = the system (routing, deadlines)' })),
  byRole: Nullable(Type.String({ description: 'Role of that key' })),
  byAgencyCode: Nullable(Type.String({ description: 'Agency of that key' })),
  reason: Nullable(Type.String({ description: 'Why: the decline reason, the completion note, or how routing chose the team' })),
});

const AssignmentSchema = Type.Object(
  {
    id: Type.String(),
    subject: Type.Object(
      {
        kind: Type.Enum(['complaint', 'case', 'inspection', 'operation_task'] as const),
        id: Type.String(),
        path: Type.String({ description: 'e.g. complaints/<id>, cases/<id>, inspections/<id>, operation-tasks/<id>' }),
      },
      { description: 'What is assigned' },
    ),
    role: Type.Enum(ASSIGNMENT_ROLES, { description: 'lead, or co_handling for the other side on a joint place' }),
    status: Type.Enum(ASSIGNMENT_STATUSES, {
      description:
        'pending → claimed → completed, or declined; superseded when the system closed it because the subject was transferred to another agency and re-routed; cancelled when the subject ended (complaint closed, not accepted, transferred or merged; case closed or withdrawn) — acting on it is a 409',
    }),
    overdue: Type.Boolean({ description: 'Not claimed by dueAt' }),
    triage: Type.Boolean({ description: 'true = with the 12369 center (no team, side or agency)' }),
    teamId: Nullable(Type.String()),
    agencyCode: Nullable(Type.String()),
    side: Nullable(SideSchema),
    category: CategorySchema,
    via: Type.String({
      description:
        'How the team was chosen: rule, category, ancestor (a parent agency’s team), suggested (by a decliner), dispatched (by the center from triage), triage, declined_twice, transferred (re-routed within the agency a case was transferred to)',
    }),
    areaId: Nullable(Type.String({ description: 'Area the place resolved to for this team' })),
    dueAt: DateTime('Claim deadline'),
    claimedAt: Nullable(DateTime()),
    completedAt: Nullable(DateTime()),
    completionNote: Nullable(Type.String()),
    declinedAt: Nullable(DateTime()),
    declineReason: Nullable(Type.String()),
    suggestedAgencyCode: Nullable(Type.String({ description: 'Where the decliner says the work belongs' })),
    previousId: Nullable(Type.String({ description: 'The declined (or, after a transfer, superseded) assignment this one replaces' })),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer({ description: 'Also sent as ETag; send If-Match to act only on this version' }),
    history: Type.Optional(Type.Array(HistorySchema, { description: 'Append-only; in GET one and action responses' })),
  },
  { $id: 'Assignment', description: 'A team work item' },
);

function publicAssignment(a: AssignmentRow, history?: HistoryRow[]) {
  return {
    id: a.id,
    subject: { kind: a.subjectKind, id: a.subjectId, path: subjectPath(a.subjectKind, a.subjectId) },
    role: a.role,
    status: a.status,
    overdue: a.overdue,
    triage: a.teamId === null,
    teamId: a.teamId,
    agencyCode: a.agencyCode,
    side: a.side,
    category: a.category,
    via: a.via,
    areaId: a.areaId,
    dueAt: a.dueAt,
    claimedAt: a.claimedAt,
    completedAt: a.completedAt,
    completionNote: a.completionNote,
    declinedAt: a.declinedAt,
    declineReason: a.declineReason,
    suggestedAgencyCode: a.suggestedAgencyCode,
    previousId: a.previousId,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    version: a.version,
    ...(history
      ? {
          history: history.map((h) => ({
            at: h.at,
            action: h.action,
            status: h.status,
            byKeyId: h.byKeyId,
            byRole: h.byRole,
            byAgencyCode: h.byAgencyCode,
            reason: h.reason,
          })),
        }
      : {}),
  };
}

const WORKERS = ['admin', 'intake', 'supervisor', 'inspector'] as const;

export const assignmentRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/assignments',
      {
        config: { roles: WORKERS },
        schema: {
          tags: ['assignments'],
          summary: 'Team work list (inspectors: their team; supervisors: their agency subtree; intake and admin: all)',
          querystring: Type.Object({
            ...PageQuery,
            teamId: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(Type.Enum(ASSIGNMENT_STATUSES)),
            overdue: Type.Optional(Type.Boolean({ description: 'Only overdue (true) or not overdue (false)' })),
            triage: Type.Optional(Type.Boolean({ description: 'Only the 12369 center’s triage items (true) or only team items (false)' })),
            role: Type.Optional(Type.Enum(ASSIGNMENT_ROLES)),
            subjectKind: Type.Optional(Type.Enum(['complaint', 'case', 'inspection', 'operation_task'] as const)),
            subjectId: Type.Optional(Type.String({ maxLength: 64 })),
            agencyCode: Type.Optional(Type.String({ maxLength: 64 })),
            side: Type.Optional(SideSchema),
            ...FormatQuery,
          }),
          response: { 200: pageOrCsv(Page(AssignmentSchema), ASSIGNMENT_CSV_EXAMPLE), ...problems(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const { limit = 50, cursor, format: _format, ...f } = req.query;
        const page = (at: string | undefined, n: number) =>
          pageOf(
            listAssignments(deps.db, req.principal, f, n + 1, decodeCursor(at, isCreatedCursor)),
            n,
            (r) => ({ c: r.createdAt, i: r.id }),
            (r) => publicAssignment(r),
          );
        return wantsCsv(req) ? sendCsv(reply, { filename: 'assignments', columns: ASSIGNMENT_CSV, page }, cursor) : page(cursor, limit);
      },
    );
    app.get(
      '/v1/assignments/:id',
      {
        config: { roles: WORKERS },
        schema: {
          tags: ['assignments'],
          summary: 'One assignment with its history',
          params: IdParam,
          response: { 200: AssignmentSchema, ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const a = getAssignment(deps.db, req.params.id);
        if (!a || !canSee(deps.db, req.principal, a)) throw notFound('assignment', req.params.id);
        return reply.header('etag', etagOf(a.version)).send(publicAssignment(a, historyOf(deps.db, a.id)));
      },
    );

    const view = (row: AssignmentRow) => publicAssignment(row, historyOf(deps.db, row.id));
    const action = <B extends TObject>(path: string, summary: string, body: B | undefined, run: (tx: Tx, a: ActionArgs<Static<B>>) => AssignmentRow) =>
      actionRoute(app, {
        url: `/v1/assignments/:id/${path}`,
        tags: ['assignments'],
        summary,
        roles: WORKERS,
        body,
        response: AssignmentSchema,
        run: (a) => view(inTx(deps.db, (tx) => run(tx, a))),
      });

    action('claim', 'Claim an assignment for the team (pending → claimed)', undefined, (tx, a) => claimAssignment(tx, deps, a.principal, a.id, a.expected));
    action(
      'decline',
      'Decline an assignment with a reason (re-routes: to the suggested agency, else to triage; twice declined → triage and supervisors told)',
      Type.Object(
        {
          reason: Type.String({ minLength: 1, maxLength: 2000, description: 'Why the team declines' }),
          suggestedAgencyCode: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: 'Agency the place belongs to, if another (required to dispatch a triage item)' }),
          ),
        },
        { additionalProperties: false },
      ),
      (tx, a) => declineAssignment(tx, deps, a.principal, a.id, a.body, a.expected),
    );
    action(
      'complete',
      'Complete a claimed assignment',
      Type.Object({ note: Type.Optional(Type.String({ maxLength: 5000, description: 'What was done' })) }, { additionalProperties: false }),
      (tx, a) => completeAssignment(tx, deps, a.principal, a.id, a.body, a.expected),
    );
  };
