import { Type } from 'typebox';
import { FormatQuery } from '../http/csv.js';
import { CategorySchema, DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { CASE_STATUSES, MEASURE_TYPES, ORIGIN_KINDS } from './tables.js';

const AgencyCode = (description = 'Agency code') => Type.String({ minLength: 1, maxLength: 64, description });
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const DateOnly = (description: string) => Type.String({ format: 'date', description });

export const LocationSchema = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, WGS-84' }),
    lng: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, WGS-84' }),
  },
  { additionalProperties: false, description: 'WGS-84 point' },
);

// ---------------------------------------------------------------- sources

export const CreditCodeSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from 0-9 A-H J-N P-R T U W-Y; the 18th is a check character',
  examples: ['91350100M000100Y43'],
});

export const SupervisionClassSchema = Type.Union([Type.Literal('key'), Type.Literal('special'), Type.Literal('general')], {
  description: 'Supervision class for random inspections: key 重点排污单位, special 特殊监管对象, general 一般排污单位 (null: not classified, never drawn)',
  examples: ['key'],
});

export const SourceSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String({ description: 'Enterprise or facility name' }),
    creditCode: Type.String({ description: 'Unified social credit code' }),
    side: SideSchema,
    agencyCode: Type.String({ description: 'Supervising agency' }),
    location: LocationSchema,
    address: Type.String(),
    industry: Type.String({ description: 'Industry (e.g. GB/T 4754 name or code)' }),
    permitNumber: Nullable(Type.String({ description: 'Pollutant discharge permit number (排污许可证编号)' })),
    gridId: Nullable(Type.String({ description: 'Grid cell (网格) the source lies in; resolved from the location when not given' })),
    supervisionClass: Nullable(SupervisionClassSchema),
    supervisionClassSetOn: Nullable(
      Type.String({ format: 'date', description: 'Date (China time) the supervision class was last set', examples: ['2026-03-02'] }),
    ),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer({ description: 'Increments on every change; the ETag is its quoted value' }),
    warnings: Type.Optional(Type.Array(Type.String(), { description: 'Non-fatal findings, e.g. the inner GB 11714 check failed' })),
  },
  { $id: 'PollutionSource', description: 'Pollution source (污染源档案)' },
);

export const CreateSourceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Enterprise or facility name' }),
    creditCode: CreditCodeSchema,
    side: SideSchema,
    agencyCode: AgencyCode('Supervising agency (must be on `side`)'),
    location: LocationSchema,
    address: Type.String({ minLength: 1, maxLength: 500 }),
    industry: Type.String({ minLength: 1, maxLength: 200 }),
    permitNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Pollutant discharge permit number' })),
    gridId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Grid cell; resolved from the location when absent' })),
    supervisionClass: Type.Optional(SupervisionClassSchema),
  },
  { additionalProperties: false },
);

export const PatchSourceBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    creditCode: Type.Optional(CreditCodeSchema),
    agencyCode: Type.Optional(AgencyCode('Supervising agency; the side follows it')),
    location: Type.Optional(LocationSchema),
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    industry: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    permitNumber: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    gridId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    supervisionClass: Type.Optional(Nullable(SupervisionClassSchema)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const SourceQuery = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name contains (case-insensitive)' })),
  creditCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Exact credit code' })),
  agencyCode: Type.Optional(AgencyCode('Supervising agency, including agencies below it')),
  gridId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Grid cell' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (1–500)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page’s nextCursor' })),
});

// ---------------------------------------------------------------- cases

export const CaseStatusSchema = Type.Enum(CASE_STATUSES, {
  description: 'registered → investigating → pending_decision → decided → executing → closed; suspended, withdrawn, transferred',
});
export const MeasureTypeSchema = Type.Enum(MEASURE_TYPES, { description: 'Kind of enforcement measure' });

const ExtensionSchema = Type.Object({
  days: Type.Integer({ description: 'Days added to the decision deadline' }),
  reason: Type.String(),
  approvedBy: Type.String({ description: 'Who approved (agency head, or the leaders collectively)' }),
  collective: Type.Boolean({ description: 'Approved by collective decision of the agency leaders' }),
  at: DateTime('When the extension was recorded'),
});

export const CaseSchema = Type.Object(
  {
    id: Type.String(),
    number: Type.String({ description: 'Human case number `<leadAgencyCode at registration>-<year>-<5 digits>`, unique' }),
    title: Type.String(),
    category: CategorySchema,
    side: SideSchema,
    leadAgencyCode: Type.String({ description: 'Lead agency (主办)' }),
    leadTeamId: Nullable(Type.String({ description: 'Lead team, set when routing has run' })),
    coHandlingAgencyCodes: Type.Array(Type.String(), { description: 'Co-handling agencies (协办), including those added automatically' }),
    location: LocationSchema,
    address: Nullable(Type.String()),
    areaId: Nullable(Type.String()),
    gridId: Nullable(Type.String()),
    joint: Type.Boolean({ description: 'The place is on or near the other side’s ground' }),
    sourceId: Nullable(Type.String({ description: 'Pollution source' })),
    partyName: Nullable(Type.String({ description: 'Party (当事人) under investigation' })),
    origin: Type.Object({
      kind: Type.Enum(ORIGIN_KINDS),
      complaintIds: Type.Array(Type.String(), { description: '12369 complaints the case was opened from' }),
    }),
    summary: Type.String(),
    status: CaseStatusSchema,
    statusReason: Nullable(Type.String({ description: 'Reason given with the last transition' })),
    suspendedFrom: Nullable(CaseStatusSchema),
    decision: Nullable(
      Type.Object({ summary: Type.String(), documentNumber: Type.Optional(Nullable(Type.String({ description: 'Decision document number (决定书文号)' }))) }),
    ),
    transferredFrom: Nullable(Type.String({ description: 'Previous lead agency, after a transfer' })),
    registeredAt: DateTime(),
    decisionDueAt: DateTime('Decision deadline: registration + CASE_DECISION_DAYS + approved extensions'),
    extensions: Type.Array(ExtensionSchema),
    overdue: Type.Boolean({ description: 'The decision deadline passed without a decision' }),
    overdueAt: Nullable(DateTime()),
    decidedAt: Nullable(DateTime()),
    closedAt: Nullable(DateTime()),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer({ description: 'Increments on every change; the ETag is its quoted value' }),
  },
  { $id: 'Case', description: 'Enforcement case (执法案件)' },
);

export const TombstoneSchema = Type.Object(
  {
    id: Type.String({ description: 'Case that left the caller’s view' }),
    deleted: Type.Literal(true, { description: 'Always true: drop the case from the local copy' }),
  },
  { $id: 'CaseTombstone', description: 'Sync tombstone: the case is no longer visible to the caller (e.g. transferred away)' },
);

export const CreateCaseBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    category: CategorySchema,
    leadAgencyCode: AgencyCode('Lead agency; inspectors and supervisors may name their agency or one below it'),
    coHandlingAgencyCodes: Type.Optional(Type.Array(AgencyCode(), { maxItems: 20, uniqueItems: true, description: 'Co-handling agencies' })),
    location: LocationSchema,
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    sourceId: Type.Optional(Id('Pollution source id')),
    partyName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Party (当事人) under investigation' })),
    origin: Type.Object(
      {
        kind: Type.Enum(ORIGIN_KINDS, { description: 'How the case came about' }),
        complaintIds: Type.Optional(
          Type.Array(Id('Complaint id'), {
            minItems: 1,
            maxItems: 50,
            uniqueItems: true,
            description: 'Complaints the case is opened from (required when kind = complaint)',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    summary: Type.String({ minLength: 1, maxLength: 5000 }),
  },
  { additionalProperties: false },
);

export const PatchCaseBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    category: Type.Optional(CategorySchema),
    address: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 500 }))),
    partyName: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    sourceId: Type.Optional(Nullable(Id('Pollution source id'))),
    summary: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const TransitionBody = Type.Object(
  {
    to: CaseStatusSchema,
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Required for suspended, withdrawn and transferred' })),
    toAgencyCode: Type.Optional(AgencyCode('Receiving agency (required for transferred)')),
    decision: Type.Optional(
      Type.Object(
        {
          summary: Type.String({ minLength: 1, maxLength: 5000, description: 'What was decided' }),
          documentNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Decision document number (决定书文号)' })),
        },
        { additionalProperties: false, description: 'Required for decided' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ExtendCaseBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    approvedBy: Type.String({ minLength: 1, maxLength: 200, description: 'The approving agency head (or the leaders for a collective decision)' }),
    collective: Type.Optional(Type.Boolean({ default: false, description: 'Collective decision of the agency leaders (required for the second extension)' })),
  },
  { additionalProperties: false },
);

export const CaseQuery = Type.Object({
  ...FormatQuery,
  status: Type.Optional(Type.Array(CaseStatusSchema, { maxItems: 9, description: 'One or more statuses (repeat the parameter)' })),
  side: Type.Optional(SideSchema),
  agencyCode: Type.Optional(AgencyCode('Lead agency, including agencies below it')),
  category: Type.Optional(CategorySchema),
  sourceId: Type.Optional(Id('Pollution source')),
  creditCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Credit code of the case’s pollution source' })),
  measureType: Type.Optional(MeasureTypeSchema),
  overdue: Type.Optional(Type.Boolean({ description: 'Decision deadline passed without a decision (and still open)' })),
  joint: Type.Optional(Type.Boolean({ description: 'Place on or near the other side’s ground' })),
  registeredFrom: Type.Optional(DateTime('Registered at or after')),
  registeredTo: Type.Optional(DateTime('Registered before')),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Text in number, title, party name or summary' })),
  sort: Type.Optional(Type.Enum(['registeredAt', 'updatedAt'] as const, { default: 'registeredAt', description: 'Newest first by this time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (1–500)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page’s nextCursor' })),
  updatedSince: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 512,
      description:
        'Sync mode: `0` for everything, then the `nextCursor` of the previous sync response. Returns the changed cases (latest state, in change order) and tombstones for cases that left your view; cannot be combined with filters or `cursor`.',
    }),
  ),
});

export const CaseListSchema = Type.Object(
  {
    items: Type.Array(Type.Union([Type.Ref('Case'), Type.Ref('CaseTombstone')])),
    nextCursor: Nullable(
      Type.String({ description: 'Search: pass as ?cursor= for the next page, null at the end. Sync: pass as ?updatedSince= next time (never null)' }),
    ),
    hasMore: Type.Optional(Type.Boolean({ description: 'Sync only: more changes are waiting; call again at once' })),
  },
  { description: 'Cases (search), or changes since a cursor (sync)' },
);

// ---------------------------------------------------------------- measures

export const CreateMeasureBody = Type.Object(
  {
    type: MeasureTypeSchema,
    legalBasis: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Legal basis (required for fine)' })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    amountFen: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'fine: amount in fen (1 yuan = 100 fen), integer ≥ 1' }),
    ),
    originalFineFen: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'daily_penalty: the original fine in fen' })),
    correctionServedOn: Type.Optional(DateOnly('daily_penalty: date the correction order (责令改正) was served')),
    reinspectedOn: Type.Optional(DateOnly('daily_penalty: date the re-inspection found the violation continuing')),
    startsOn: Type.Optional(DateOnly('seal_seizure, production_restriction: first day')),
    endsOn: Type.Optional(DateOnly('seal_seizure, production_restriction: last day (inclusive)')),
    servedOn: Type.Optional(DateOnly('production_suspension: date the order was served; hearing_notice: date the party was told of its right to a hearing')),
    transferKind: Type.Optional(
      Type.Enum(['administrative_detention', 'criminal'] as const, { description: 'police_transfer: 移送行政拘留 or 移送涉嫌环境犯罪' }),
    ),
    decidedAt: Type.Optional(DateTime('police_transfer: when the transfer was decided')),
    transferredAt: Type.Optional(DateTime('police_transfer: when the case and materials were handed to the police')),
    receivingBureau: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'police_transfer: receiving public security bureau' })),
    supervisingAgencyCode: Type.Optional(AgencyCode('listed_supervision: the supervising agency, strictly above the lead agency')),
    deadline: Type.Optional(DateOnly('listed_supervision: date by which the case must be dealt with')),
  },
  {
    additionalProperties: false,
    description:
      'Fields by type — warning: legalBasis?, description?; fine: amountFen, legalBasis; daily_penalty: originalFineFen, correctionServedOn, reinspectedOn (days and total are computed); seal_seizure / production_restriction: startsOn, endsOn; production_suspension: servedOn; police_transfer: transferKind, decidedAt, transferredAt, receivingBureau; listed_supervision: supervisingAgencyCode, deadline; hearing_notice: servedOn. Fines and daily penalties only once the case is at pending_decision or later (409 penalty-stage); a fine at or above HEARING_FINE_THRESHOLD_FEN needs a hearing_notice first (422 fine.hearing_notice_first).',
  },
);

export const MeasureSchema = Type.Object(
  {
    id: Type.String(),
    caseId: Type.String(),
    type: MeasureTypeSchema,
    status: Type.Enum(['active', 'lifted'] as const),
    legalBasis: Nullable(Type.String()),
    description: Nullable(Type.String()),
    amountFen: Nullable(Type.Integer({ description: 'fine: the amount; daily_penalty: the computed total (fen)' })),
    originalFineFen: Type.Optional(Type.Integer()),
    correctionServedOn: Type.Optional(Type.String({ format: 'date' })),
    reinspectedOn: Type.Optional(Type.String({ format: 'date' })),
    days: Type.Optional(Type.Integer({ description: 'daily_penalty: computed days (day after service → re-inspection day, inclusive)' })),
    totalFen: Type.Optional(Type.Integer({ description: 'daily_penalty: computed total = original fine × days' })),
    startsOn: Type.Optional(Type.String({ format: 'date' })),
    endsOn: Type.Optional(Type.String({ format: 'date', description: 'Current last day (after any extension)' })),
    originalEndsOn: Type.Optional(Type.String({ format: 'date' })),
    durationDays: Type.Optional(Type.Integer({ description: 'Initial period length in days, both ends counted' })),
    extension: Type.Optional(
      Type.Object({ newEndsOn: Type.String({ format: 'date' }), days: Type.Integer(), reason: Type.String(), approvedBy: Type.String(), at: DateTime() }),
    ),
    servedOn: Type.Optional(Type.String({ format: 'date' })),
    rectificationPlanDueOn: Type.Optional(
      Type.String({ format: 'date', description: 'production_suspension: rectification plan due (working days after service)' }),
    ),
    transferKind: Type.Optional(Type.Enum(['administrative_detention', 'criminal'] as const)),
    decidedAt: Type.Optional(DateTime()),
    transferredAt: Type.Optional(DateTime()),
    receivingBureau: Type.Optional(Type.String()),
    materialsDueAt: Type.Optional(DateTime('police_transfer: materials due (hours after the decision)')),
    supervisingAgencyCode: Type.Optional(Type.String()),
    deadline: Type.Optional(Type.String({ format: 'date' })),
    extensionCount: Type.Integer(),
    liftedAt: Nullable(DateTime()),
    liftReason: Nullable(Type.String()),
    createdAt: DateTime(),
    updatedAt: DateTime(),
  },
  { $id: 'CaseMeasure', description: 'Enforcement measure (执法措施)' },
);

export const ExtendMeasureBody = Type.Object(
  {
    newEndsOn: DateOnly('New last day (inclusive)'),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    approvedBy: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const LiftMeasureBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });

// ---------------------------------------------------------------- timeline

export const TimelineEntrySchema = Type.Object(
  {
    seq: Type.Integer({ description: '1, 2, 3… per case' }),
    kind: Type.Enum(['change', 'note', 'evidence'] as const),
    at: DateTime(),
    actor: Nullable(Type.String({ description: 'API key id of the actor (null: the system)' })),
    actorAgencyCode: Nullable(Type.String()),
    data: Type.Object({}, { additionalProperties: true, description: 'The change, note or evidence record' }),
    prevHash: Type.String({ description: 'hash of the previous entry (64 zeros for the first)' }),
    hash: Type.String({ description: 'sha256(prevHash + canonical JSON of {caseId, seq, kind, at, actor, actorAgencyCode, data})' }),
  },
  { $id: 'CaseTimelineEntry' },
);

export const NoteBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 5000, description: 'The note', examples: ['已现场检查，企业锅炉烟囱冒黑烟属实，已责令停产整改。'] }) },
  { additionalProperties: false },
);

export const EvidenceBody = Type.Object(
  {
    sha256: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'sha256 of the file (lower-case hex); the file itself lives elsewhere',
      examples: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    }),
    mediaType: Type.String({
      minLength: 3,
      maxLength: 127,
      pattern: '^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$',
      description: 'e.g. image/jpeg',
      examples: ['image/jpeg'],
    }),
    bytes: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'File size' }),
    capturedAt: DateTime('When it was captured'),
    capturedBy: Type.String({ minLength: 1, maxLength: 200, description: 'Who captured it (officer name or number)' }),
    location: Type.Optional(LocationSchema),
    description: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const VerifySchema = Type.Object({
  valid: Type.Boolean(),
  entries: Type.Integer({ description: 'Entries checked' }),
  firstBrokenAt: Type.Optional(Type.Integer({ description: 'seq of the first entry whose link or hash does not check out' })),
  reason: Type.Optional(Type.String()),
});
