import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject } from 'typebox';
import { inTx, type Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import type { Role } from '../domain/index.js';
import { notFound, problems } from '../http/problem.js';
import { actionRoute } from '../http/actions.js';
import { IfMatchHeaders, etagOf, parseIfMatch, withEtag } from '../http/versioning.js';
import { decodeCursor, isCreatedCursor, Page, PageQuery, pageOf } from '../http/pagination.js';
import { DateTime, IdParam } from '../http/schemas.js';
import { IdempotencyHeaders, idempotent, idempotentGrouped, sealedResponses, sendIdempotent } from '../http/idempotency.js';
import {
  accept,
  closeManually,
  createComplaint,
  extend,
  feedback,
  getComplaint,
  merge,
  pii,
  reject,
  replyTo,
  start,
  transfer,
  unlink,
  reopen,
  correct,
  type ActionCtx,
  type ComplaintRow,
  type NewComplaint,
} from './service.js';
import { ComplaintDetail, ComplaintSummary, CorrectionBody, CreateComplaintBody, Created, ListQuery, Reason } from './schemas.js';
import { giveReviewOpinion, requestReview } from './review.js';
import { canSee } from './visibility.js';
import { COMPLAINT_CSV, COMPLAINT_CSV_EXAMPLE, detailView, routesOf, summaryView } from './views.js';
import { pageOrCsv, sendCsv, wantsCsv } from '../http/csv.js';
import { listComplaints, listPiiReads } from './query.js';

export const CREATE_ROLES: readonly Role[] = ['intake', 'admin', 'partner'];
const CENTER: readonly Role[] = ['intake', 'admin'];
const HANDLERS: readonly Role[] = ['intake', 'admin', 'supervisor', 'inspector'];

/** The shared create path (REST and Open311): idempotency, one transaction, 201 + Location. */
export function createIdempotent(
  deps: Deps,
  req: { principal: Principal; headers: Record<string, unknown> },
  route: string,
  rawBody: unknown,
  input: NewComplaint,
  render: (r: { row: ComplaintRow; queryCode: string }) => unknown,
  names?: Parameters<typeof createComplaint>[4],
) {
  const key = req.headers['idempotency-key'];
  const scope = { keyId: req.principal.keyId, route, key: typeof key === 'string' ? key : undefined, body: rawBody };
  const work = (tx: Tx) => {
    const r = createComplaint(tx, deps, req.principal, input, names);
    return { status: 201, body: render(r), location: `/v1/complaints/${r.row.id}` };
  };
  const opts = { codec: sealedResponses(pii(deps)) };
  // A burst of reports (a hotline back after an outage) commits a turn's creates together.
  return deps.config.groupCommit
    ? idempotentGrouped(deps.db, deps.clock, scope, work, opts)
    : Promise.resolve(idempotent(deps.db, deps.clock, scope, work, opts));
}

const PiiRead = Type.Object({
  id: Type.String(),
  keyId: Type.String({ description: 'API key that read the reporter fields' }),
  role: Type.String(),
  complaintId: Type.String(),
  at: DateTime(),
  via: Type.String({ description: 'The route that returned them' }),
});

export const intakeRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const summarise = (row: ComplaintRow) => summaryView(row, routesOf(deps.db, [row.id]).get(row.id) ?? []);

    app.post(
      '/v1/complaints',
      {
        config: { roles: CREATE_ROLES },
        schema: {
          tags: ['complaints'],
          summary: 'Receive a 12369 complaint (idempotent with Idempotency-Key)',
          description:
            'Creates a complaint in status `received` with its acceptance deadline. A complaint of the same category within DEDUP_RADIUS_METERS and DEDUP_WINDOW_HOURS of an open one is linked to it as a duplicate and never routed on its own. `externalRef` is unique per channel: a second one is a 409 whose `Location` and `existingId` point at the first. Reporter fields are encrypted at rest.',
          headers: IdempotencyHeaders,
          body: CreateComplaintBody,
          response: { 201: Created, ...problems(400, 401, 403, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        const r = await createIdempotent(deps, req, 'POST /v1/complaints', req.body, req.body, ({ row, queryCode }) => ({
          id: row.id,
          number: row.number,
          status: row.status,
          receivedAt: row.receivedAt,
          acceptanceDueAt: row.acceptanceDueAt,
          queryCode,
          duplicateOf: row.duplicateOf,
        }));
        return sendIdempotent(reply, r);
      },
    );

    app.get(
      '/v1/complaints',
      {
        schema: {
          tags: ['complaints'],
          summary: 'List complaints visible to this key (newest first)',
          description:
            'intake and admin see all; supervisors those routed to their agency subtree (lead or co-handling); inspectors those with an assignment to their team; partners those they created. Never includes reporter fields.',
          querystring: ListQuery,
          response: { 200: pageOrCsv(Page(ComplaintSummary), COMPLAINT_CSV_EXAMPLE), ...problems(400, 401) },
        },
      },
      async (req, reply) => {
        const { limit = 50, cursor, format: _format, ...filter } = req.query;
        const page = (at: string | undefined, n: number) => {
          const rows = listComplaints(deps.db, req.principal, filter, n + 1, decodeCursor(at, isCreatedCursor));
          const routes = routesOf(
            deps.db,
            rows.slice(0, n).map((r) => r.id),
          );
          return pageOf(
            rows,
            n,
            (r) => ({ c: r.receivedAt, i: r.id }),
            (r) => summaryView(r, routes.get(r.id) ?? []),
          );
        };
        return wantsCsv(req) ? sendCsv(reply, { filename: 'complaints', columns: COMPLAINT_CSV, page }, cursor) : page(cursor, limit);
      },
    );

    app.get(
      '/v1/complaints/:id',
      {
        schema: {
          tags: ['complaints'],
          summary: 'A complaint with its routing, deadlines, history and duplicates',
          description: 'Reporter fields are returned only to intake and admin keys, and every such read is recorded (GET /v1/admin/pii-reads).',
          params: IdParam,
          response: { 200: ComplaintDetail, ...problems(401, 404) },
        },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => {
          const row = getComplaint(tx, req.params.id);
          if (!row || !canSee(tx, req.principal, row)) throw notFound('complaint', req.params.id);
          return detailView(tx, deps, req.principal, row, 'GET /v1/complaints/{id}');
        });
        return reply.header('etag', etagOf(view.version)).header('cache-control', 'no-store').send(view);
      },
    );

    /** A lifecycle action: the service runs it in one transaction; the answer is the summary. */
    const action = <B extends TObject>(
      path: string,
      roles: readonly Role[],
      summary: string,
      body: B | undefined,
      run: (c: ActionCtx, body: Static<B>) => ComplaintRow,
      extra: number[] = [],
    ) =>
      actionRoute(app, {
        url: `/v1/complaints/:id/${path}`,
        tags: ['complaints'],
        summary,
        roles,
        body,
        response: ComplaintSummary,
        problems: extra,
        run: (a) => summarise(run({ deps, principal: a.principal, id: a.id, expected: a.expected }, a.body)),
      });

    action('accept', CENTER, 'Accept (received → accepted); starts the reply deadline and routing', undefined, (c) => accept(c));
    action(
      'reject',
      CENTER,
      'Do not accept (received → not_accepted), with the reason the reporter is told',
      Type.Object({ reason: Reason('Why, and where the reporter can turn instead') }, { additionalProperties: false }),
      (c, b) => reject(c, b.reason),
    );
    action(
      'transfer',
      CENTER,
      'Transfer to a non-environmental department (received → transferred)',
      Type.Object(
        {
          department: Type.String({ minLength: 1, maxLength: 200, description: 'The competent department, e.g. 住房和城乡建设局' }),
          reason: Reason('Why it is outside environmental jurisdiction'),
        },
        { additionalProperties: false },
      ),
      (c, b) => transfer(c, b.department, b.reason),
    );
    action(
      'extend',
      ['intake', 'admin', 'supervisor'],
      'Extend the reply deadline once, with a reason (≤ COMPLAINT_EXTENSION_MAX_DAYS; a second extension → 409, longer → 422)',
      Type.Object(
        {
          days: Type.Integer({ minimum: 1, maximum: 365, description: 'Days added to the reply deadline; more than the legal maximum → 422' }),
          reason: Reason('Why (told to the reporter)'),
        },
        { additionalProperties: false },
      ),
      (c, b) => extend(c, b.days, b.reason),
      [422],
    );
    action('start', HANDLERS, 'Mark work started (routed → in_progress); also happens when the lead assignment is claimed', undefined, (c) => start(c));
    action(
      'reply',
      HANDLERS,
      'Reply to the reporter (accepted | routed | in_progress → replied); every open duplicate gets the same reply',
      Type.Object({ text: Type.String({ minLength: 1, maxLength: 5000, description: 'The answer the reporter receives' }) }, { additionalProperties: false }),
      (c, b) => replyTo(c, b.text),
    );
    action(
      'feedback',
      CENTER,
      "Record the reporter's feedback on the reply: satisfied → closed; not satisfied → stays replied with the feedback recorded, so a review (复查) can be requested until reviewRequestableUntil (it closes by itself then if none is)",
      Type.Object(
        {
          satisfied: Type.Boolean({ description: 'Whether the reporter is satisfied with the answer' }),
          comment: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
        },
        { additionalProperties: false },
      ),
      (c, b) => feedback(c, b.satisfied, b.comment),
    );
    action('close', CENTER, 'Close a replied complaint without feedback (it also closes by itself COMPLAINT_AUTO_CLOSE_DAYS after the reply)', undefined, (c) =>
      closeManually(c),
    );
    action('unlink', CENTER, 'Unlink a duplicate from its master; an accepted one is then routed on its own', undefined, (c) => unlink(c));
    action(
      'merge',
      CENTER,
      'Merge into another open complaint: this one (and its duplicates) become its duplicates',
      Type.Object(
        { into: Type.String({ minLength: 1, maxLength: 64, description: 'The complaint to merge into (or any duplicate of it)' }) },
        { additionalProperties: false },
      ),
      (c, b) => merge(c, b.into),
      [422],
    );

    action(
      'review-request',
      CENTER,
      'Take down the reporter’s request for review (复查) of the reply, or re-review (复核) of the review opinion, by the agency one level above (信访工作条例 arts. 35–36)',
      Type.Object({ reason: Reason('What the reporter does not accept in the answer, e.g. 烟囱仍在冒黑烟，处理结果不属实') }, { additionalProperties: false }),
      (c, b) => requestReview(c, b.reason),
    );
    action(
      'review-opinion',
      HANDLERS,
      'The reviewing agency’s opinion (under_review → reviewed after 复查; → closed, final, after 复核); only its supervisors or those above it (403 review-opinion:reviewing-agency), intake and admin',
      Type.Object(
        {
          text: Type.String({ minLength: 1, maxLength: 5000, description: 'The opinion the reporter receives, e.g. 经复查，原处理意见事实清楚，予以维持。' }),
          outcome: Type.Enum(['upheld', 'revised'] as const, { description: 'upheld: the answer stands (维持); revised: it is changed (变更)' }),
        },
        { additionalProperties: false },
      ),
      (c, b) => giveReviewOpinion(c, b.text, b.outcome),
    );
    action(
      'reopen',
      CENTER,
      'Reopen a closed complaint within 30 days of its closing, with a reason (closed → accepted, new reply deadline, routed again); not after a review (409)',
      Type.Object({ reason: Reason('Why it is reopened, e.g. 举报人反映问题仍未解决') }, { additionalProperties: false }),
      (c, b) => reopen(c, b.reason),
    );

    app.patch(
      '/v1/complaints/:id',
      {
        config: { roles: CENTER },
        schema: {
          tags: ['complaints'],
          summary: 'Correct an open complaint: category, location, address, adminCode, urgency (If-Match required)',
          description:
            'Intake and admin only, while the complaint is open (received, accepted, routed, in_progress; else 409 complaint-not-open). If-Match is required (428 without it, 412 when stale). Only changed fields are written; `complaint.updated` names them (never their values). When the resolved owner (lead agency or team) of a routed complaint changes, its open assignments are superseded and it is routed again in the same request (an in_progress one goes back to routed).',
          params: IdParam,
          headers: IfMatchHeaders,
          body: CorrectionBody,
          response: { 200: withEtag(ComplaintSummary), ...problems(400, 401, 403, 404, 409, 412, 428) },
        },
      },
      async (req, reply) => {
        const row = correct({ deps, principal: req.principal, id: req.params.id, expected: parseIfMatch(req.headers['if-match']) }, req.body);
        return reply.header('etag', etagOf(row.version)).send(summarise(row));
      },
    );

    app.get(
      '/v1/admin/pii-reads',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['complaints'],
          summary: 'Audit: every read of reporter fields (who, when, which complaint), newest first',
          querystring: Type.Object({
            complaintId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            keyId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            ...PageQuery,
          }),
          response: { 200: Page(PiiRead), ...problems(400, 401, 403) },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const after = decodeCursor(req.query.cursor, isCreatedCursor);
        const rows = listPiiReads(deps.db, req.query, limit + 1, after);
        return pageOf(
          rows,
          limit,
          (r) => ({ c: r.at, i: r.id }),
          (r) => r,
        );
      },
    );
  };
