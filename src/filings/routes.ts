import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { notFound, problems } from '../http/problem.js';
import { pageOrCsv, sendCsv, wantsCsv } from '../http/csv.js';
import { FILING_CSV, FILING_CSV_EXAMPLE } from './views.js';
import { Page, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { IdempotencyHeaders, createOnce, idempotent, sendIdempotent } from '../http/idempotency.js';
import {
  CaseParams,
  CommentBody,
  CommentSchema,
  FilingParams,
  FilingQuery,
  FilingSchema,
  InboxItemSchema,
  InboxQuery,
  ItemParams,
  ManualFilingBody,
  RequestInfoBody,
} from './schemas.js';
import {
  acknowledgeFiling,
  addComment,
  commentsByFiling,
  commentsOf,
  fileManually,
  listFilings,
  loadFiling,
  publicComment,
  publicFiling,
  requestInfo,
} from './service.js';
import { getInboxItem, listInbox, markRead, publicInboxItem } from './inbox.js';

const FilingRef = Type.Ref('Filing');
const CommentRef = Type.Ref('FilingComment');
const ItemRef = Type.Ref('InboxItem');
const TAGS = ['filings'];
const INBOX_TAGS = ['inbox'];

export const filingRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(CommentSchema);
    app.addSchema(FilingSchema);
    app.addSchema(InboxItemSchema);

    app.post(
      '/v1/cases/:id/filings',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'File a case with an agency of the other side (manual 互相备案)',
          description:
            'Filings are made automatically when a case near or on the other side’s ground (or with a source or co-handling agency of the other side) is registered, decided, closed or gets a measure of weight; this asks for one by hand. The caller must see the case (404 otherwise); the filing agency is the caller’s agency (the lead agency for admins). Unknown agency → 404; an agency on the same side → 422 (same-side transfers are case transfers); the same case version filed twice with one agency → 409. The receiving agency gets read access to the case, an inbox item, and FILING_ACK_DAYS to acknowledge.',
          params: CaseParams,
          headers: IdempotencyHeaders,
          body: ManualFilingBody,
          response: { 201: FilingRef, ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = idempotent(
          deps.db,
          deps.clock,
          { keyId: req.principal.keyId, route: `POST /v1/cases/${req.params.id}/filings`, key: req.headers['idempotency-key'], body: req.body },
          (tx) => {
            const f = fileManually(tx, deps, req.principal, req.params.id, req.body);
            return { status: 201, body: publicFiling(f, []), location: `/v1/filings/${f.id}` };
          },
        );
        return sendIdempotent(reply, r);
      },
    );

    app.get(
      '/v1/filings',
      {
        config: { roles: ['admin', 'supervisor', 'partner'] },
        schema: {
          tags: TAGS,
          summary:
            'List filings (supervisors: their agency subtree as filing or receiving agency; partners with the filings scope: their audience; admins: all)',
          description: 'Newest first; keyset pages; each filing with its comments.',
          querystring: FilingQuery,
          response: { 200: pageOrCsv(Page(FilingRef, 'A page of filings'), FILING_CSV_EXAMPLE), ...problems(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const page = (cursor: string | undefined, limit: number) =>
          inTx(deps.db, (tx) => {
            const after = decodeCursor(cursor, isCreatedCursor);
            const rows = listFilings(tx, req.principal, { ...req.query, limit: limit + 1, after });
            const comments = commentsByFiling(
              tx,
              rows.slice(0, limit).map((f) => f.id),
            );
            return pageOf(
              rows,
              limit,
              (f) => ({ c: f.createdAt, i: f.id }),
              (f) => publicFiling(f, comments.get(f.id) ?? []),
            );
          });
        return wantsCsv(req)
          ? sendCsv(reply, { filename: 'filings', columns: FILING_CSV, page }, req.query.cursor)
          : page(req.query.cursor, req.query.limit ?? 50);
      },
    );

    app.get(
      '/v1/filings/:id',
      {
        config: { roles: ['admin', 'supervisor', 'inspector', 'partner'] },
        schema: {
          tags: TAGS,
          summary: 'Get a filing with its comments',
          description:
            'Admins; supervisors whose agency subtree holds the filing or the receiving agency; inspectors of either agency; partner keys with the `filings` scope, the filings of their audience (side, agency subtree, all). Others get 404.',
          params: FilingParams,
          response: { 200: FilingRef, ...problems(401, 403, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const f = loadFiling(tx, req.principal, req.params.id);
          return publicFiling(f, commentsOf(tx, f.id));
        }),
    );

    app.post(
      '/v1/filings/:id/acknowledge',
      {
        config: { roles: ['supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Acknowledge a filing (receiving agency only)',
          description:
            'Only supervisors and inspectors of the receiving agency: any other agency gets 404. Twice → 409. An overdue filing may still be acknowledged (late); its deadlines then do nothing more.',
          params: FilingParams,
          response: { 200: FilingRef, ...problems(401, 403, 404, 409) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const f = acknowledgeFiling(tx, deps, req.principal, req.params.id);
          return publicFiling(f, commentsOf(tx, f.id));
        }),
    );

    app.post(
      '/v1/filings/:id/comments',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Comment on a filing (or answer an information request)',
          description:
            'Anyone who sees the filing. Text up to 2,000 characters (longer → 400). With `answers`, the filing agency (or one above it) answers an information request: the question is marked answered and the asking agency gets a notification in its inbox; answering twice → 409.',
          params: FilingParams,
          headers: IdempotencyHeaders,
          body: CommentBody,
          response: { 201: CommentRef, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) =>
        sendIdempotent(
          reply,
          createOnce(deps, req, (tx) => ({ status: 201, body: publicComment(addComment(tx, deps, req.principal, req.params.id, req.body)) })),
        ),
    );

    app.post(
      '/v1/filings/:id/request-info',
      {
        config: { roles: ['supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Ask the filing agency for more information (receiving agency only)',
          description:
            'The question lands in the filing agency’s inbox (kind info_request, status open); it answers with POST /v1/filings/{id}/comments { text, answers: <question id> }. Others who see the filing get 403; others 404.',
          params: FilingParams,
          headers: IdempotencyHeaders,
          body: RequestInfoBody,
          response: { 201: CommentRef, ...problems(400, 401, 403, 404) },
        },
      },
      async (req, reply) =>
        sendIdempotent(
          reply,
          createOnce(deps, req, (tx) => ({ status: 201, body: publicComment(requestInfo(tx, deps, req.principal, req.params.id, req.body.question)) })),
        ),
    );

    app.get(
      '/v1/inbox',
      {
        config: { roles: ['supervisor', 'inspector'] },
        schema: {
          tags: INBOX_TAGS,
          summary: 'The caller’s agency inbox: filings received, notifications (通报), information requests',
          description: 'Newest first; keyset pages. Filter by kind, status and unread. Each item links to its subject.',
          querystring: InboxQuery,
          response: { 200: Page(ItemRef, 'A page of inbox items'), ...problems(400, 401, 403) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isCreatedCursor);
          const rows = listInbox(tx, req.principal.agencyCode!, {
            kind: req.query.kind,
            status: req.query.status,
            unread: req.query.unread,
            limit: limit + 1,
            after,
          });
          return pageOf(rows, limit, (r) => ({ c: r.createdAt, i: r.id }), publicInboxItem);
        }),
    );

    app.post(
      '/v1/inbox/:itemId/read',
      {
        config: { roles: ['supervisor', 'inspector'] },
        schema: {
          tags: INBOX_TAGS,
          summary: 'Mark an inbox item read',
          description: 'Items of the caller’s agency only (others 404). Reading again keeps the first read time.',
          params: ItemParams,
          response: { 200: ItemRef, ...problems(401, 403, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const item = getInboxItem(tx, req.params.itemId);
          if (!item || item.agencyCode !== req.principal.agencyCode) throw notFound('inbox item', req.params.itemId);
          return publicInboxItem(markRead(tx, deps.clock, item, req.principal.keyId));
        }),
    );
  };
