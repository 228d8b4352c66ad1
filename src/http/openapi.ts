import type { RouteOptions } from 'fastify';
import { PROBLEM_BASE } from './problem.js';
import { isFormRoute } from './input.js';

/**
 * Completes the OpenAPI document in one place, from what every route shares:
 * - a stable `operationId` per operation (explicit `schema.operationId`, else derived from method + path);
 * - the statuses every route can answer whatever its handler does: 400 (it validates parameters
 *   or a body), 413/415 (it takes a body), 414 (a path parameter over the router limit), 429 (it is
 *   rate limited), 431 (request line or headers too large);
 * - errors as `application/problem+json` with a shared example per status (Open311 keeps its
 *   GeoReport error array, except for what the framework answers before any route runs);
 * - `If-Match` required where omitting it gives 428, action bodies that may be omitted as such;
 * - tag descriptions, and the event catalog as OpenAPI 3.1 `webhooks`.
 */

type Obj = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Marks a body schema as omittable (actionRoute: an absent body is validated as `{}`). */
export const BODY_OPTIONAL = 'x-body-optional';

const PROBLEM_REF = '#/components/schemas/Problem';
const PROBLEM = 'application/problem+json';

/** One realistic problem per status, shared by every operation that can answer it. */
export const PROBLEM_EXAMPLES: Record<number, { summary: string; value: Obj }> = {
  400: {
    summary: 'A field is missing or malformed',
    value: {
      type: PROBLEM_BASE + 'validation',
      title: 'Invalid request',
      status: 400,
      detail: 'body/category must be one of: "air", "water", "noise", "soil", "solid_waste", "radiation", "ecology", "other"',
      instance: '0f634ee0-6070-474d-a2fc-8f36fe0fca83',
      errors: [{ field: 'body/category', reason: 'must be one of: "air", "water", "noise", "soil", "solid_waste", "radiation", "ecology", "other"' }],
    },
  },
  401: {
    summary: 'No or unknown API key',
    value: {
      type: PROBLEM_BASE + 'unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail: 'A valid API key is required (Authorization: Bearer <key>).',
      instance: '1c2d3e4f-0000-4000-8000-000000000401',
    },
  },
  403: {
    summary: 'The key may not do this',
    value: {
      type: PROBLEM_BASE + 'forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'This key may not perform this action.',
      instance: '1c2d3e4f-0000-4000-8000-000000000403',
    },
  },
  404: {
    summary: 'Not found or not visible to this key',
    value: {
      type: PROBLEM_BASE + 'not-found',
      title: 'Not found',
      status: 404,
      detail: 'case 01a2311c-cc55-72c8-baf8-7c163fd579c3 not found',
      instance: '1c2d3e4f-0000-4000-8000-000000000404',
      resource: 'case',
    },
  },
  405: {
    summary: 'Method not allowed',
    value: {
      type: PROBLEM_BASE + 'method-not-allowed',
      title: 'Method not allowed',
      status: 405,
      detail: 'PUT is not allowed on /v1/api-keys; allowed: GET, HEAD, POST.',
    },
  },
  409: {
    summary: 'Conflicts with the current state',
    value: {
      type: PROBLEM_BASE + 'wrong-state',
      title: 'Conflict',
      status: 409,
      detail: 'The complaint is closed.',
      instance: '1c2d3e4f-0000-4000-8000-000000000409',
      currentStatus: 'closed',
    },
  },
  412: {
    summary: 'If-Match is stale',
    value: {
      type: PROBLEM_BASE + 'precondition-failed',
      title: 'Precondition failed',
      status: 412,
      detail: 'case 01a2311c-cc55-72c8-baf8-7c163fd579c3 has changed: its current version is 4 (ETag "4"). Re-read it and retry.',
      currentVersion: 4,
      currentEtag: '"4"',
    },
  },
  413: {
    summary: 'Body over the limit',
    value: { type: PROBLEM_BASE + 'body-too-large', title: 'Payload too large', status: 413, detail: 'The request body exceeds the limit.' },
  },
  414: {
    summary: 'A path parameter over the router limit',
    value: { type: PROBLEM_BASE + 'uri-too-long', title: 'URI too long', status: 414, detail: 'A path parameter is longer than 1024 characters.' },
  },
  415: {
    summary: 'Body media type not accepted',
    value: {
      type: PROBLEM_BASE + 'unsupported-media-type',
      title: 'Unsupported media type',
      status: 415,
      detail: 'Content-Type text/plain is not accepted here; send application/json.',
      accepted: ['application/json'],
    },
  },
  422: {
    summary: 'Well-formed but breaks a rule',
    value: {
      type: PROBLEM_BASE + 'measure-limit',
      title: 'Unprocessable request',
      status: 422,
      detail: 'A seizure (查封扣押) may last at most 30 days; extend it instead.',
    },
  },
  428: {
    summary: 'If-Match missing',
    value: {
      type: PROBLEM_BASE + 'if-match-required',
      title: 'Precondition required',
      status: 428,
      detail: 'Send If-Match with the ETag of the case you read (GET returns it), e.g. If-Match: "1".',
    },
  },
  429: {
    summary: 'Rate limit reached',
    value: { type: PROBLEM_BASE + 'rate-limited', title: 'Too many requests', status: 429, detail: 'Rate limit exceeded, retry in 1 minute' },
  },
  431: {
    summary: 'Request line or headers too large',
    value: {
      type: PROBLEM_BASE + 'headers-too-large',
      title: 'Request Header Fields Too Large',
      status: 431,
      detail: 'The request line or headers are larger than the server accepts.',
    },
  },
  500: {
    summary: 'A bug on our side (quote the request id)',
    value: {
      type: PROBLEM_BASE + 'internal',
      title: 'Internal error',
      status: 500,
      detail: 'Something went wrong on our side. Quote request id 0f634ee0-6070-474d-a2fc-8f36fe0fca83.',
      instance: '0f634ee0-6070-474d-a2fc-8f36fe0fca83',
    },
  },
  503: {
    summary: 'A dependency is unavailable',
    value: { type: PROBLEM_BASE + 'unavailable', title: 'Service unavailable', status: 503, detail: 'Redis is not reachable.' },
  },
};

const ADDED: Record<number, string> = {
  400: 'Invalid request: see `errors` for each bad field',
  413: 'Request body too large',
  414: 'A path parameter is over the router limit',
  415: 'Unsupported media type (the problem lists the accepted types)',
  429: 'Too many requests',
  422: 'The Idempotency-Key was already used with another body',
  431: 'Request line or headers too large',
  503: 'The database was busy (another writer held the lock past busy_timeout): nothing changed; retry after Retry-After seconds',
};

/** The 422 every create with an Idempotency-Key can answer (besides its own rules). */
const IDEMPOTENCY_REUSED = {
  summary: 'Idempotency-Key reused with another body',
  value: {
    type: PROBLEM_BASE + 'idempotency-key-reused',
    title: 'Unprocessable request',
    status: 422,
    detail: 'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
  },
};

export const TAG_DESCRIPTIONS: Record<string, string> = {
  'api-keys': 'API keys bound to a role (admin, intake, supervisor, inspector, partner) and, where needed, a side, agency and team',
  reference: 'Reference data: agencies (执法机构), teams (执法队伍) and areas (辖区/网格) of both sides',
  jurisdiction: 'Which side, agency and team a point or address belongs to; routing rules',
  assignments: 'Team work lists: claim, decline, complete',
  consultations: 'Joint consultations (会商) of both sides: agenda, attendance, minutes, and decisions (议定事项) followed up to their deadlines',
  rectification: 'The rectification ledger (整改台账): tasks, weekly progress, close-off (销号) with on-site check and public notice (公示)',
  statistics:
    'Figures by side, agency, team, category, channel, month and week (China time) within the caller’s visibility; on-time rates count open overdue items',
  reports:
    'Weekly dispatch (周调度) and monthly bulletin (月通报) per agency and for both sides side by side: JSON, CSV tables, printable HTML with SVG charts',
  complaints: '12369 complaints (信访举报): intake, acceptance, transfer, reply, feedback and closing within the legal limits',
  public: 'No key: complaint status lookup by number and query code; published random-inspection results (一公开)',
  open311: 'GeoReport v2 (Open311) facade over 12369 intake; errors are GeoReport error arrays',
  sources: 'Pollution sources (污染源档案) keyed by unified social credit code',
  cases: 'Shared case registry (执法案件): registration, transitions, measures, notes, evidence, tamper-evident timeline',
  filings: 'Cross-filing (互相备案) between the sides, with acknowledgement and escalation',
  inbox: 'Notifications (通报) per agency',
  inspections: 'Random inspections (双随机、一公开): checklists, officer rosters, commit–reveal draws, records, publication',
  'air-weather':
    'Heavy-pollution weather (重污染天气): joint-control zones, emergency reduction lists (应急减排清单), alerts (预警) and their linkage to joint operations (应急联动)',
  'joint-operations':
    'Joint and cross enforcement operations (联合执法 / 交叉执法): proposal, confirmation by the other side, tasks per target, records, close with summary',
  events: 'CloudEvents: pull feed, SSE stream and the event catalog (also documented as webhooks)',
  subscriptions: 'Webhook subscriptions (Standard Webhooks signatures), deliveries and replay',
  operations: 'Health, readiness, queues and failed jobs',
};

const word = (s: string) => s.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase());

/** `POST /v1/cases/:id/notes` → `postCasesByIdNotes`; stable as long as the route is. */
export function deriveOperationId(method: string, url: string): string {
  const parts = url
    .replace(/^\/v1\//, '/')
    .replace(/\.json$/, '')
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith(':') || seg.startsWith('{') ? 'By' + word(seg.replace(/^[:{]|}$/g, '').replace(/\.json$/, '')) : word(seg)));
  return method.toLowerCase() + parts.join('');
}

/** Per route (swagger `transform`): the operationId, and 429 on rate-limited routes. */
export function transformRoute({ schema, url, route }: { schema: Obj; url: string; route: RouteOptions }) {
  if (!schema) return { schema, url };
  const method = Array.isArray(route.method) ? route.method[0] : route.method;
  const config = (route.config ?? {}) as Obj;
  const out: Obj = { ...schema, operationId: schema.operationId ?? deriveOperationId(method, url) };
  // Form routes (Open311) take both media types: the document lists both.
  if (isFormRoute(url) && schema.body) out.consumes = ['application/x-www-form-urlencoded', 'application/json'];
  if (config.rateLimit && schema.response && !schema.response[429])
    out.response = { ...schema.response, 429: { ...schema.response[500], description: ADDED[429] } };
  return { schema: out, url };
}

const problemContent = (status: number) => ({
  [PROBLEM]: { schema: { $ref: PROBLEM_REF }, examples: { [`problem-${status}`]: { $ref: `#/components/examples/problem-${status}` } } },
});

const isProblemContent = (content: Obj | undefined) => content?.['application/json']?.schema?.$ref === PROBLEM_REF || !!content?.[PROBLEM];

/** The whole document (swagger `transformObject`). */
export function completeDocument(doc: Obj, opts: { version: string }): Obj {
  doc.info = { ...doc.info, version: opts.version };
  const used = new Set<string>();
  for (const [path, ops] of Object.entries((doc.paths ?? {}) as Obj)) {
    for (const m of METHODS) {
      const op = ops[m];
      if (!op) continue;
      for (const t of op.tags ?? []) used.add(t);
      const responses: Obj = (op.responses ??= {});
      const routeErrors = responses['500']?.content;
      const hasInput = (op.parameters ?? []).length > 0 || !!op.requestBody;
      const add = (status: number, framework = false) => {
        if (responses[status]) return;
        responses[status] = { description: ADDED[status], content: framework || !routeErrors ? problemContent(status) : routeErrors };
      };
      if (hasInput) add(400);
      if (op.requestBody) {
        add(413);
        add(415);
      }
      const idempotent = (op.parameters ?? []).some((p: Obj) => p.in === 'header' && p.name === 'idempotency-key');
      if (idempotent) add(422, true);
      if (path.includes('{')) add(414, true);
      add(431, true);
      // Writes wait busy_timeout for the SQLite lock, then answer 503 database-busy.
      if (m !== 'get' && m !== 'head') add(503);
      for (const [status, r] of Object.entries(responses)) {
        if (!/^[45]/.test(status) || !isProblemContent(r.content)) continue;
        r.content = PROBLEM_EXAMPLES[Number(status)] ? problemContent(Number(status)) : { [PROBLEM]: { schema: { $ref: PROBLEM_REF } } };
      }
      const reused = idempotent ? responses['422']?.content?.[PROBLEM] : undefined;
      if (reused) reused.examples = { ...reused.examples, 'idempotency-key-reused': { $ref: '#/components/examples/idempotency-key-reused' } };
      for (const p of op.parameters ?? []) if (!p.description) p.description = parameterDescription(p.in, p.name);
      // PATCH answers 428 without If-Match: the header is required.
      if (responses['428']) for (const p of op.parameters ?? []) if (p.in === 'header' && p.name === 'if-match') p.required = true;
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (body?.[BODY_OPTIONAL]) {
        delete body[BODY_OPTIONAL];
        op.requestBody.required = false;
      }
      // Responses named "Default Response" by the generator get a real description.
      for (const [status, r] of Object.entries(responses))
        if (r.description === 'Default Response') r.description = defaultDescription(m, Number(status), op.summary);
    }
  }
  addExamples(doc);
  doc.tags = [...used].sort().map((name) => ({ name, ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}) }));
  doc.components ??= {};
  doc.components.examples = {
    ...Object.fromEntries(Object.entries(PROBLEM_EXAMPLES).map(([s, e]) => [`problem-${s}`, e])),
    'idempotency-key-reused': IDEMPOTENCY_REUSED,
  };
  doc.webhooks = webhooks(doc);
  return doc;
}

/** Descriptions for parameters the route left undescribed, by name. */
const PARAMETERS: Record<string, string> = {
  id: 'Resource id',
  status: 'Only items with this status (see the enum)',
  limit: 'Page size',
  jurisdiction_id: 'GeoReport jurisdiction (ignored: one jurisdiction)',
  eventId: 'Only deliveries of this event id',
  deliveryId: 'Delivery id',
  teamId: 'Only items of this team',
  role: 'Only keys with this role',
  subjectKind: 'Only items whose subject is of this kind',
  subjectId: 'Only items of this subject id',
  agencyCode: 'Only items of this agency (code)',
  duplicateOf: 'Only duplicates of this complaint id',
  complaintId: 'Only reads of this complaint id',
  keyId: 'Only items of this API key id',
  service_code: 'GeoReport service code (a complaint category)',
  start_date: 'GeoReport: requested on or after (ISO 8601)',
  end_date: 'GeoReport: requested before (ISO 8601)',
  service_request_id: 'GeoReport service request id (the complaint number)',
  caseId: 'Only items of this case id',
  kind: 'Only items of this kind',
  active: 'Only active (true) or inactive (false) items',
};
const parameterDescription = (where: string, name: string) => PARAMETERS[name] ?? `${name} (${where} parameter)`;

function defaultDescription(method: string, status: number, summary: string | undefined): string {
  if (status === 201) return `Created${summary ? `: ${lower(summary)}` : ''}`;
  if (status === 202) return `Accepted${summary ? `: ${lower(summary)}` : ''}`;
  if (status === 204) return 'Done; no body';
  return summary ? `OK: ${lower(summary)}` : method === 'get' ? 'The resource' : 'OK';
}
const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** One webhook per event type in the catalog (components `EventData.<type>`): the signed CloudEvent a subscriber receives. */
function webhooks(doc: Obj): Obj {
  const schemas = (doc.components?.schemas ?? {}) as Obj;
  const out: Obj = {};
  for (const id of Object.keys(schemas).sort()) {
    if (!id.startsWith('EventData.')) continue;
    const type = id.slice('EventData.'.length);
    out[type] = {
      post: {
        operationId: `webhook${word(type)}`,
        tags: ['events'],
        summary: `${type} event`,
        description: `${schemas[id].description ?? ''}. POSTed to each matching subscription as a CloudEvents 1.0 structured event, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).`,
        parameters: [
          { in: 'header', name: 'webhook-id', required: true, schema: { type: 'string' }, description: 'Delivery id (the event id): deduplicate on it' },
          { in: 'header', name: 'webhook-timestamp', required: true, schema: { type: 'string' }, description: 'Unix seconds' },
          {
            in: 'header',
            name: 'webhook-signature',
            required: true,
            schema: { type: 'string' },
            description: 'v1,<base64 HMAC-SHA256> with the subscription secret',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/cloudevents+json': {
              schema: {
                allOf: [
                  { $ref: '#/components/schemas/CloudEvent' },
                  { type: 'object', properties: { type: { const: type }, data: { $ref: `#/components/schemas/${id.replace(/\//g, '~1')}` } } },
                ],
              },
            },
          },
        },
        responses: { '2XX': { description: 'Received; any other answer (or none within the timeout) is retried with backoff' } },
      },
    };
  }
  return out;
}

/**
 * Examples for request bodies and success responses that have none, built from the schema: a
 * field's own `examples` (the Chinese ones live in the schemas files), else its default, const or
 * first enum value, else a plausible value for its format. tests/contract/document.test.ts checks
 * each against its schema.
 */
function addExamples(doc: Obj) {
  for (const ops of Object.values((doc.paths ?? {}) as Obj)) {
    for (const m of METHODS) {
      const op = ops[m];
      if (!op) continue;
      const media: Obj[] = [
        ...Object.values((op.requestBody?.content ?? {}) as Obj),
        ...Object.entries((op.responses ?? {}) as Obj)
          .filter(([s]) => s.startsWith('2'))
          .flatMap(([, r]) => Object.values((r.content ?? {}) as Obj)),
      ];
      for (const mt of media) {
        if (!mt.schema || mt.example !== undefined || mt.examples || hasOwnExample(mt.schema)) continue;
        const v = sample(doc, mt.schema, 0);
        if (v !== undefined) mt.example = v;
      }
    }
  }
}

const hasOwnExample = (s: Obj) => Array.isArray(s.examples) && s.examples.length > 0;

function deref(doc: Obj, s: Obj): Obj {
  if (typeof s?.$ref !== 'string' || !s.$ref.startsWith('#/')) return s;
  let cur: any = doc;
  for (const part of s.$ref.slice(2).split('/')) cur = cur?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur ?? {};
}

const FORMATS: Record<string, string> = {
  'date-time': '2026-03-02T10:00:00.000Z',
  date: '2026-03-02',
  uri: 'https://partner.example.cn/hooks/enforcement',
  email: 'reporter@example.cn',
  uuid: '01a2311c-cc55-72c8-baf8-7c163fd579c3',
};

/**
 * Realistic values by field name for generated examples (the schema's own `examples` win), drawn
 * from the demo data of both sides, so a generated example reads like a real record.
 */
const FIELD_EXAMPLES: Record<string, string> = {
  id: '01a23187-e5ef-7582-93ce-33c9d6951b71',
  agencyCode: '652301',
  leadAgencyCode: '652301',
  coHandlingAgencyCodes: 'XPCC-D8',
  agencyCodes: 'XPCC-D8',
  toAgencyCode: 'XPCC-D8',
  fromAgencyCode: '652301',
  byAgencyCode: '652301',
  actorAgencyCode: '652301',
  supervisingAgencyCode: '652300',
  convenerAgencyCode: '650000',
  ownerAgencyCode: 'XPCC-D8',
  consultationId: '01a23187-e5ef-7582-93ce-33c9d6951b72',
  decisionId: '01a23187-e5ef-7582-93ce-33c9d6951b73',
  place: '自治区生态环境厅三楼会议室',
  suggestedAgencyCode: 'XPCC-D8',
  parentCode: '652300',
  agencycode: '652301',
  sourceId: 'src-652301-01',
  sourceName: '昌吉示例热电有限公司',
  partyName: '昌吉示例热电有限公司',
  teamId: 'team-652301-air',
  leadTeamId: 'team-652301-air',
  areaId: 'area-652301',
  areaIds: 'area-652301',
  gridId: 'grid-652301-01',
  reason: '举报地点位于兵团第八师石河子市辖区，依职责移交兵团办理',
  statusReason: '举报事项不属于生态环境部门职责，已告知举报人向住建部门反映',
  declineReason: '该点位在本队辖区外（兵团第八师一二一团），请重新分派',
  liftReason: '企业已完成除尘设施整改，经现场复查达标',
  disabledReason: '接收端连续 5 天投递失败',
  description: '昌吉市延安北路附近一家热电厂夜间烟囱冒黑烟，气味刺鼻',
  address: '新疆昌吉回族自治州昌吉市延安北路198号',
  address_string: '新疆昌吉回族自治州昌吉市延安北路198号',
  name: '昌吉市生态环境执法大队 大气组',
  planName: '2026年第四季度昌吉—石河子交叉双随机抽查',
  title: '昌吉示例热电有限公司锅炉烟气超标排放',
  summary: '现场检查发现燃煤锅炉未运行除尘设施，烟气林格曼黑度超过1级',
  text: '经现场核查，该企业燃煤锅炉除尘设施未运行，已责令立即改正并立案调查。',
  comment: '已在备案材料中补充现场照片和监测报告。',
  note: '企业负责人到场配合检查',
  completionNote: '已现场核查并完成处置，答复意见见附件',
  reply: '经现场核查，举报情况属实，已责令企业停产整改并立案查处。',
  question: '被查封的是哪台锅炉？企业法定代表人是谁？',
  by: '张明（执法证号 65010023）',
  approvedBy: '李建国',
  createdBy: '王芳',
  acknowledgedBy: '赵磊（第八师生态环境局）',
  readBy: '赵磊',
  capturedBy: '执法证号 65010023',
  transferredTo: '昌吉市住房和城乡建设局',
  transferredFrom: '乌鲁木齐市生态环境局',
  receivingBureau: '昌吉市公安局',
  legalBasis: '中华人民共和国大气污染防治法 第九十九条',
  documentNumber: '昌环罚〔2026〕12号',
  permitNumber: '91652301700100010A001P',
  certificateNo: '新环执证 65010023',
  industry: '热电联产',
  requirement: '除尘、脱硫设施正常运行，颗粒物排放浓度不超过 30 mg/m³',
  outcome: 'no_issue',
  externalRef: 'HOTLINE-20261201-0007',
  number: '12369-2026-000123',
  caseNumber: '652301-2026-0007',
  adminCode: '652301',
  address_id: '652301',
  category: 'air',
  categories: 'air',
  service_code: 'air',
  service_name: '大气污染',
  jurisdiction_id: 'xinjiang',
  agency_responsible: '昌吉市生态环境局',
  service_notice: '受理后 15 日内告知是否受理',
  status_notes: '已受理，正在调查',
  first_name: '明',
  last_name: '张',
  keywords: '锅炉 黑烟',
  officers: 'insp-652301-01',
  officersPresent: '张明（执法证号 65010023）',
  inspectorId: 'insp-652301-01',
  itemCode: 'air-emission',
  itemCodes: 'air-emission',
  message: '案件 652301-2026-0007 已超过作出处理决定的期限',
  detail: '昌吉市生态环境局未在期限内确认备案',
  error: 'connect ECONNREFUSED 127.0.0.1:9',
  lastError: 'HTTP 503 from receiver',
  url: 'https://partner.example.gov.cn/hooks/enforcement',
  nextCursor: 'eyJjIjoiMjAyNi0xMi0wMVQwMjowMDowMC4wMDBaIiwiaSI6IjAxYTIzMTg3In0',
  cursor: 'eyJjIjoiMjAyNi0xMi0wMVQwMjowMDowMC4wMDBaIiwiaSI6IjAxYTIzMTg3In0',
  after: '1842',
  upTo: '1900',
  duplicateOf: '01a23185-a1ea-754c-af6f-50ecb2926c27',
  previousId: '01a23185-a1ea-754c-af6f-50ecb2926c27',
  assignmentId: '01a2318a-0c3e-7d41-9f0e-5b8e3c2d1a77',
  caseId: '01a23190-3b2f-7a10-8c4d-2e6f9a1b3c55',
  complaintId: '01a23185-a1ea-754c-af6f-50ecb2926c27',
  complaintIds: '01a23185-a1ea-754c-af6f-50ecb2926c27',
  ids: '01a23185-a1ea-754c-af6f-50ecb2926c27',
  into: '01a23185-a1ea-754c-af6f-50ecb2926c27',
  inspectionId: '01a231a0-77d2-7c3e-b1a4-0f2e5d6c7b88',
  planId: '01a2319c-5e1d-7b2a-a3c4-9d8e7f6a5b44',
  previousPlanId: '01a23170-4c3b-7a29-b8d7-6e5f4a3b2c11',
  filingId: '01a23195-2a1b-7c3d-9e8f-7a6b5c4d3e22',
  measureId: '01a23192-6f5e-7d4c-8b3a-2c1d0e9f8a33',
  answersId: '01a23197-1b2c-7d3e-8f4a-5b6c7d8e9f00',
  answers: '01a23197-1b2c-7d3e-8f4a-5b6c7d8e9f00',
  eventId: '01a231b2-8d7c-7e6f-9a0b-1c2d3e4f5a66',
  replayId: '01a231b5-3e4f-7a5b-8c6d-7e8f9a0b1c77',
  keyId: '01a23150-9f8e-7d6c-b5a4-3c2d1e0f9a12',
  byKeyId: '01a23150-9f8e-7d6c-b5a4-3c2d1e0f9a12',
  ownerKeyId: '01a23150-9f8e-7d6c-b5a4-3c2d1e0f9a12',
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  creditCode: '91652301700100010A',
  commitment: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
  inputHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  seed: 'fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
  hash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  prevHash: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
  constraint: 'inspectors-per-target',
  via: 'GET /v1/complaints/{id}',
  byRole: 'supervisor',
  role: 'supervisor',
  side: 'region',
  status: 'received',
  type: 'complaint.received',
  types: 'complaint.*',
  subject: 'complaints/01a23185-a1ea-754c-af6f-50ecb2926c27',
  actor: 'key:01a23150-9f8e-7d6c-b5a4-3c2d1e0f9a12',
  caseLink: '/v1/cases/01a23190-3b2f-7a10-8c4d-2e6f9a1b3c55',
  drawRecordUrl: '/v1/public/inspection-plans/01a2319c-5e1d-7b2a-a3c4-9d8e7f6a5b44/draw',
  media_url: 'https://partner.example.gov.cn/media/20261201-0007.jpg',
  dataSchemaRef: '#/components/schemas/EventData.complaint.received',
  evidence: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  warnings: 'inner GB 11714 organisation code check failed',
  service_request_id: '12369-2026-000123',
  device_id: 'hotline-desk-07',
  account_id: 'web-20261201-0007',
  notificationKind: 'filing.overdue',
  group: 'complaints',
  prefix: 'ek_3f9a2b',
  method: 'POST',
  code: 'Q7K2M9P4',
  queryCode: 'Q7K2M9P4',
  key: 'ek_5mQf3oW0bq1v9uXz7rT2yLhN8cE4aD6s',
  api_key: 'ek_5mQf3oW0bq1v9uXz7rT2yLhN8cE4aD6s',
  phone: '13899990000',
  email: 'reporter@example.cn',
  parties: '652301',
  origin: '中央环境保护督察反馈意见：局部区域大气和水环境问题突出',
  leadSide: 'region',
  coAgencyCodes: 'XPCC',
  responsiblePerson: '李建国',
  measures: '淘汰城市建成区燃煤锅炉',
  target: '乌—昌—石区域细颗粒物浓度逐年下降',
  listedSupervisionBy: '652300',
  taskId: '01a231c0-1a2b-7c3d-8e4f-5a6b7c8d9e01',
  action: 'close_off_approved',
  reasons: '仍有 3 台燃煤锅炉未拆除',
  checkOpinion: '经现场核查，整改措施落实到位，同意销号。',
  importedBy: '01a23150-9f8e-7d6c-b5a4-3c2d1e0f9a12',
  removed: 'data/backups/enforcement-20261124T020000Z.db',
  opinion: '经复查，原答复认定事实清楚、处理恰当，维持原答复意见。',
  dueOn: '2026-12-15',
  certificateValidUntil: '2028-12-31',
  failedAt: '2026-12-01T08:15:00.000Z',
};

function sample(doc: Obj, s0: Obj, depth: number, key?: string): unknown {
  const s = deref(doc, s0);
  if (!s || depth > 8) return undefined;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const k of ['anyOf', 'oneOf'] as const)
    if (Array.isArray(s[k])) {
      const branches = s[k] as Obj[];
      const nonNull = branches.find((b) => deref(doc, b).type !== 'null') ?? branches[0];
      return sample(doc, nonNull, depth + 1, key);
    }
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((p: Obj) => sample(doc, p, depth + 1, key));
    return parts.every((p: unknown) => p && typeof p === 'object' && !Array.isArray(p)) ? Object.assign({}, ...parts) : parts[0];
  }
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  if (type === 'object' || s.properties) {
    const out: Obj = {};
    const required = new Set<string>(s.required ?? []);
    for (const [k, p] of Object.entries((s.properties ?? {}) as Obj)) {
      const v = sample(doc, p, depth + 1, k);
      if (v !== undefined) out[k] = v;
      else if (required.has(k)) return undefined; // no honest value for a required field: no example
    }
    return out;
  }
  if (type === 'array') {
    const item = s.items ? sample(doc, s.items, depth + 1, key) : undefined;
    if (item === undefined) return (s.minItems ?? 0) > 0 ? undefined : [];
    const n = Math.max(1, s.minItems ?? 1);
    return n > 1 && s.uniqueItems ? undefined : Array.from({ length: n }, () => item);
  }
  if (type === 'integer' || type === 'number') return typeof s.minimum === 'number' ? Math.max(s.minimum, 1) : 1;
  if (type === 'boolean') return false;
  if (type === 'null') return null;
  if (type === undefined && !s.properties && !s.items && !s.pattern) return {}; // any value
  if (type === 'string') {
    if (s.format && FORMATS[s.format]) return FORMATS[s.format];
    // "e.g. 12369-2026-000123" in the description is the field's own example.
    const eg = /e\.g\. ([^\s,;)]+)/.exec(String(s.description ?? ''))?.[1]?.replace(/^["'`]|["'`.:]$/g, '');
    if (eg && eg.length >= (s.minLength ?? 0) && eg.length <= (s.maxLength ?? Infinity) && (!s.pattern || new RegExp(s.pattern, 'u').test(eg))) return eg;
    const known = key !== undefined ? FIELD_EXAMPLES[key] : undefined;
    if (known && known.length >= (s.minLength ?? 0) && known.length <= (s.maxLength ?? Infinity) && (!s.pattern || new RegExp(s.pattern, 'u').test(known)))
      return known;
    if (s.pattern) return undefined;
    const text = 'example';
    return text.length < (s.minLength ?? 0) ? text.padEnd(s.minLength, 'x') : text.slice(0, s.maxLength ?? text.length);
  }
  return undefined;
}
