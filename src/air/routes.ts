import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { problems } from '../http/problem.js';
import { Page, decodeCursor, isCreatedCursor, pageOf } from '../http/pagination.js';
import { IdempotencyHeaders, createOnce, sendIdempotent } from '../http/idempotency.js';
import { actionRoute } from '../http/actions.js';
import { etagOf, parseIfMatch, withEtag } from '../http/versioning.js';
import { strictestCuts } from './levels.js';
import {
  AlertQuery,
  AlertSchema,
  ChangeAlertBody,
  CreateAlertBody,
  CreateZoneBody,
  IdParams,
  LiftAlertBody,
  MeasuresSchema,
  PutMeasuresBody,
  SourceParams,
  ZoneQuery,
  ZoneSchema,
} from './schemas.js';
import {
  changeAlert,
  createZone,
  getMeasures,
  getZoneOr404,
  issueAlert,
  liftAlert,
  listAlerts,
  listZones,
  putMeasures,
  sourceOr404,
  zonesAt,
} from './service.js';
import { alertView, measuresView, zoneView } from './views.js';
import { loadAlertFor } from './visibility.js';
import type { Tx } from '../db/client.js';
import { notFound } from '../http/problem.js';

const TAGS = ['air-weather'];
const READERS = ['admin', 'intake', 'supervisor', 'inspector'] as const;
const isIdCursor = (v: any): v is { i: string } => v && typeof v === 'object' && typeof v.i === 'string';

const PutHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 200, description: 'Optional ETag of the list you read, e.g. "2": when sent and stale, 412 and nothing changes' }),
  ),
});

export const airRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(ZoneSchema);
    app.addSchema(MeasuresSchema);
    app.addSchema(AlertSchema);
    const ZoneRef = Type.Ref('AirZone');
    const MeasuresRef = Type.Ref('EmergencyMeasures');
    const AlertRef = Type.Ref('AirAlert');

    const measuresOut = (tx: Tx, sourceId: string) => {
      const src = sourceOr404(tx, sourceId);
      const m = getMeasures(tx, sourceId);
      if (!m) throw notFound('emergency measures of source', sourceId);
      const zones = zonesAt(tx, deps, src.lat, src.lng);
      return measuresView(
        tx,
        m,
        zones.map((z) => z.id),
        strictestCuts(zones.map((z) => z.minimumCuts)),
      );
    };

    // ---------------------------------------------------------------------------------- zones

    app.post(
      '/v1/air-zones',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: TAGS,
          summary: 'Create a joint-control zone (联防联控区域) of areas of both sides',
          description:
            'Admins. Minimum cuts default to the national 10 % (yellow), 20 % (orange), 30 % (red) of each pollutant; a zone may be stricter (a lower figure → 400). Linkage levels default to orange and red.',
          headers: IdempotencyHeaders,
          body: CreateZoneBody,
          response: { 201: withEtag(ZoneRef), ...problems(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const row = createZone(tx, deps, req.principal, req.body);
          return { status: 201, body: zoneView(tx, row), location: `/v1/air-zones/${row.id}` };
        });
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/air-zones',
      {
        config: { roles: [...READERS, 'partner'] },
        schema: {
          tags: TAGS,
          summary: 'List the joint-control zones',
          description: 'Every key reads zones (reference data). Keyset pages.',
          querystring: ZoneQuery,
          response: { 200: Page(ZoneRef, 'A page of zones'), ...problems(400, 401, 403) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isIdCursor);
          return pageOf(
            listZones(tx, limit + 1, after?.i),
            limit,
            (z) => ({ i: z.id }),
            (z) => zoneView(tx, z),
          );
        }),
    );

    app.get(
      '/v1/air-zones/:id',
      {
        config: { roles: [...READERS, 'partner'] },
        schema: { tags: TAGS, summary: 'Get a zone', params: IdParams, response: { 200: withEtag(ZoneRef), ...problems(401, 403, 404) } },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => zoneView(tx, getZoneOr404(tx, req.params.id)));
        return reply.header('etag', etagOf(view.version)).send(view);
      },
    );

    // ---------------------------------------------------------------------- reduction lists

    app.put(
      '/v1/sources/:id/emergency-measures',
      {
        config: { roles: ['admin', 'supervisor', 'inspector'] },
        schema: {
          tags: TAGS,
          summary: 'Set a source’s emergency reduction list (应急减排清单)',
          description:
            'Admins, or supervisors and inspectors of the source’s agency (or above it); others 403 `emergency-measures-by-source-agency`. Per level the measures and the resulting cut of SO₂, NOx, PM and VOCs; a cut below the level’s minimum (strictest zone containing the source, else 10/20/30 %) → 422 `emergency-cut-below-minimum` naming pollutant, level, required and given. A listed source is patrolled when an alert of its zone reaches a linkage level.',
          params: SourceParams,
          headers: PutHeaders,
          body: PutMeasuresBody,
          response: { 200: withEtag(MeasuresRef), ...problems(400, 401, 403, 404, 412, 422) },
        },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => {
          putMeasures(tx, deps, req.principal, req.params.id, parseIfMatch(req.headers['if-match']), req.body);
          return measuresOut(tx, req.params.id);
        });
        return reply.header('etag', etagOf(view.version)).send(view);
      },
    );

    app.get(
      '/v1/sources/:id/emergency-measures',
      {
        config: { roles: [...READERS, 'partner'] },
        schema: {
          tags: TAGS,
          summary: 'Get a source’s emergency reduction list',
          description: 'Readable as the source is. 404 when the source has no list.',
          params: SourceParams,
          response: { 200: withEtag(MeasuresRef), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => measuresOut(tx, req.params.id));
        return reply.header('etag', etagOf(view.version)).send(view);
      },
    );

    // --------------------------------------------------------------------------------- alerts

    app.post(
      '/v1/air-alerts',
      {
        config: { roles: ['admin', 'supervisor'] },
        schema: {
          tags: TAGS,
          summary: 'Issue a heavy-pollution alert (重污染天气预警) for a zone',
          description:
            'Admins, or supervisors of an agency in the zone (or above one); else 403 `air-alert-by-zone-supervisor`. The level is checked against the forecast by the national rule — yellow: daily AQI > 200 for ≥ 2 days; orange: > 200 for ≥ 3 days with a day > 300; red: > 200 for ≥ 4 days with ≥ 2 days > 300, or any day ≥ 500 — else 422 naming the rule (`rule` air-alert-yellow|orange|red; `reason` forecast-too-short or forecast-below-level) unless `overrideReason` is given (recorded). Every agency of both sides in the zone is notified (queue notify). At a linkage level (default orange, red) a joint operation opens over the zone’s listed sources: a patrol task per source for a team of its side, a mixed pair within the joint buffer of the seam. One active alert per zone (409 `zone-alert-active`).',
          headers: IdempotencyHeaders,
          body: CreateAlertBody,
          response: { 201: withEtag(AlertRef), ...problems(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => {
        const r = createOnce(deps, req, (tx) => {
          const row = issueAlert(tx, deps, req.principal, req.body);
          const { zone, agencies } = loadAlertFor(tx, req.principal, row.id);
          return { status: 201, body: alertView(row, zone, agencies), location: `/v1/air-alerts/${row.id}` };
        });
        return sendIdempotent(reply, r, { versioned: true });
      },
    );

    app.get(
      '/v1/air-alerts',
      {
        config: { roles: [...READERS] },
        schema: {
          tags: TAGS,
          summary: 'List the alerts the caller may see',
          description:
            'Newest first; keyset pages. Admins and intake see all; supervisors those of zones with an agency in their subtree; inspectors those of zones with their agency.',
          querystring: AlertQuery,
          response: { 200: Page(AlertRef, 'A page of alerts'), ...problems(400, 401, 403) },
        },
      },
      async (req) =>
        inTx(deps.db, (tx) => {
          const limit = req.query.limit ?? 50;
          const after = decodeCursor(req.query.cursor, isCreatedCursor);
          return pageOf(
            listAlerts(tx, req.principal, req.query, limit + 1, after),
            limit,
            (r) => ({ c: r.alert.createdAt, i: r.alert.id }),
            (r) => alertView(r.alert, r.zone, r.agencies),
          );
        }),
    );

    app.get(
      '/v1/air-alerts/:id',
      {
        config: { roles: [...READERS] },
        schema: {
          tags: TAGS,
          summary: 'Get an alert',
          description: 'Visible as in the list; anyone else 404.',
          params: IdParams,
          response: { 200: withEtag(AlertRef), ...problems(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const view = inTx(deps.db, (tx) => {
          const { alert, zone, agencies } = loadAlertFor(tx, req.principal, req.params.id);
          return alertView(alert, zone, agencies);
        });
        return reply.header('etag', etagOf(view.version)).send(view);
      },
    );

    actionRoute(app, {
      url: '/v1/air-alerts/:id/change',
      tags: TAGS,
      summary: 'Upgrade or downgrade an alert',
      description:
        'As for issuing (403 `air-alert-by-zone-supervisor`). The new level is checked against the forecast (`basis` when sent, else the alert’s) as on issue (422 naming the rule, unless `overrideReason`). Open tasks of the linked operation are re-checked against the new level (their level and required measures replaced; event joint_operation.tasks_rechecked); without a linked operation, a linkage level opens one. Every agency of the zone is notified. Same level → 409 `alert-level-unchanged`; lifted → 409 `alert-lifted`.',
      roles: ['admin', 'supervisor'],
      body: ChangeAlertBody,
      response: AlertRef,
      problems: [422],
      run: (a) =>
        inTx(deps.db, (tx) => {
          const row = changeAlert(tx, deps, a.principal, a.id, a.expected, a.body);
          const { zone, agencies } = loadAlertFor(tx, a.principal, row.id);
          return alertView(row, zone, agencies);
        }),
    });

    actionRoute(app, {
      url: '/v1/air-alerts/:id/lift',
      tags: TAGS,
      summary: 'Lift an alert: its linked operation closes with its summary',
      description:
        'As for issuing (403 `air-alert-by-zone-supervisor`). Every agency of the zone is notified; the linked operation closes (open tasks cancelled, summary frozen, parties notified). Twice → 409 `alert-lifted`.',
      roles: ['admin', 'supervisor'],
      body: LiftAlertBody,
      response: AlertRef,
      run: (a) =>
        inTx(deps.db, (tx) => {
          const row = liftAlert(tx, deps, a.principal, a.id, a.expected, a.body);
          const { zone, agencies } = loadAlertFor(tx, a.principal, row.id);
          return alertView(row, zone, agencies);
        }),
    });
  };
