import { Type } from 'typebox';
import { CategorySchema, DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { PageQuery } from '../http/pagination.js';
import { ClassSchema, ItemResultSchema, RecordBody } from '../inspections/schemas.js';

/** TypeBox schemas of joint and cross enforcement operations (联合执法 / 交叉执法). */

const DateOnly = (description: string, example: string) => Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description, examples: [example] });
const Agency = (description: string, example = '652301') => Type.String({ minLength: 1, maxLength: 32, description, examples: [example] });
const Id = (description: string, example?: string) => Type.String({ minLength: 1, maxLength: 64, description, ...(example ? { examples: [example] } : {}) });

export const IdParams = Type.Object({ id: Id('Id') });
export const KindSchema = Type.Enum(['joint', 'cross'] as const, {
  description: 'joint (联合执法): each target visited by one team of each side; cross (交叉执法): teams of one side visit the other side’s targets',
});
export const OperationStatusSchema = Type.Enum(['proposed', 'confirmed', 'closed'] as const, {
  description: 'proposed (awaiting the other side’s confirmation), confirmed (tasks created), closed (summary frozen)',
});

export const CreateOperationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: '行动名称', examples: ['2026年冬季昌吉—石河子大气污染源联合执法行动'] }),
    kind: KindSchema,
    leadAgencyCode: Agency('Lead agency (牵头单位); its side is the operation’s side'),
    partnerAgencyCodes: Type.Array(Agency('Partner agency', 'XPCC-D8'), {
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      description: 'Partner agencies (配合单位); at least one of the other side',
    }),
    window: Type.Object(
      {
        from: DateOnly('First day (China time)', '2026-12-07'),
        to: DateOnly('Last day (China time); after `from`; tasks are due at its end', '2026-12-18'),
      },
      { additionalProperties: false, description: 'Unified enforcement time (统一执法时间)' },
    ),
    focus: Type.Object(
      {
        categories: Type.Array(CategorySchema, {
          maxItems: 8,
          uniqueItems: true,
          description:
            'Environmental categories (统一执法重点): they label the operation and give the default category of its work-list assignments; they do not filter targets (pollution sources carry a free-text industry, not a category)',
        }),
        areaIds: Type.Array(Id('Area id', 'area-652301'), {
          maxItems: 200,
          uniqueItems: true,
          description: 'Targets lie in one of these areas (empty: anywhere)',
        }),
        sourceIds: Type.Array(Id('Pollution source id', 'src-xpcc-d8-01'), {
          maxItems: 1000,
          uniqueItems: true,
          description: 'Only these sources (empty: every classified source of the lead and partner agencies)',
        }),
        supervisionClasses: Type.Array(ClassSchema, { maxItems: 3, uniqueItems: true, description: 'Only sources of these classes (empty: every class)' }),
      },
      { additionalProperties: false, description: 'Unified focus: which pollution sources become targets' },
    ),
    teams: Type.Array(Id('Team id', 'team-652301-air'), {
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      description: 'Teams of the lead and partner agencies (or below); joint needs teams of both sides (统一人员调配)',
    }),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: '备注', examples: ['重点检查除尘、脱硝设施运行情况'] }))),
  },
  { additionalProperties: false },
);

export const OperationTaskSchema = Type.Object(
  {
    id: Type.String(),
    operationId: Type.String({ examples: ['01a23187-e5ef-7582-93ce-33c9d6951b71'] }),
    sourceId: Type.String({ description: 'Target pollution source' }),
    sourceName: Nullable(Type.String({ description: '被检查单位名称' })),
    sourceSide: SideSchema,
    sourceAgencyCode: Type.String({ description: 'The source’s supervising agency (the ground’s side leads a case it opens)', examples: ['XPCC-D8'] }),
    teamIds: Type.Array(Type.String({ examples: ['team-652301-air'] }), { description: 'Teams assigned to visit it' }),
    status: Type.Enum(['open', 'recorded', 'cancelled'] as const, { description: 'open; recorded; cancelled (the operation closed first)' }),
    dueAt: DateTime('End of the operation window (24:00 China time of its last day)'),
    inspectionDate: Nullable(Type.String({ format: 'date' })),
    results: Nullable(Type.Array(ItemResultSchema)),
    officersPresent: Nullable(Type.Array(Type.String())),
    evidence: Nullable(Type.Array(Type.String())),
    outcome: Nullable(Type.Enum(['no_issue', 'rectify', 'case'] as const)),
    rectification: Nullable(Type.Object({ dueOn: Type.String(), requirement: Type.String({ description: '整改要求' }) })),
    caseId: Nullable(Type.String({ description: 'The case registered for outcome case' })),
    alertLevel: Nullable(
      Type.Enum(['yellow', 'orange', 'red'] as const, {
        description: 'Alert-linked tasks: the alert level the source is checked against (follows the alert’s changes)',
      }),
    ),
    requiredMeasures: Nullable(
      Type.Array(Type.String({ examples: ['stop_process'] }), {
        description: 'Alert-linked tasks: the source’s emergency measures at that level (应急减排措施)',
      }),
    ),
    failedMeasure: Nullable(Type.String({ description: 'Outcome case of an alert-linked task: the measure not applied', examples: ['stop_process'] })),
    recordedAt: Nullable(DateTime()),
    version: Type.Integer(),
  },
  { $id: 'OperationTask', description: 'One target of a joint operation and its inspection record' },
);

const Counts = Type.Object(
  {
    targets: Type.Integer({ description: 'Tasks' }),
    open: Type.Integer(),
    recorded: Type.Integer({ description: 'Visited' }),
    cancelled: Type.Integer(),
  },
  { description: 'Task counts' },
);

export const OperationSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String({ description: '行动名称' }),
    kind: KindSchema,
    side: SideSchema,
    leadAgencyCode: Type.String(),
    partnerAgencyCodes: Type.Array(Type.String({ examples: ['XPCC-D8'] })),
    window: Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }),
    focus: Type.Object({
      categories: Type.Array(Type.String()),
      areaIds: Type.Array(Type.String()),
      sourceIds: Type.Array(Type.String({ examples: ['src-xpcc-d8-01'] })),
      supervisionClasses: Type.Array(Type.String({ examples: ['key'] })),
    }),
    teams: Type.Array(Type.String({ examples: ['team-652301-air'] })),
    note: Nullable(Type.String({ description: '备注' })),
    status: OperationStatusSchema,
    confirmedAt: Nullable(DateTime()),
    confirmedByAgencyCode: Nullable(Type.String({ description: 'The other side’s agency that confirmed', examples: ['XPCC-D8'] })),
    closedAt: Nullable(DateTime()),
    progress: Type.Object(
      {
        total: Counts,
        bySide: Type.Object({ region: Counts, corps: Counts }, { description: 'By the side owning the ground' }),
        byTeam: Type.Array(
          Type.Object({ teamId: Type.String(), targets: Type.Integer(), open: Type.Integer(), recorded: Type.Integer(), cancelled: Type.Integer() }),
        ),
        byOutcome: Type.Object({ no_issue: Type.Integer(), rectify: Type.Integer(), case: Type.Integer() }),
      },
      { description: 'Progress of the tasks' },
    ),
    airAlertId: Nullable(
      Type.String({
        description: 'The heavy-pollution alert that opened it by linkage (应急联动), else null',
        examples: ['01a23187-e5ef-7582-93ce-33c9d6951b71'],
      }),
    ),
    summary: Nullable(
      Type.Object(
        {
          targets: Type.Integer(),
          visited: Type.Integer(),
          cancelled: Type.Integer(),
          violations: Type.Integer({ description: 'Tasks recorded with outcome rectify or case' }),
          cases: Type.Integer(),
          caseIds: Type.Array(Type.String({ examples: ['01a23187-e5ef-7582-93ce-33c9d6951b71'] })),
          measures: Type.Optional(
            Type.Object(
              {
                total: Type.Integer({ description: 'Measures taken in the operation’s cases by close' }),
                byType: Type.Record(Type.String(), Type.Integer(), { description: 'By measure type (fine, seal_seizure, …)', examples: [{ fine: 1 }] }),
              },
              { description: 'Enforcement measures of its cases (absent in summaries frozen before measures were counted)' },
            ),
          ),
          fines: Type.Optional(
            Type.Object(
              {
                count: Type.Integer({ description: 'Fines and daily penalties' }),
                totalFen: Type.Integer({ description: 'Their total, in fen (1 yuan = 100 fen)', examples: [5000000] }),
              },
              { description: 'Fines of its cases' },
            ),
          ),
          closedAt: DateTime(),
        },
        { description: 'Frozen at close' },
      ),
    ),
    tasks: Type.Array(Type.Ref('OperationTask')),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer(),
  },
  {
    $id: 'JointOperation',
    description:
      'A joint or cross enforcement operation: visible to admins, supervisors of its lead and partner agencies (and above), inspectors of those agencies and of its teams',
  },
);

export const OperationQuery = Type.Object({
  status: Type.Optional(OperationStatusSchema),
  ...PageQuery,
});

export const CloseBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000, description: '结束说明', examples: ['行动按期结束'] })) },
  { additionalProperties: false },
);

/**
 * The same inspection record as random inspections; officers present are roster ids of the task's
 * teams. A task opened by a heavy-pollution alert adds, for outcome case, the emergency measure the
 * source failed to apply.
 */
export const TaskRecordBody = Type.Object(
  {
    ...RecordBody.properties,
    failedMeasure: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'Alert-linked tasks with outcome case (required there, else refused): the emergency measure of the task’s alert level the source failed to apply, one of `requiredMeasures`',
        examples: ['stop_process'],
      }),
    ),
  },
  { additionalProperties: false },
);
