import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { authenticate } from '../auth/keys.js';
import type { Principal } from '../auth/principal.js';
import type { Role } from '../domain/index.js';
import { Problem } from '../http/problem.js';
import { CATEGORIES, type Category } from '../domain/index.js';
import { IdempotencyHeaders, sendIdempotent } from '../http/idempotency.js';
import type { ComplaintStatus } from './tables.js';
import { OPEN_STATUSES } from './dedup.js';
import { PHONE_PATTERN } from './schemas.js';
import type { ComplaintRow, NewComplaint } from './service.js';
import { CREATE_ROLES, createIdempotent } from './routes.js';
import { complaintsByNumberOrId, listComplaints } from './query.js';
import { canSee } from './visibility.js';

/**
 * Open311 GeoReport v2 facade (JSON format) over the same intake path: one service per category,
 * `api_key` as the bearer key, errors as `[{ code, description }]`. service_request_id is the
 * complaint number (12369-YYYY-NNNNNN); requests/{id}.json also takes the complaint id.
 * Reporter fields (first_name, last_name, phone, email) are stored encrypted and never returned.
 */
const SERVICE_NAMES: Record<(typeof CATEGORIES)[number], [string, string]> = {
  air: ['Air pollution (大气污染)', 'Smoke, dust, odour, open burning'],
  water: ['Water pollution (水污染)', 'Discharges into rivers, canals, lakes or groundwater'],
  soil: ['Soil pollution (土壤污染)', 'Contaminated land, dumping of hazardous substances on soil'],
  noise: ['Noise (噪声)', 'Industrial, construction or traffic noise'],
  solid_waste: ['Solid waste (固体废物)', 'Illegal dumping, hazardous waste, tailings'],
  radiation: ['Radiation (辐射)', 'Radioactive sources, electromagnetic radiation'],
  ecology: ['Ecological damage (生态破坏)', 'Grassland, wetland, protected area damage'],
  other: ['Other environmental matter (其他)', 'Anything else about the environment'],
};

const CLOSED: ComplaintStatus[] = ['replied', 'closed', 'not_accepted', 'transferred'];

export const GeoReportErrors = Type.Array(Type.Object({ code: Type.Integer({ description: 'HTTP status code' }), description: Type.String() }), {
  description: 'GeoReport v2 errors',
});
const errs = (...codes: number[]) => Object.fromEntries([...codes, 500].map((c) => [c, GeoReportErrors]));

class GeoError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

function serviceOf(code: string) {
  const c = code as (typeof CATEGORIES)[number];
  const names = SERVICE_NAMES[c];
  return names
    ? {
        service_code: c,
        service_name: names[0],
        description: names[1],
        metadata: false,
        type: 'realtime' as const,
        keywords: c.replace('_', ' '),
        group: 'environment',
      }
    : null;
}

const Service = Type.Object({
  service_code: Type.String({ description: 'The complaint category' }),
  service_name: Type.String(),
  description: Type.String(),
  metadata: Type.Boolean({ description: 'false: no extra attributes' }),
  type: Type.Literal('realtime'),
  keywords: Type.String(),
  group: Type.String(),
});

const ServiceRequest = Type.Object({
  service_request_id: Type.String({ description: 'The complaint number' }),
  status: Type.Enum(['open', 'closed'] as const),
  status_notes: Type.Union([Type.String(), Type.Null()], { description: 'The detailed status, and the reply once given' }),
  service_name: Type.String(),
  service_code: Type.String(),
  description: Type.String(),
  agency_responsible: Type.Union([Type.String(), Type.Null()]),
  service_notice: Type.Union([Type.String(), Type.Null()]),
  requested_datetime: Type.String({ format: 'date-time' }),
  updated_datetime: Type.String({ format: 'date-time' }),
  expected_datetime: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  address_id: Type.Union([Type.String(), Type.Null()]),
  zipcode: Type.Null(),
  lat: Type.Union([Type.Number(), Type.Null()]),
  long: Type.Union([Type.Number(), Type.Null()]),
  media_url: Type.Union([Type.String(), Type.Null()]),
});

const ApiKeyParam = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'Your API key (same as the Bearer key of /v1). Required unless the request carries Authorization: Bearer <key> (else 400).',
});

const PostRequestBody = Type.Object(
  {
    api_key: Type.Optional(ApiKeyParam),
    jurisdiction_id: Type.Optional(Type.String({ maxLength: 200, description: 'Ignored: one jurisdiction' })),
    service_code: Type.Enum(CATEGORIES, { description: 'From services.json (the complaint category)' }),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'WGS-84; with long' })),
    long: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'WGS-84; with lat' })),
    address_string: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Needs address_id (GB/T 2260 code) when there is no lat/long' })),
    address_id: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'GB/T 2260 administrative division code (6 digits)' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    device_id: Type.Optional(Type.String({ maxLength: 200, description: 'Ignored' })),
    account_id: Type.Optional(Type.String({ maxLength: 200, description: 'Ignored' })),
    first_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    last_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN, maxLength: 20, description: 'Digits, optional leading +, spaces or dashes' })),
    description: Type.String({ minLength: 1, maxLength: 4000, description: 'What the reporter saw (GeoReport limit 4,000 characters)' }),
    media_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, format: 'uri' })),
  },
  {
    additionalProperties: false,
    patternProperties: { '^attribute\\[': Type.Unknown() },
    description: 'form-encoded or JSON; attribute[...] parameters are accepted and ignored (no service has metadata)',
  },
);

const ListRequestsQuery = Type.Object({
  api_key: Type.Optional(ApiKeyParam),
  jurisdiction_id: Type.Optional(Type.String({ maxLength: 200 })),
  service_request_id: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-delimited; overrides the other filters' })),
  service_code: Type.Optional(Type.String({ maxLength: 500, description: 'Comma-delimited categories' })),
  start_date: Type.Optional(Type.String({ format: 'date-time' })),
  end_date: Type.Optional(Type.String({ format: 'date-time' })),
  status: Type.Optional(Type.String({ pattern: '^(open|closed)(,(open|closed))*$', description: 'open, closed, or both comma-delimited' })),
});

function toGeo(row: ComplaintRow) {
  const [name] = SERVICE_NAMES[row.category as keyof typeof SERVICE_NAMES] ?? [row.category];
  const closed = CLOSED.includes(row.status);
  const notes =
    row.status === 'replied' || row.status === 'closed'
      ? `${row.status}: ${row.replyText ?? ''}`
      : row.status === 'not_accepted'
        ? `not_accepted: ${row.statusReason ?? ''}`
        : row.status === 'transferred'
          ? `transferred to ${row.transferredTo}: ${row.statusReason ?? ''}`
          : row.status;
  return {
    service_request_id: row.number,
    status: closed ? ('closed' as const) : ('open' as const),
    status_notes: notes,
    service_name: name,
    service_code: row.category,
    description: row.description,
    agency_responsible: row.agencyCode,
    service_notice: null,
    requested_datetime: row.receivedAt,
    updated_datetime: row.closedAt ?? row.updatedAt,
    expected_datetime: row.replyDueAt ?? row.acceptanceDueAt,
    address: row.address,
    address_id: row.adminCode,
    zipcode: null,
    lat: row.lat,
    long: row.lng,
    media_url: row.attachments.find((a) => a.url)?.url ?? null,
  };
}

export const open311Routes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.setErrorHandler((err: FastifyError, req, reply) => {
      let list: { code: number; description: string }[];
      let status: number;
      if (err instanceof GeoError) {
        status = err.status;
        list = [{ code: status, description: err.description }];
      } else if (err instanceof Problem) {
        status = err.status;
        for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
        const fields = (err.extra.errors as { field: string; reason: string }[] | undefined) ?? [];
        list = fields.length ? fields.map((f) => ({ code: status, description: `${f.field} ${f.reason}` })) : [{ code: status, description: err.detail }];
      } else if (err.validation) {
        status = 400;
        // ajv messages name the rule (pattern, format), never the value: nothing personal is echoed
        list = err.validation.map((v) => {
          const p = v.params as Record<string, unknown>;
          const field = String(p?.missingProperty ?? p?.additionalProperty ?? (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.'));
          const reason =
            p?.additionalProperty !== undefined
              ? 'is not a GeoReport parameter'
              : p?.missingProperty !== undefined
                ? 'was not provided'
                : (v.message ?? 'is invalid');
          return { code: 400, description: `${field} ${reason}` };
        });
      } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        status = err.statusCode;
        list = [
          {
            code: status,
            description: err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'Send application/x-www-form-urlencoded or application/json.' : 'Bad request.',
          },
        ];
      } else {
        req.log.error({ err }, 'unhandled error');
        status = 500;
        list = [{ code: 500, description: `Internal error; quote request id ${req.id}.` }];
      }
      return reply.status(status).type('application/json; charset=utf-8').send(list);
    });

    /** api_key parameter (or a Bearer header) → principal, as the /v1 routes do. */
    const principalOf = (req: FastifyRequest, apiKey: string | undefined, roles: readonly Role[] | null, action: string): Principal => {
      const bearer = apiKey ?? /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer) throw new GeoError(400, `api_key was not provided -- can't proceed with ${action}.`);
      const p = authenticate(deps.db, deps.clock, bearer, deps.config.adminApiKey);
      if (!p) throw new GeoError(403, `Invalid api_key received -- can't proceed with ${action}.`);
      if (roles && !roles.includes(p.role)) throw new GeoError(403, `This api_key (role ${p.role}) may not ${action}.`);
      req.principal = p;
      return p;
    };

    const tags = ['open311'];
    app.get(
      '/open311/v2/services.json',
      {
        config: { public: true },
        schema: { tags, summary: 'GeoReport v2: service list (one service per complaint category)', response: { 200: Type.Array(Service), ...errs() } },
      },
      async () => CATEGORIES.map((c) => serviceOf(c)!),
    );
    app.get(
      '/open311/v2/services/:service_code.json',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'GeoReport v2: service definition (no extra attributes)',
          params: Type.Object({ service_code: Type.String({ maxLength: 64 }) }),
          response: { 200: Type.Object({ service_code: Type.String(), attributes: Type.Array(Type.Unknown()) }), ...errs(404) },
        },
      },
      async (req) => {
        if (!serviceOf(req.params.service_code)) throw new GeoError(404, `service_code ${req.params.service_code} was not found.`);
        return { service_code: req.params.service_code, attributes: [] };
      },
    );

    app.post(
      '/open311/v2/requests.json',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'GeoReport v2: create a service request (a 12369 complaint, channel open311)',
          description:
            'application/x-www-form-urlencoded or JSON. `api_key` is an intake, admin or partner key. Location: `lat`+`long`, or `address_string` with `address_id` (a GB/T 2260 code). first_name/last_name/phone/email are the reporter (confidential). Honours Idempotency-Key like POST /v1/complaints. The service_notice carries the query code for the public status lookup.',
          headers: IdempotencyHeaders,
          body: PostRequestBody,
          response: {
            201: Type.Array(
              Type.Object({
                service_request_id: Type.String({ description: 'The complaint number' }),
                service_notice: Type.String(),
                account_id: Type.Null(),
              }),
            ),
            ...errs(400, 403, 404, 409, 413, 415, 422),
          },
        },
      },
      async (req, reply) => {
        const b = req.body as Record<string, any>;
        principalOf(req, b.api_key, CREATE_ROLES, 'create_request');
        if ((b.lat === undefined) !== (b.long === undefined)) throw new GeoError(400, 'lat and long must be sent together.');
        const name = [b.first_name, b.last_name].filter(Boolean).join(' ') || undefined;
        const input: NewComplaint = {
          channel: 'open311',
          category: b.service_code,
          description: b.description,
          ...(b.lat !== undefined ? { location: { lat: b.lat, lng: b.long } } : {}),
          ...(b.address_string ? { address: b.address_string } : {}),
          ...(b.address_id ? { adminCode: b.address_id } : {}),
          ...(b.media_url ? { attachments: [{ url: b.media_url }] } : {}),
          ...(name || b.phone || b.email ? { reporter: { name, phone: b.phone, email: b.email, anonymous: false } } : {}),
        };
        const { api_key: _key, ...hashed } = b;
        const r = await createIdempotent(
          deps,
          req,
          'POST /open311/v2/requests',
          hashed,
          input,
          ({ row, queryCode }) => [
            {
              service_request_id: row.number,
              service_notice: `Received by the 12369 center as ${row.number}. Status lookup: /v1/public/complaints/${row.number}?code=${queryCode} (keep the code secret). Acceptance is decided by ${row.acceptanceDueAt}.`,
              account_id: null,
            },
          ],
          { location: 'lat', adminCode: 'address_id', attachments: 'media_url' },
        );
        return sendIdempotent(reply, r);
      },
    );

    app.get(
      '/open311/v2/requests.json',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'GeoReport v2: service requests visible to this api_key',
          description:
            'Defaults to the last 90 days; a window may not span more than 90 days; at most 1000 requests, newest first. Unlike plain GeoReport, an api_key is required (complaints are not public): each key sees what it sees on GET /v1/complaints (partners: the requests they created). Never returns reporter fields.',
          querystring: ListRequestsQuery,
          response: { 200: Type.Array(ServiceRequest), ...errs(400, 403, 404) },
        },
      },
      async (req) => {
        const q = req.query;
        const p = principalOf(req, q.api_key, null, 'get_service_requests');
        if (q.service_request_id) {
          const ids = q.service_request_id
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
            .slice(0, 1000);
          const rows = complaintsByNumberOrId(deps.db, ids).filter((r) => canSee(deps.db, p, r));
          return rows.map(toGeo);
        }
        const now = deps.clock.now().getTime();
        const DAY90 = 90 * 86_400_000;
        const end = q.end_date ? new Date(q.end_date).getTime() : q.start_date ? new Date(q.start_date).getTime() + DAY90 : now;
        const startT = q.start_date ? new Date(q.start_date).getTime() : end - DAY90;
        if (end < startT) throw new GeoError(400, 'end_date is before start_date.');
        if (end - startT > DAY90) throw new GeoError(400, 'start_date and end_date may not span more than 90 days.');
        const codes = (q.service_code
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean) ?? []) as Category[];
        for (const c of codes) if (!serviceOf(c)) throw new GeoError(404, `service_code ${c} was not found.`);
        const wanted = new Set(q.status?.split(',') ?? ['open', 'closed']);
        const statuses = [...(wanted.has('open') ? OPEN_STATUSES : []), ...(wanted.has('closed') ? CLOSED : [])];
        const rows = listComplaints(
          deps.db,
          p,
          { receivedFrom: new Date(startT).toISOString(), receivedTo: new Date(end + 1).toISOString(), statuses, categories: codes },
          1000,
        );
        return rows.map(toGeo);
      },
    );

    app.get(
      '/open311/v2/requests/:service_request_id.json',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'GeoReport v2: one service request (by complaint number or id; api_key required)',
          params: Type.Object({ service_request_id: Type.String({ minLength: 1, maxLength: 64 }) }),
          querystring: Type.Object({ api_key: Type.Optional(ApiKeyParam), jurisdiction_id: Type.Optional(Type.String({ maxLength: 200 })) }),
          response: { 200: Type.Array(ServiceRequest), ...errs(400, 403, 404) },
        },
      },
      async (req) => {
        const p = principalOf(req, req.query.api_key, null, 'get_service_request');
        const id = req.params.service_request_id;
        const [row] = complaintsByNumberOrId(deps.db, [id]);
        if (!row || !canSee(deps.db, p, row)) throw new GeoError(404, `service_request_id ${id} was not found.`);
        return [toGeo(row)];
      },
    );
  };
