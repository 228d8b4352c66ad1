import { Type } from 'typebox';
import { CategorySchema, DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { PageQuery } from '../http/pagination.js';

/** TypeBox schemas of random inspections (双随机、一公开), hand-written from `typebox` only. */

const DateOnly = (description: string, example = '2026-04-01') =>
  Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description, examples: [example] });
const Agency = (description = 'Agency code (GB/T 2260 for the region, XPCC-… for the corps)') =>
  Type.String({ minLength: 1, maxLength: 32, description, examples: ['652301'] });
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const Hex64 = (description: string, example: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description, examples: [example] });

export const ClassSchema = Type.Enum(['key', 'special', 'general'] as const, {
  description: 'Supervision class: key 重点排污单位, special 特殊监管对象, general 一般排污单位',
});
export const ModeSchema = Type.Enum(['same_side', 'cross', 'joint'] as const, {
  description:
    'same_side: officers of the source’s side; cross (交叉执法): only officers of the other side; joint: at least one officer of each side per target',
});

// ------------------------------------------------------------------------------ checklist

export const CreateItemBody = Type.Object(
  {
    agencyCode: Agency('Agency the item belongs to (usable by it and the agencies below it)'),
    code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$', description: 'Item code, unique per agency', examples: ['AIR-01'] }),
    name: Type.String({ minLength: 1, maxLength: 200, description: '检查事项名称', examples: ['大气污染防治设施运行情况'] }),
    legalBasis: Type.String({ minLength: 1, maxLength: 500, description: '检查依据', examples: ['《中华人民共和国大气污染防治法》第二十条'] }),
    categories: Type.Array(CategorySchema, { minItems: 1, maxItems: 8, uniqueItems: true, description: 'Environmental categories the item covers' }),
    targetClasses: Type.Array(ClassSchema, { minItems: 1, maxItems: 3, uniqueItems: true, description: 'Supervision classes the item applies to' }),
    method: Type.String({ minLength: 1, maxLength: 500, description: '检查方式', examples: ['现场检查、查阅运行台账'] }),
  },
  { additionalProperties: false },
);

export const ItemSchema = Type.Object(
  {
    id: Type.String(),
    agencyCode: Type.String(),
    code: Type.String(),
    name: Type.String({ description: '检查事项名称' }),
    legalBasis: Type.String({ description: '检查依据' }),
    categories: Type.Array(Type.String()),
    targetClasses: Type.Array(ClassSchema),
    method: Type.String({ description: '检查方式' }),
    createdAt: DateTime(),
  },
  { $id: 'InspectionItem', description: 'Checklist item (检查事项)' },
);

export const ItemQuery = Type.Object({
  agencyCode: Type.Optional(Agency('Items usable by this agency (its own and its ancestors’)')),
  ...PageQuery,
});

// --------------------------------------------------------------------------------- roster

export const CreateInspectorBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: '执法人员姓名', examples: ['李明'] }),
    agencyCode: Agency('Agency of the officer (the side follows it)'),
    teamId: Id('Team the officer works in (assignments of his inspections go to it)'),
    certificateNo: Type.String({ minLength: 1, maxLength: 64, description: '执法证号, unique', examples: ['65230120260001'] }),
    certificateValidUntil: DateOnly('Last day the enforcement certificate is valid', '2028-12-31'),
    expert: Type.Optional(Type.Boolean({ description: 'Technical expert (专家), default false' })),
    active: Type.Optional(Type.Boolean({ description: 'May be drawn (default true)' })),
    keyId: Type.Optional(Nullable(Id('The officer’s inspector API key id: he sees his own inspection tasks through it'))),
  },
  { additionalProperties: false },
);

export const PatchInspectorBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    teamId: Type.Optional(Id('Team')),
    certificateNo: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    certificateValidUntil: Type.Optional(DateOnly('Last day the certificate is valid')),
    expert: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
    keyId: Type.Optional(Nullable(Id('Inspector API key id'))),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ConflictSchema = Type.Object({
  id: Type.String(),
  sourceId: Type.String(),
  reason: Type.String({ description: '回避理由' }),
  createdAt: DateTime(),
});

export const InspectorSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String({ description: '执法人员姓名' }),
    side: SideSchema,
    agencyCode: Type.String(),
    teamId: Type.String(),
    certificateNo: Type.String({ description: '执法证号' }),
    certificateValidUntil: Type.String({ format: 'date' }),
    expert: Type.Boolean(),
    active: Type.Boolean(),
    keyId: Nullable(Type.String()),
    conflicts: Type.Array(ConflictSchema, { description: 'Declared conflicts (回避)' }),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer(),
  },
  {
    $id: 'Inspector',
    description: 'An enforcement officer of the roster (执法人员名录库). Visible only to his agency’s supervisors (and those above) and admins.',
  },
);

export const InspectorQuery = Type.Object({
  agencyCode: Type.Optional(Agency('Officers of this agency and those below it')),
  active: Type.Optional(Type.Boolean()),
  ...PageQuery,
});

export const ConflictBody = Type.Object(
  {
    sourceId: Id('Pollution source the officer must not inspect'),
    reason: Type.String({ minLength: 1, maxLength: 500, description: '回避理由', examples: ['近亲属在该企业任职'] }),
  },
  { additionalProperties: false },
);

// ---------------------------------------------------------------------------------- plans

const Ratio = (cls: string) => Type.Number({ minimum: 0, maximum: 1, description: `Fraction of the ${cls} pool drawn (rounded up)`, examples: [0.25] });

export const CreatePlanBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: '抽查计划名称', examples: ['2026年第二季度昌吉市污染源双随机抽查'] }),
    agencyCode: Agency('Plan agency (its supervisors create the plan and see the draw)'),
    scope: Type.Object(
      {
        agencyCode: Type.Optional(Agency('Sources supervised by this agency and those below it (default: the plan agency)')),
        areaIds: Type.Optional(
          Type.Array(Id('Area id'), { minItems: 1, maxItems: 100, uniqueItems: true, description: 'Only sources in these areas or grid cells' }),
        ),
        categories: Type.Optional(
          Type.Array(CategorySchema, {
            minItems: 1,
            maxItems: 8,
            uniqueItems: true,
            description: 'The plan’s focus: every checklist item must cover one of them',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    period: Type.Object(
      { from: DateOnly('First day of the inspection period (certificates must be valid on it)'), to: DateOnly('Last day of the period', '2026-06-30') },
      { additionalProperties: false },
    ),
    ratios: Type.Object({ key: Ratio('key'), special: Ratio('special'), general: Ratio('general') }, { additionalProperties: false }),
    inspectorsPerTarget: Type.Integer({ minimum: 2, maximum: 10, description: 'Officers per target, at least 2 (行政处罚法 art. 42)', examples: [2] }),
    mode: ModeSchema,
    itemCodes: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      description: 'Checklist items inspected (items of the plan agency or above)',
    }),
    parties: Type.Array(Agency(), {
      minItems: 2,
      maxItems: 10,
      uniqueItems: true,
      description:
        'Agencies that contribute randomness, in the order their secrets are concatenated: the plan agency and at least one other (the other side’s agency of the same level for cross/joint; a supervising agency for same_side)',
    }),
  },
  { additionalProperties: false },
);

export const CommitmentBody = Type.Object(
  {
    agencyCode: Agency('The party agency committing'),
    commitment: Hex64('hex SHA-256 of the party’s 32 secret bytes', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'),
  },
  { additionalProperties: false },
);

export const RevealBody = Type.Object(
  {
    agencyCode: Agency('The party agency revealing'),
    secret: Hex64('The party’s 32 secret bytes as 64 lowercase hex characters', '4c1e2b7a9d0f3e6c5b8a7d6e5f4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2'),
  },
  { additionalProperties: false },
);

const PartySchema = Type.Object({
  agencyCode: Type.String(),
  commitment: Nullable(Type.String({ description: 'hex SHA-256 of the secret' })),
  committedAt: Nullable(DateTime()),
  revealed: Type.Boolean(),
  revealedAt: Nullable(DateTime()),
  secret: Type.Optional(Nullable(Type.String({ description: 'Shown once the period has ended (public) or once drawn (plan supervisors)' }))),
});

const TargetSchema = Type.Object({
  inspectionId: Type.String(),
  sourceId: Type.String(),
  class: ClassSchema,
  officers: Type.Array(Type.String(), { description: 'Drawn officer ids' }),
});

const FailureSchema = Type.Object({
  constraint: Type.String({
    description: 'The constraint that could not be met: pool_empty | active | certificate | conflict | rotation | side_rule | distinct',
  }),
  detail: Type.String(),
  sourceId: Type.String(),
  slot: Type.Integer(),
});

const Disclosure = Type.Object({
  inspected: Type.Integer({ description: 'Inspections recorded' }),
  published: Type.Integer({ description: 'Results approved for publication' }),
  rate: Nullable(Type.Number({ description: 'published ÷ inspected (null before any inspection)' })),
  overdue: Type.Integer({ description: 'Recorded results past their publication deadline and not yet published' }),
});

const planFields = {
  id: Type.String(),
  name: Type.String({ description: '抽查计划名称' }),
  agencyCode: Type.String(),
  side: SideSchema,
  scope: Type.Object({
    agencyCode: Type.Optional(Type.String()),
    areaIds: Type.Optional(Type.Array(Type.String())),
    categories: Type.Optional(Type.Array(Type.String())),
  }),
  period: Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }),
  ratios: Type.Object({ key: Type.Number(), special: Type.Number(), general: Type.Number() }),
  inspectorsPerTarget: Type.Integer(),
  mode: ModeSchema,
  itemCodes: Type.Array(Type.String()),
  status: Type.Enum(['committing', 'revealing', 'drawn', 'failed'] as const, { description: 'committing → revealing (pools frozen) → drawn | failed' }),
  parties: Type.Array(PartySchema),
  frozenAt: Nullable(DateTime()),
  inputHash: Nullable(Type.String({ description: 'SHA-256 of the frozen draw input (pools and parameters), recorded before any reveal' })),
  poolSizes: Nullable(Type.Object({ key: Type.Integer(), special: Type.Integer(), general: Type.Integer(), officers: Type.Integer() })),
  previousPlanId: Nullable(Type.String({ description: 'Previous plan of the same scope (its pairs are not repeated)' })),
  seed: Nullable(Type.String({ description: 'SHA-256 of the secrets in party order' })),
  drawnAt: Nullable(DateTime()),
  failure: Nullable(FailureSchema),
  disclosure: Disclosure,
};

export const PlanSchema = Type.Object(
  {
    ...planFields,
    targets: Nullable(Type.Array(TargetSchema, { description: 'The drawn list: only for the plan agency’s supervisors and admins' })),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer(),
  },
  { $id: 'InspectionPlan', description: 'Random-inspection plan (抽查计划) with its commit–reveal draw' },
);

export const PublicPlanSchema = Type.Object(
  {
    ...planFields,
    periodEnded: Type.Boolean({ description: 'Once true: secrets, seed, the draw and the draw record are public' }),
    targets: Nullable(
      Type.Array(Type.Object({ sourceId: Type.String(), class: ClassSchema, officers: Type.Array(Type.String()) }), {
        description: 'The draw, once the period has ended',
      }),
    ),
    drawRecordUrl: Nullable(Type.String({ description: 'Where the full draw record (input pools, secrets, seed, result) is, for `draw verify`' })),
  },
  { $id: 'PublicInspectionPlan', description: 'A plan as the public sees it (一公开): no names or contacts' },
);

export const PlanQuery = Type.Object({
  agencyCode: Type.Optional(Agency('Plans of this agency')),
  status: Type.Optional(Type.Enum(['committing', 'revealing', 'drawn', 'failed'] as const)),
  ...PageQuery,
});

export const DrawRecordSchema = Type.Object(
  {
    input: Type.Object(
      {
        planId: Type.String(),
        inspectionDate: Type.String({ format: 'date' }),
        ratios: Type.Object({ key: Type.Number(), special: Type.Number(), general: Type.Number() }),
        inspectorsPerTarget: Type.Integer(),
        mode: ModeSchema,
        planSide: SideSchema,
        parties: Type.Array(Type.String()),
        pools: Type.Object({
          sources: Type.Array(Type.Object({ id: Type.String(), class: ClassSchema, side: SideSchema })),
          officers: Type.Array(Type.Object({ id: Type.String(), side: SideSchema, active: Type.Boolean(), certificateValidUntil: Type.String() })),
          conflicts: Type.Array(Type.Object({ inspectorId: Type.String(), sourceId: Type.String() })),
          previousPairs: Type.Array(Type.Object({ inspectorId: Type.String(), sourceId: Type.String() })),
        }),
      },
      { description: 'Everything the draw reads, exactly' },
    ),
    inputHash: Type.String(),
    commitments: Type.Array(Type.Object({ agencyCode: Type.String(), commitment: Type.String(), secret: Type.String() })),
    seed: Type.String(),
    result: Type.Union([
      Type.Object({
        status: Type.Literal('drawn'),
        targets: Type.Array(Type.Object({ sourceId: Type.String(), class: ClassSchema, officers: Type.Array(Type.String()) })),
      }),
      Type.Object({ status: Type.Literal('failed'), failure: FailureSchema }),
    ]),
  },
  {
    $id: 'DrawRecord',
    description: 'The published draw record; `npm run cli -- draw verify <file>` re-runs it (src/inspections/draw.ts documents the algorithm)',
  },
);

// ---------------------------------------------------------------------------- inspections

export const ItemResultSchema = Type.Object(
  {
    itemCode: Type.String({ minLength: 1, maxLength: 40 }),
    result: Type.Enum(['compliant', 'non_compliant', 'not_applicable'] as const),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: '检查情况说明' }))),
  },
  { additionalProperties: false },
);

export const RecordBody = Type.Object(
  {
    inspectionDate: Type.Optional(DateOnly('Day of the inspection (default today, China time); within the period, not in the future')),
    results: Type.Array(ItemResultSchema, { minItems: 1, maxItems: 100, description: 'One result per checklist item of the plan' }),
    officersPresent: Type.Array(Id('Drawn officer id'), {
      minItems: 2,
      maxItems: 10,
      uniqueItems: true,
      description: 'Officers present, at least 2, all of them drawn for this inspection',
    }),
    evidence: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 100, description: 'Evidence references (photo ids, document numbers)' }),
    ),
    outcome: Type.Enum(['no_issue', 'rectify', 'case'] as const, {
      description: 'no_issue; rectify (责令改正, with rectification); case (registers a case, origin inspection)',
    }),
    rectification: Type.Optional(
      Type.Object(
        { dueOn: DateOnly('Correction due date', '2026-05-15'), requirement: Type.String({ minLength: 1, maxLength: 2000, description: '整改要求' }) },
        { additionalProperties: false },
      ),
    ),
    case: Type.Optional(
      Type.Object(
        {
          title: Type.String({ minLength: 1, maxLength: 200, examples: ['除尘设施未正常运行'] }),
          category: CategorySchema,
          summary: Type.String({ minLength: 1, maxLength: 5000 }),
        },
        { additionalProperties: false, description: 'The case registered for outcome = case (lead: the source’s supervising agency)' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const InspectionSchema = Type.Object(
  {
    id: Type.String(),
    planId: Type.String(),
    planName: Type.String(),
    sourceId: Type.String(),
    sourceName: Nullable(Type.String()),
    creditCode: Nullable(Type.String()),
    class: ClassSchema,
    officers: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), side: SideSchema, teamId: Type.String() })),
    status: Type.Enum(['drawn', 'open', 'recorded', 'published'] as const, { description: 'drawn → open (period started, assigned) → recorded → published' }),
    period: Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }),
    itemCodes: Type.Array(Type.String()),
    inspectionDate: Nullable(Type.String({ format: 'date' })),
    results: Nullable(Type.Array(ItemResultSchema)),
    officersPresent: Nullable(Type.Array(Type.String())),
    evidence: Nullable(Type.Array(Type.String())),
    outcome: Nullable(Type.String()),
    rectification: Nullable(Type.Object({ dueOn: Type.String(), requirement: Type.String() })),
    caseId: Nullable(Type.String()),
    recordedAt: Nullable(DateTime()),
    publicationDueAt: Nullable(DateTime('24:00 China time of the last working day to publish the result')),
    overdue: Type.Boolean(),
    publishedAt: Nullable(DateTime()),
    version: Type.Integer(),
  },
  { $id: 'Inspection', description: 'One drawn inspection: visible to the plan agency’s supervisors and, from the period’s start, to its drawn officers' },
);

export const InspectionQuery = Type.Object({
  planId: Type.Optional(Id('Inspections of this plan')),
  status: Type.Optional(Type.Enum(['drawn', 'open', 'recorded', 'published'] as const)),
  ...PageQuery,
});

export const PublicResultSchema = Type.Object(
  {
    inspectionId: Type.String(),
    planId: Type.String(),
    planName: Type.String(),
    agencyCode: Type.String({ description: 'Plan agency' }),
    sourceId: Type.String(),
    sourceName: Type.String({ description: '被检查单位名称' }),
    creditCode: Type.String({ description: '统一社会信用代码' }),
    class: ClassSchema,
    classLabel: Type.String({ description: 'The class in the language asked for, e.g. 重点排污单位', examples: ['重点排污单位'] }),
    inspectionDate: Type.String({ format: 'date' }),
    outcome: Type.String({ description: 'no_issue | rectify | case' }),
    outcomeLabel: Type.String({
      description: 'The outcome in the language asked for (Accept-Language; Chinese by default), e.g. 责令整改',
      examples: ['责令整改'],
    }),
    nonCompliantItems: Type.Array(Type.Object({ itemCode: Type.String(), name: Nullable(Type.String()), note: Nullable(Type.String()) })),
    rectificationDueOn: Nullable(Type.String({ format: 'date' })),
    publishedAt: DateTime(),
  },
  { $id: 'PublicInspectionResult', description: 'A published inspection result (抽查结果公开): no officer contact data' },
);

export const PublicResultQuery = Type.Object({ planId: Type.Optional(Id('Results of this plan')), ...PageQuery });
export const IdParams = Type.Object({ id: Id('Resource id') });
