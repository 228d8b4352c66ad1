import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { problems } from '../http/problem.js';
import { fieldError } from '../http/problem.js';
import { pageOrCsv, sendCsv, wantsCsv } from '../http/csv.js';
import { CASE_CSV, CASE_CSV_EXAMPLE } from './views.js';
import { Page, PageQuery, decodeCursor, encodeCursor, pageOf } from '../http/pagination.js';
import { IdempotencyHeaders, createOnce, idempotent, sendIdempotent } from '../http/idempotency.js';
import { IfMatchHeaders, etagOf, parseIfMatch, withEtag } from '../http/versioning.js';
import { actionRoute } from '../http/actions.js';
import {
  CaseListSchema,
  CaseQuery,
  CreateCaseBody,
  CreateMeasureBody,
  CreateSourceBody,
  EvidenceBody,
  ExtendCaseBody,
  ExtendMeasureBody,
  LiftMeasureBody,
  MeasureSchema,
  NoteBody,
  PatchCaseBody,
  PatchSourceBody,
  SourceQuery,
  SourceSchema,
  TimelineEntrySchema,
  TransitionBody,
  VerifySchema,
} from './schemas.js';
import { createSource, getSourceOr404, isSourceCursor, listSources, patchSource, publicSource } from './sources.js';
import {
  addEvidence,
  addMeasure,
  addNote,
  caseView,
  listMeasures,
  extendCase,
  extendCaseMeasure,
  liftCaseMeasure,
  patchCase,
  registerCase,
  transitionCase,
} from './service.js';
import { publicMeasure } from './measures.js';
import { searchCases, syncCases } from './search.js';
import { assertCaseRoutes, loadCase, scopeOf } from './visibility.js';
import { timelinePage, verifyTimeline, type TimelineRow } from './timeline.js';

const CaseRef = Type.Ref('Case');
const CaseParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Case id' }) });
const MeasureParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'Case id' }),
  mid: Type.String({ minLength: 1, maxLength: 64, description: 'Measure id' }),
});
const SourceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Source id' }) });
const OptionalIfMatch = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 200, description: 'Optional ETag of the case: when sent and stale, 412 and nothing changes' })),
});
const CreateHeaders = Type.Object({ ...IdempotencyHeaders.properties });

const CASE_ROLES_NOTE =
  'Visible cases only (lead agency, its ancestors and subtree; co-handling and cross-filed agencies and those above them; admin and intake all); others get 404. Partners get 404 on every case route.';

const timelineView = (r: TimelineRow) => ({
  seq: r.seq,
  kind: r.kind,
  at: r.at,
  actor: r.actor,
  actorAgencyCode: r.actorAgencyCode,
  data: r.data,
  prevHash: r.prevHash,
  hash: r.hash,
});
const isSeqCursor = (v: any): v is { s: number } => v && typeof v === 'object' && Number.isSafeInteger(v.s);

export const sourceRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const TAGS = ['sources'];
    app.post(
      '/v1/sources',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Register a pollution source (污染源档案)',
          description:
            'The credit code must pass the GB 32100-2015 check character (400 naming body/creditCode otherwise) and be unique (409). A failing inner GB 11714 organisation-code check is accepted with a `warnings` entry. `gridId` is resolved from the location when absent. Supervisors and inspectors register sources of their agency or agencies below it.',
          headers: CreateHeaders,
          body: CreateSourceBody,
          response: { 201: withEtag(SourceSchema), ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = idempotent(
          deps.db,
          deps.clock,
          { keyId: req.principal.keyId, route: 'POST /v1/sources', key: req.headers['idempotency-key'], body: req.body },
          (tx) => {
            const { row, warnings } = createSource(tx, deps, req.principal, req.body);
            return { status: 201, body: publicSource(row, warnings), location: `/v1/sources/${row.id}` };
          },
        );
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/sources',
      {
        config: { roles: ['admin', 'intake', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Search pollution sources',
          description: 'By name (contains), credit code, agency (with the agencies below it) and grid; ordered by name.',
          querystring: SourceQuery,
          response: { 200: Page(SourceSchema, 'A page of pollution sources'), ...problems(400, 401, 403, 404) },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 50;
        const after = decodeCursor(req.query.cursor, isSourceCursor);
        const rows = listSources(deps.db, req.query, limit + 1, after);
        const more = rows.length > limit;
        const kept = more ? rows.slice(0, limit) : rows;
        const last = kept[kept.length - 1];
        return { items: kept.map((r) => publicSource(r)), nextCursor: more ? encodeCursor({ n: last.name, i: last.id }) : null };
      },
    );

    app.get(
      '/v1/sources/:id',
      {
        config: { roles: ['admin', 'intake', 'supervisor', 'inspector'] },
        schema: { tags: TAGS, summary: 'Get a pollution source', params: SourceParams, response: { 200: withEtag(SourceSchema), ...problems(401, 403, 404) } },
      },
      async (req, reply) => {
        const s = getSourceOr404(deps.db, req.params.id);
        return reply.header('etag', etagOf(s.version)).send(publicSource(s));
      },
    );

    app.patch(
      '/v1/sources/:id',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Change a pollution source',
          description: 'Requires If-Match with the current ETag (428 without, 412 when stale, with the current version in the problem).',
          params: SourceParams,
          headers: IfMatchHeaders,
          body: PatchSourceBody,
          response: { 200: withEtag(SourceSchema), ...problems(400, 401, 403, 404, 409, 412, 428) },
        },
      },
      async (req, reply) => {
        const { row, warnings } = inTx(deps.db, (tx) => patchSource(tx, deps, req.principal, req.params.id, parseIfMatch(req.headers['if-match']), req.body));
        return reply.header('etag', etagOf(row.version)).send(publicSource(row, warnings));
      },
    );

    app.get(
      '/v1/sources/:id/cases',
      {
        config: { roles: ['admin', 'intake', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Case history of a pollution source',
          description: 'The cases of this source that the caller may see, newest registration first.',
          params: SourceParams,
          querystring: Type.Object(PageQuery),
          response: { 200: Page(CaseRef, 'A page of cases'), ...problems(400, 401, 403, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          getSourceOr404(tx, req.params.id);
          return searchCases(tx, scopeOf(tx, req.principal), { sourceId: req.params.id, limit: req.query.limit, cursor: req.query.cursor });
        }),
    );
  };

export const caseRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const TAGS = ['cases'];

    app.post(
      '/v1/cases',
      {
        schema: {
          tags: TAGS,
          summary: 'Register a case (立案)',
          description:
            'Inspectors and supervisors register cases for their agency or an agency below it; admins for any. Unknown agency, source or complaint → 404 naming which. A place on or near the other side’s ground, or a source of the other side, adds a co-handling agency of that side automatically. The decision deadline (CASE_DECISION_DAYS) starts now; the case is routed to a team of the lead agency.',
          headers: CreateHeaders,
          body: CreateCaseBody,
          response: { 201: withEtag(CaseRef), ...problems(400, 401, 403, 404, 422) },
        },
      },
      async (req, reply) => {
        const r = idempotent(
          deps.db,
          deps.clock,
          { keyId: req.principal.keyId, route: 'POST /v1/cases', key: req.headers['idempotency-key'], body: req.body },
          (tx) => {
            const row = registerCase(tx, deps, req.principal, req.body);
            return { status: 201, body: caseView(tx, row), location: `/v1/cases/${row.id}` };
          },
        );
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/cases',
      {
        schema: {
          tags: TAGS,
          summary: 'Search cases, or sync changes since a cursor',
          description: `${CASE_ROLES_NOTE}\n\nSearch: filters combine with AND; newest first by registration (default) or update time; keyset pages.\n\nSync (\`updatedSince\`): every case you may see that changed after the cursor, once, at its latest state, in change order, plus \`{ id, deleted: true }\` tombstones for cases that left your view (e.g. transferred away). Keep calling with the returned \`nextCursor\` while \`hasMore\`; store the last one for next time. The cursor never skips or repeats a change, even with concurrent writes.`,
          querystring: CaseQuery,
          response: { 200: pageOrCsv(CaseListSchema, CASE_CSV_EXAMPLE), ...problems(400, 401, 404) },
        },
      },
      async (req, reply) => {
        if (req.query.updatedSince !== undefined) {
          if (wantsCsv(req)) throw fieldError('querystring/format', 'CSV exports a search, not a sync (leave out updatedSince)');
          return inTx(deps.db, (tx) => {
            const scope = scopeOf(tx, req.principal);
            assertCaseRoutes(scope);
            return syncCases(tx, scope, req.query);
          });
        }
        const page = (cursor: string | undefined, limit: number) =>
          inTx(deps.db, (tx) => {
            const scope = scopeOf(tx, req.principal);
            assertCaseRoutes(scope);
            return searchCases(tx, scope, { ...req.query, cursor, limit });
          });
        return wantsCsv(req) ? sendCsv(reply, { filename: 'cases', columns: CASE_CSV, page }, req.query.cursor) : page(req.query.cursor, req.query.limit ?? 50);
      },
    );

    app.get(
      '/v1/cases/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Get a case',
          description: CASE_ROLES_NOTE,
          params: CaseParams,
          response: { 200: withEtag(CaseRef), ...problems(401, 404) },
        },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => caseView(tx, loadCase(tx, scopeOf(tx, req.principal), req.params.id)));
        return reply.header('etag', etagOf(view.version)).send(view);
      },
    );

    app.patch(
      '/v1/cases/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Change a case’s details',
          description:
            'The lead agency (or one above it) and admins. Requires If-Match with the current ETag (428 without, 412 when stale, with the current version in the problem). Status changes go through /transitions.',
          params: CaseParams,
          headers: IfMatchHeaders,
          body: PatchCaseBody,
          response: { 200: withEtag(CaseRef), ...problems(400, 401, 403, 404, 409, 412, 428) },
        },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => caseView(tx, patchCase(tx, deps, req.principal, req.params.id, parseIfMatch(req.headers['if-match']), req.body)));
        return reply.header('etag', etagOf(view.version)).send(view);
      },
    );

    actionRoute(app, {
      url: '/v1/cases/:id/transitions',
      tags: TAGS,
      summary: 'Change a case’s status',
      description:
        'registered → investigating → pending_decision → decided → executing → closed; suspended (reason; from investigating, pending_decision, executing; back to where it was); withdrawn (reason; not after decided); transferred (reason, toAgencyCode; before decided). An illegal transition is 409 with `allowed`.',
      params: CaseParams,
      body: TransitionBody,
      response: CaseRef,
      run: (a) => inTx(deps.db, (tx) => caseView(tx, transitionCase(tx, deps, a.principal, a.id, a.expected, a.body))),
    });

    actionRoute(app, {
      url: '/v1/cases/:id/extend',
      tags: TAGS,
      summary: 'Extend the decision deadline',
      description:
        'First extension CASE_EXTENSION_DAYS (30) with the agency head’s approval; a second, CASE_SECOND_EXTENSION_DAYS (30), only by collective decision (`collective: true`); no third (422). Only before the decision and before the deadline passes.',
      params: CaseParams,
      body: ExtendCaseBody,
      response: CaseRef,
      problems: [422],
      run: (a) => inTx(deps.db, (tx) => caseView(tx, extendCase(tx, deps, a.principal, a.id, a.expected, a.body))),
    });

    app.get(
      '/v1/cases/:id/measures',
      {
        schema: {
          tags: TAGS,
          summary: 'List a case’s measures',
          description: CASE_ROLES_NOTE,
          params: CaseParams,
          response: { 200: Type.Object({ items: Type.Array(MeasureSchema) }), ...problems(401, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          loadCase(tx, scopeOf(tx, req.principal), req.params.id);
          return { items: listMeasures(tx, req.params.id).map(publicMeasure) };
        }),
    );

    app.post(
      '/v1/cases/:id/measures',
      {
        schema: {
          tags: TAGS,
          summary: 'Add a measure (fine, daily penalty, seal/seizure, …)',
          description:
            'Legal limits (422 with `rule` and `limit`): daily penalty re-inspection within 30 days of service (days and total are computed: sending them is 400); seal/seizure ≤ 30 days; production restriction ≤ 3 months; police-transfer materials within 24 h of the decision; listed supervision by an agency above the lead. Production suspension computes the rectification-plan due date (15 working days).',
          params: CaseParams,
          headers: Type.Object({ ...OptionalIfMatch.properties, ...IdempotencyHeaders.properties }),
          body: CreateMeasureBody,
          response: { 201: MeasureSchema, ...problems(400, 401, 403, 404, 409, 412, 422) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const m = addMeasure(tx, deps, req.principal, req.params.id, parseIfMatch(req.headers['if-match']), req.body);
          return { status: 201, body: publicMeasure(m), location: `/v1/cases/${req.params.id}/measures/${m.id}` };
        });
        return sendIdempotent(reply, r);
      },
    );

    app.post(
      '/v1/cases/:id/measures/:mid/extend',
      {
        schema: {
          tags: TAGS,
          summary: 'Extend a seal/seizure or production restriction (once)',
          description: 'Seal/seizure: once, ≤ 30 days more. Production restriction: once, ≤ 3 months more. Beyond → 422.',
          params: MeasureParams,
          body: ExtendMeasureBody,
          response: { 200: MeasureSchema, ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req) => publicMeasure(inTx(deps.db, (tx) => extendCaseMeasure(tx, deps, req.principal, req.params.id, req.params.mid, req.body))),
    );

    app.post(
      '/v1/cases/:id/measures/:mid/lift',
      {
        schema: {
          tags: TAGS,
          summary: 'Lift a measure (seal/seizure, restriction, suspension, listed supervision)',
          params: MeasureParams,
          body: LiftMeasureBody,
          response: { 200: MeasureSchema, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req) => publicMeasure(inTx(deps.db, (tx) => liftCaseMeasure(tx, deps, req.principal, req.params.id, req.params.mid, req.body.reason))),
    );

    app.get(
      '/v1/cases/:id/timeline',
      {
        schema: {
          tags: TAGS,
          summary: 'A case’s timeline (append-only, hash-chained)',
          description: `${CASE_ROLES_NOTE} Oldest first.`,
          params: CaseParams,
          querystring: Type.Object(PageQuery),
          response: { 200: Page(TimelineEntrySchema, 'A page of timeline entries'), ...problems(400, 401, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          loadCase(tx, scopeOf(tx, req.principal), req.params.id);
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isSeqCursor);
          const rows = timelinePage(tx, req.params.id, after?.s ?? 0, limit + 1);
          return pageOf(rows, limit, (r) => ({ s: r.seq }), timelineView);
        }),
    );

    app.get(
      '/v1/cases/:id/timeline/verify',
      {
        schema: {
          tags: TAGS,
          summary: 'Verify the timeline’s hash chain',
          description: 'Recomputes every hash from the first entry; reports the first entry whose link or content does not check out.',
          params: CaseParams,
          response: { 200: VerifySchema, ...problems(401, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          loadCase(tx, scopeOf(tx, req.principal), req.params.id);
          return verifyTimeline(tx, req.params.id);
        }),
    );

    app.post(
      '/v1/cases/:id/notes',
      {
        schema: {
          tags: TAGS,
          summary: 'Add a note to the timeline',
          description: 'Lead and co-handling agencies (and those above them), admins.',
          params: CaseParams,
          headers: IdempotencyHeaders,
          body: NoteBody,
          response: { 201: TimelineEntrySchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (req, reply) =>
        sendIdempotent(
          reply,
          createOnce(deps, req, (tx) => ({ status: 201, body: timelineView(addNote(tx, deps, req.principal, req.params.id, req.body.text)) })),
        ),
    );

    app.post(
      '/v1/cases/:id/evidence',
      {
        schema: {
          tags: TAGS,
          summary: 'Record evidence (metadata only) on the timeline',
          description: 'The file lives elsewhere; its sha256 ties it to this record. Lead and co-handling agencies (and those above them), admins.',
          params: CaseParams,
          headers: IdempotencyHeaders,
          body: EvidenceBody,
          response: { 201: TimelineEntrySchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (req, reply) =>
        sendIdempotent(
          reply,
          createOnce(deps, req, (tx) => ({ status: 201, body: timelineView(addEvidence(tx, deps, req.principal, req.params.id, req.body)) })),
        ),
    );
  };
