import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { notFound, problems, unprocessable } from '../http/problem.js';
import { Page, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { IdempotencyHeaders, createOnce, idempotent, sendIdempotent } from '../http/idempotency.js';
import { etagOf, IfMatchHeaders, parseIfMatch } from '../http/versioning.js';
import { withEtag } from '../http/versioning.js';
import {
  CommitmentBody,
  ConflictBody,
  ConflictSchema,
  CreateInspectorBody,
  CreateItemBody,
  CreatePlanBody,
  DrawRecordSchema,
  IdParams,
  InspectionQuery,
  InspectionSchema,
  InspectorQuery,
  InspectorSchema,
  ItemQuery,
  ItemSchema,
  PatchInspectorBody,
  PlanQuery,
  PlanSchema,
  PublicPlanSchema,
  PublicResultQuery,
  PublicResultSchema,
  RecordBody,
  RevealBody,
} from './schemas.js';
import {
  approveInspection,
  commit,
  conflictsOf,
  createInspector,
  createItem,
  createPlan,
  declareConflict,
  disclosureOf,
  drawRecord,
  getInspection,
  getInspectorFor,
  getPlanPublic,
  listInspections,
  listInspectors,
  listItems,
  listPlans,
  listPublishedResults,
  patchInspector,
  periodEnded,
  publicResults,
  recordInspection,
  reveal,
} from './service.js';
import { inspectionViews, inspectorView, itemView, planView, publicPlanView } from './views.js';
import { preferredLanguage } from '../domain/labels.js';
import { loadPlanFor, planAccess, type PlanRow } from './visibility.js';

const TAGS = ['inspections'];
const PUBLIC = ['public'];
const isIdCursor = (v: any): v is { i: string } => v && typeof v === 'object' && typeof v.i === 'string';

export const inspectionRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(ItemSchema);
    app.addSchema(InspectorSchema);
    app.addSchema(PlanSchema);
    app.addSchema(PublicPlanSchema);
    app.addSchema(DrawRecordSchema);
    app.addSchema(InspectionSchema);
    app.addSchema(PublicResultSchema);
    const ItemRef = Type.Ref('InspectionItem');
    const InspectorRef = Type.Ref('Inspector');
    const PlanRef = Type.Ref('InspectionPlan');
    const PublicPlanRef = Type.Ref('PublicInspectionPlan');
    const InspectionRef = Type.Ref('Inspection');

    // ------------------------------------------------------------------------- checklist
    app.post(
      '/v1/inspection-items',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Add a checklist item (检查事项, 一单)',
          description:
            'Admins and supervisors of the agency (or above). The item is usable by the agency and the agencies below it. Its code is unique per agency (409).',
          headers: IdempotencyHeaders,
          body: CreateItemBody,
          response: { 201: ItemRef, ...problems(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = idempotent(
          deps.db,
          deps.clock,
          { keyId: req.principal.keyId, route: 'POST /v1/inspection-items', key: req.headers['idempotency-key'], body: req.body },
          (tx) => {
            const row = createItem(tx, deps, req.principal, req.body);
            return { status: 201, body: itemView(row), location: `/v1/inspection-items/${row.id}` };
          },
        );
        return sendIdempotent(reply, r);
      },
    );

    app.get(
      '/v1/inspection-items',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'List checklist items',
          description: 'Items of the agency (default the caller’s), the agencies above it (usable by it) and below it. Ordered by id; keyset pages.',
          querystring: ItemQuery,
          response: { 200: Page(ItemRef, 'A page of checklist items'), ...problems(400, 401, 403, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isIdCursor);
          return pageOf(listItems(tx, req.principal, req.query.agencyCode, limit + 1, after?.i), limit, (r) => ({ i: r.id }), itemView);
        }),
    );

    // ---------------------------------------------------------------------------- roster
    const inspectorOut = (tx: Parameters<typeof conflictsOf>[0], row: Parameters<typeof inspectorView>[0]) =>
      inspectorView(row, conflictsOf(tx, [row.id]).get(row.id) ?? []);

    app.post(
      '/v1/inspectors',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Add an officer to the roster (执法人员名录库)',
          description:
            'Admins and supervisors of the officer’s agency (or above). The side follows the agency; the team must be of that agency (400). A certificate number already on the roster → 409. `keyId` links the officer’s inspector key: through it he sees his own inspection tasks.',
          headers: IdempotencyHeaders,
          body: CreateInspectorBody,
          response: { 201: withEtag(InspectorSchema), ...problems(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = idempotent(
          deps.db,
          deps.clock,
          { keyId: req.principal.keyId, route: 'POST /v1/inspectors', key: req.headers['idempotency-key'], body: req.body },
          (tx) => {
            const row = createInspector(tx, deps, req.principal, req.body);
            return { status: 201, body: inspectorOut(tx, row), location: `/v1/inspectors/${row.id}` };
          },
        );
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/inspectors',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'List the roster',
          description: 'Supervisors see the officers of their agency and those below it (another agency’s roster: an empty page); admins all. Ordered by id.',
          querystring: InspectorQuery,
          response: { 200: Page(InspectorRef, 'A page of officers'), ...problems(400, 401, 403, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isIdCursor);
          const rows = listInspectors(tx, req.principal, req.query, limit + 1, after?.i);
          const cs = conflictsOf(
            tx,
            rows.map((r) => r.id),
          );
          return pageOf(
            rows,
            limit,
            (r) => ({ i: r.id }),
            (r) => inspectorView(r, cs.get(r.id) ?? []),
          );
        }),
    );

    app.get(
      '/v1/inspectors/:id',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Get an officer',
          description: 'His agency’s supervisors (and those above) and admins; others 404.',
          params: IdParams,
          response: { 200: withEtag(InspectorSchema), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const body = inTx(deps.db, (tx) => inspectorOut(tx, getInspectorFor(tx, req.principal, req.params.id)));
        return reply.header('etag', etagOf(body.version)).send(body);
      },
    );

    app.patch(
      '/v1/inspectors/:id',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Change an officer (certificate, team, active…)',
          description: 'Requires If-Match with the current ETag (428 without, 412 when stale). A change applies to plans whose pools freeze afterwards.',
          params: IdParams,
          headers: IfMatchHeaders,
          body: PatchInspectorBody,
          response: { 200: withEtag(InspectorSchema), ...problems(400, 401, 403, 404, 409, 412, 428) },
        },
      },
      async (req, reply) => {
        const body = inTx(deps.db, (tx) =>
          inspectorOut(tx, patchInspector(tx, deps, req.principal, req.params.id, parseIfMatch(req.headers['if-match']), req.body)),
        );
        return reply.header('etag', etagOf(body.version)).send(body);
      },
    );

    app.post(
      '/v1/inspectors/:id/conflicts',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Declare a conflict of interest (回避)',
          description:
            'The officer himself (his inspector key) or his agency’s supervisors. The officer is never drawn for that source. Twice for one source → 409.',
          params: IdParams,
          headers: IdempotencyHeaders,
          body: ConflictBody,
          response: { 201: ConflictSchema, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const c = declareConflict(tx, deps, req.principal, req.params.id, req.body);
          return { status: 201, body: { id: c.id, sourceId: c.sourceId, reason: c.reason, createdAt: c.createdAt } };
        });
        return sendIdempotent(reply, r);
      },
    );

    // ----------------------------------------------------------------------------- plans
    app.post(
      '/v1/inspection-plans',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Create a random-inspection plan (抽查计划)',
          description:
            'Supervisors of the plan agency. Ratios are fractions in [0, 1] of each class’s pool (rounded up); inspectorsPerTarget ≥ 2 (行政处罚法 art. 42). `parties` contribute randomness: the plan agency and at least one other — the other side’s agency of the same level for cross/joint, a supervising agency for same_side. The plan starts `committing`; the draw runs when the last party reveals.',
          headers: IdempotencyHeaders,
          body: CreatePlanBody,
          response: { 201: PlanRef, ...problems(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = idempotent(
          deps.db,
          deps.clock,
          { keyId: req.principal.keyId, route: 'POST /v1/inspection-plans', key: req.headers['idempotency-key'], body: req.body },
          (tx) => {
            const row = createPlan(tx, deps, req.principal, req.body);
            return { status: 201, body: planView(tx, row, 'full'), location: `/v1/inspection-plans/${row.id}` };
          },
        );
        return sendIdempotent(reply, r);
      },
    );

    app.get(
      '/v1/inspection-plans',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'List plans (supervisors: their agency’s and those it is a party of)',
          description: 'Newest first; keyset pages. The drawn list only on the plan agency’s own plans.',
          querystring: PlanQuery,
          response: { 200: Page(PlanRef, 'A page of plans'), ...problems(400, 401, 403) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isCreatedCursor);
          const rows = listPlans(tx, req.principal, req.query, limit + 1, after);
          return pageOf(
            rows,
            limit,
            (r) => ({ c: r.createdAt, i: r.id }),
            (r) => planView(tx, r, planAccess(req.principal, r) === 'full' ? 'full' : 'party'),
          );
        }),
    );

    app.get(
      '/v1/inspection-plans/:id',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Get a plan: its state and, for the plan agency’s supervisors and admins, the draw',
          description: 'Plan agency supervisors and admins see the drawn list; supervisors of party agencies see the state and commitments; others 404.',
          params: IdParams,
          response: { 200: PlanRef, ...problems(401, 403, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const { plan, access } = loadPlanFor(tx, req.principal, req.params.id);
          return planView(tx, plan, access);
        }),
    );

    app.post(
      '/v1/inspection-plans/:id/commitments',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'A party commits to its secret: hex SHA-256 of 32 random bytes',
          description:
            'A supervisor of the party agency. Not a party → 403; a second commitment by the same party, or any after the draw → 409. When every party has committed the pools are frozen (their hash recorded) and the plan is `revealing`.',
          params: IdParams,
          body: CommitmentBody,
          response: { 200: PlanRef, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const plan = commit(tx, deps, req.principal, req.params.id, req.body);
          return planView(tx, plan, planAccess(req.principal, plan) === 'full' ? 'full' : 'party');
        }),
    );

    app.post(
      '/v1/inspection-plans/:id/reveals',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'A party reveals its secret; the last reveal runs the draw',
          description:
            'The 32 bytes as 64 lowercase hex characters, checked against the party’s commitment (mismatch → 409, nothing changes). Not a party → 403; a second reveal, a reveal before every party committed, or any after the draw → 409. The last reveal computes the seed (SHA-256 of the secrets in party order) and draws at once; when the draw cannot be satisfied the plan is left `failed` and this answers 422 naming the constraint.',
          params: IdParams,
          body: RevealBody,
          response: { 200: PlanRef, ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req, reply) => {
        const out = inTx(deps.db, (tx) => {
          const r = reveal(tx, deps, req.principal, req.params.id, req.body);
          return { ...r, view: planView(tx, r.plan, planAccess(req.principal, r.plan) === 'full' ? 'full' : 'party') };
        });
        if (out.failure) {
          const full = planAccess(req.principal, out.plan) === 'full';
          const p = unprocessable('draw-unsatisfiable', full ? out.failure.detail : `The draw could not be satisfied: constraint ${out.failure.constraint}.`, {
            constraint: out.failure.constraint,
            planId: out.plan.id,
            planStatus: 'failed',
          });
          return (reply as unknown as FastifyReply).status(422).type('application/problem+json').send(p.body(req.id));
        }
        return out.view;
      },
    );

    // ----------------------------------------------------------------------- inspections
    const withPlans = (tx: Parameters<typeof getPlanPublic>[0], ids: string[]) =>
      new Map([...new Set(ids)].map((id) => [id, getPlanPublic(tx, id)] as [string, PlanRow]));

    app.get(
      '/v1/inspections',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Inspection tasks: an officer’s own (from the period’s start); a plan agency supervisor’s plans’',
          description:
            'Inspectors see only inspections they were drawn for, once the period has started (through their roster entry’s keyId). Oldest first; keyset pages.',
          querystring: InspectionQuery,
          response: { 200: Page(InspectionRef, 'A page of inspections'), ...problems(400, 401, 403) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isCreatedCursor);
          const rows = listInspections(tx, deps, req.principal, req.query, limit + 1, after);
          const kept = rows.slice(0, limit);
          const views = inspectionViews(
            tx,
            kept,
            withPlans(
              tx,
              kept.map((r) => r.planId),
            ),
          );
          const page = pageOf(
            rows,
            limit,
            (r) => ({ c: r.createdAt, i: r.id }),
            (r) => r.id,
          );
          return { items: views, nextCursor: page.nextCursor };
        }),
    );

    app.get(
      '/v1/inspections/:id',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Get an inspection',
          description:
            'The plan agency’s supervisors and admins; its drawn officers from the period’s start. Everyone else 404 (until published: then see GET /v1/public/inspection-results).',
          params: IdParams,
          response: { 200: InspectionRef, ...problems(401, 403, 404) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const { i, plan } = getInspection(tx, deps, req.principal, req.params.id);
          return inspectionViews(tx, [i], new Map([[plan.id, plan]]))[0];
        }),
    );

    app.post(
      '/v1/inspections/:id/record',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Record an inspection: results per checklist item, officers present, outcome',
          description:
            'A drawn officer (or the plan agency’s supervisors). Officers present: ≥ 2, all drawn for it (an officer not drawn → 403). One result per plan item (an item not in the plan → 400). outcome `rectify` needs `rectification`; `case` registers a case (origin inspection, led by the source’s supervising agency) in the same transaction. The result must then be published within INSPECTION_PUBLICATION_WORKING_DAYS working days (default 20) of the inspection date.',
          params: IdParams,
          body: RecordBody,
          response: { 200: InspectionRef, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const row = recordInspection(tx, deps, req.principal, req.params.id, req.body);
          return inspectionViews(tx, [row], withPlans(tx, [row.planId]))[0];
        }),
    );

    app.post(
      '/v1/inspections/:id/approve',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Approve a recorded result for publication (一公开)',
          description: 'Supervisors of the plan agency. The result then appears in GET /v1/public/inspection-results. Twice → 409; not yet recorded → 409.',
          params: IdParams,
          response: { 200: InspectionRef, ...problems(401, 403, 404, 409) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const row = approveInspection(tx, deps, req.principal, req.params.id);
          return inspectionViews(tx, [row], withPlans(tx, [row.planId]))[0];
        }),
    );

    // ---------------------------------------------------------------------------- public
    app.get(
      '/v1/public/inspection-plans',
      {
        config: { public: true },
        schema: {
          tags: PUBLIC,
          summary: 'Published random-inspection plans (no key)',
          description:
            'Every plan with its ratios, parties, commitments, pool hash and disclosure rate; once its period has ended, the secrets, the seed and the draw.',
          querystring: PlanQuery,
          response: { 200: Page(PublicPlanRef, 'A page of plans'), ...problems(400) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isCreatedCursor);
          const rows = listPlans(tx, null, req.query, limit + 1, after);
          const d = disclosureOf(
            tx,
            rows.map((r) => r.id),
          );
          const now = deps.clock.now();
          return pageOf(
            rows,
            limit,
            (r) => ({ c: r.createdAt, i: r.id }),
            (r) => publicPlanView(tx, r, now, d.get(r.id)),
          );
        }),
    );

    app.get(
      '/v1/public/inspection-plans/:id',
      {
        config: { public: true },
        schema: { tags: PUBLIC, summary: 'A published plan (no key)', params: IdParams, response: { 200: PublicPlanRef, ...problems(404) } },
      },
      async (req) => inTx(deps.db, (tx) => publicPlanView(tx, getPlanPublic(tx, req.params.id), deps.clock.now())),
    );

    app.get(
      '/v1/public/inspection-plans/:id/draw-record',
      {
        config: { public: true },
        schema: {
          tags: PUBLIC,
          summary: 'The draw record for `npm run cli -- draw verify` (no key)',
          description:
            'Once the plan’s period has ended: the frozen input (pools with exactly the attributes the draw reads — ids, classes, sides, certificate validity, conflicts, the previous plan’s pairs; no names or contacts), its hash, every commitment and secret, the seed and the result. Before that → 404. Save it as a file and run the verify command; any changed byte fails it.',
          params: IdParams,
          response: { 200: Type.Ref('DrawRecord'), ...problems(404) },
        },
      },
      async (req, reply) => {
        const rec = inTx(deps.db, (tx) => {
          const plan = getPlanPublic(tx, req.params.id);
          return periodEnded(plan, deps.clock.now()) ? drawRecord(plan) : null;
        });
        if (!rec) throw notFound('draw record', req.params.id);
        // Compact JSON (no insignificant whitespace): every byte is checked by the verifier.
        return reply.type('application/json').send(JSON.stringify(rec));
      },
    );

    app.get(
      '/v1/public/inspection-results',
      {
        config: { public: true },
        schema: {
          tags: PUBLIC,
          summary: 'Published inspection results (抽查结果公开, no key)',
          description:
            'Each approved result: source name and credit code, date, outcome, non-compliant items. No officer data. Oldest publication first; keyset pages. Labels in Chinese by default (Accept-Language: en for English), codes beside them.',
          querystring: PublicResultQuery,
          response: { 200: Page(Type.Ref('PublicInspectionResult'), 'A page of results'), ...problems(400) },
        },
      },
      async (req, reply) => {
        const lang = preferredLanguage(req.headers['accept-language']);
        reply.header('content-language', lang).header('vary', 'accept-language');
        return inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isCreatedCursor);
          const { rows, plans } = listPublishedResults(tx, req.query.planId, limit + 1, after);
          const kept = rows.slice(0, limit);
          const page = pageOf(
            rows,
            limit,
            (r) => ({ c: r.publishedAt!, i: r.id }),
            (r) => r.id,
          );
          return { items: publicResults(tx, kept, plans, lang), nextCursor: page.nextCursor };
        });
      },
    );
  };
