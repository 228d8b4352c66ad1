import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { inTx, type Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { problems } from '../http/problem.js';
import { actionRoute } from '../http/actions.js';
import { IdParam } from '../http/schemas.js';
import { Page, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { IdempotencyHeaders, createOnce, sendIdempotent } from '../http/idempotency.js';
import { etagOf, withEtag } from '../http/versioning.js';
import { Type } from 'typebox';
import {
  AttendanceBody,
  ConsultationQuery,
  ConsultationSchema,
  CreateConsultationBody,
  DecisionProgressBody,
  DecisionProgressSchema,
  DecisionQuery,
  DecisionSchema,
  MinutesBody,
} from './schemas.js';
import {
  answerInvitation,
  convene,
  decisionsOf,
  lastProgressOf,
  listConsultations,
  listDecisions,
  loadConsultation,
  loadDecision,
  openDecisionsFor,
  progressOfDecision,
  recordMinutes,
  reportDecisionProgress,
  type ConsultationRow,
} from './service.js';
import { consultationView, decisionProgressView, decisionView } from './views.js';

const TAGS = ['consultations'];
const Ref = Type.Ref('Consultation');

export const consultationRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(DecisionSchema);
    app.addSchema(DecisionProgressSchema);
    app.addSchema(ConsultationSchema);
    const view = (tx: Tx, c: ConsultationRow) => {
      const decisions = decisionsOf(tx, c.id);
      const open = openDecisionsFor(tx, c);
      return consultationView(
        c,
        decisions,
        open,
        lastProgressOf(
          tx,
          [...decisions, ...open].map((d) => d.id),
        ),
      );
    };

    app.post(
      '/v1/consultations',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Convene a joint consultation (会商)',
          description:
            'Admins, or supervisors of the convening agency or an agency above it (403 convener-only). The convener and the invited agencies must include both sides (400 body/agencyCodes); unknown agencies are 400; a time in the past is 400. Every invited agency is told in its inbox and confirms or declines. A regular consultation’s agenda lists the open decisions of earlier consultations owned by its participants (openDecisions).',
          headers: IdempotencyHeaders,
          body: CreateConsultationBody,
          response: { 201: withEtag(Ref), ...problems(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const c = convene(tx, deps, req.principal, req.body);
          return { status: 201, body: view(tx, c), location: `/v1/consultations/${c.id}` };
        });
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/consultations',
      {
        schema: {
          tags: TAGS,
          summary: 'Consultations the caller sees, latest first',
          description:
            'Seen by admins and the 12369 center, by supervisors of a participating agency or one above it, and by inspectors of a participating agency.',
          querystring: ConsultationQuery,
          response: { 200: Page(Ref), ...problems(400, 401) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const { limit = 50, cursor, ...f } = req.query;
          const rows = listConsultations(tx, req.principal, f, limit + 1, decodeCursor(cursor, isCreatedCursor));
          return pageOf(
            rows,
            limit,
            (c) => ({ c: c.scheduledAt, i: c.id }),
            (c) => view(tx, c),
          );
        }),
    );

    app.get(
      '/v1/consultations/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'A consultation with its agenda, attendance, minutes and decisions',
          params: IdParam,
          response: { 200: withEtag(Ref), ...problems(401, 404) },
        },
      },
      async (req, reply) => {
        const body = inTx(deps.db, (tx) => view(tx, loadConsultation(tx, req.principal, req.params.id)));
        return reply.header('etag', etagOf(body.version)).send(body);
      },
    );

    actionRoute(app, {
      url: '/v1/consultations/:id/attendance',
      tags: TAGS,
      summary: 'Confirm or decline attendance (invited agency)',
      description:
        'Supervisors of the invited agency answer for it (403 invited-agency-only); an agency not invited is 400; after the consultation took place 409 consultation-held.',
      roles: ['admin', 'supervisor'],
      body: AttendanceBody,
      response: Ref,
      run: (a) => inTx(deps.db, (tx) => view(tx, answerInvitation(tx, deps, a.principal, a.id, a.expected, a.body))),
    });

    actionRoute(app, {
      url: '/v1/consultations/:id/minutes',
      tags: TAGS,
      summary: 'Record the minutes (会议纪要) and its decisions',
      description:
        'The convening agency’s supervisors (or one above it; 403 convener-only), once the consultation has taken place (409 consultation-not-held-yet before its time; 409 minutes-recorded the second time). Each decision’s owner must be a participant and its due date not before the consultation (400). Each decision becomes a follow-up item (GET /v1/consultation-decisions) with a deadline at 24:00 China time of dueOn: overdue events and notices to the owner and the convener.',
      roles: ['admin', 'supervisor'],
      body: MinutesBody,
      response: Ref,
      run: (a) => inTx(deps.db, (tx) => view(tx, recordMinutes(tx, deps, a.principal, a.id, a.expected, a.body))),
    });

    app.get(
      '/v1/consultation-decisions',
      {
        schema: {
          tags: TAGS,
          summary: 'Decisions of consultations (议定事项) the caller sees, by due date',
          description: 'Visible to whoever sees their consultation.',
          querystring: DecisionQuery,
          response: { 200: Page(Type.Ref('ConsultationDecision')), ...problems(400, 401) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const { limit = 50, cursor, ...f } = req.query;
          const rows = listDecisions(tx, req.principal, f, limit + 1, decodeCursor(cursor, isCreatedCursor));
          const last = lastProgressOf(
            tx,
            rows.map((d) => d.id),
          );
          return pageOf(
            rows,
            limit,
            (d) => ({ c: d.dueOn, i: d.id }),
            (d) => decisionView(d, last.get(d.id)),
          );
        }),
    );

    app.get(
      '/v1/consultation-decisions/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'A decision with its progress reports',
          params: IdParam,
          response: {
            200: withEtag(Type.Intersect([Type.Ref('ConsultationDecision'), Type.Object({ progress: Type.Array(Type.Ref('DecisionProgress')) })])),
            ...problems(401, 404),
          },
        },
      },
      async (req, reply) => {
        const body = inTx(deps.db, (tx) => {
          const { d } = loadDecision(tx, req.principal, req.params.id);
          const progress = progressOfDecision(tx, d.id);
          return { ...decisionView(d, progress[progress.length - 1]), progress: progress.map(decisionProgressView) };
        });
        return reply.header('etag', etagOf(body.version)).send(body);
      },
    );

    app.post(
      '/v1/consultation-decisions/:id/progress',
      {
        config: { roles: ['supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Report progress on a decision (owner agency)',
          description:
            'The owner agency’s supervisors or inspectors (others who see it: 403 decision-owner-only). done: true closes the item (its deadline clock stops); a done decision takes no more reports (409 decision-done).',
          params: IdParam,
          headers: IdempotencyHeaders,
          body: DecisionProgressBody,
          response: { 201: Type.Ref('DecisionProgress'), ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => ({
          status: 201,
          body: decisionProgressView(reportDecisionProgress(tx, deps, req.principal, req.params.id, req.body)),
        }));
        return sendIdempotent(reply, r);
      },
    );
  };
