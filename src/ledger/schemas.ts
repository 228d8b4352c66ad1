import { Type } from 'typebox';
import { FormatQuery } from '../http/csv.js';
import { DateTime, Nullable } from '../http/schemas.js';
import { PageQuery } from '../http/pagination.js';
import { PROGRESS_STATUSES, TASK_KINDS, RECTIFICATION_STATUSES } from './tables.js';

const DateOnly = (description: string, example: string) => Type.String({ format: 'date', description, examples: [example] });
const Code = (description: string, example: string) => Type.String({ minLength: 1, maxLength: 64, description, examples: [example] });
const Text = (max: number, description: string, example: string) => Type.String({ minLength: 1, maxLength: max, description, examples: [example] });

export const KindSchema = Type.Enum(TASK_KINDS, { description: 'immediate 立行立改 · staged 分阶段推进 · long_term 长期整治' });
export const TaskStatusSchema = Type.Enum(RECTIFICATION_STATUSES, {
  description: 'open → close_off_requested (lead applied) → public_notice (checked and signed off; 公示) → closed_off (销号); rejected or reopened → open',
});

const Milestone = Type.Object(
  {
    title: Text(200, 'Milestone', '完成乌—昌—石区域燃煤锅炉淘汰'),
    dueOn: DateOnly('Due date (China)', '2027-06-30'),
    doneOn: Type.Optional(Nullable(DateOnly('When it was reached', '2027-05-20'))),
  },
  { additionalProperties: false },
);

const Measures = Type.Array(Text(1000, 'One measure', '严格区域大气环境质量约束性指标'), { minItems: 1, maxItems: 50, description: 'The measures (整改措施)' });
const Evidence = Type.Array(Text(500, 'A reference to evidence: a document number, file hash or URL', '新环发〔2026〕45号'), {
  maxItems: 50,
  description: 'Evidence references',
});

export const CreateTaskBody = Type.Object(
  {
    code: Text(64, 'The plan’s own number for the task (unique)', '四-8'),
    title: Text(500, 'Title', '强化重点区域大气污染防治'),
    origin: Text(1000, 'The inspection feedback item it answers', '中央环境保护督察反馈意见：局部区域大气和水环境问题突出'),
    kind: KindSchema,
    leadAgencyCode: Code('Lead agency (牵头单位)', '650000'),
    coAgencyCodes: Type.Optional(Type.Array(Code('A co-responsible agency of either side', 'XPCC'), { maxItems: 50, uniqueItems: true })),
    supervisingAgencyCode: Type.Optional(
      Code('The agency that checks on site and signs the close-off off (default: the lead’s parent; for a top agency, the other side’s top)', 'XPCC'),
    ),
    responsiblePerson: Text(100, 'Responsible person (责任人)', '李建国'),
    measures: Measures,
    target: Text(1000, 'The target (整改目标)', '乌—昌—石区域细颗粒物浓度逐年下降'),
    dueOn: DateOnly('Due date (整改时限; China)', '2027-12-31'),
    milestones: Type.Optional(Type.Array(Milestone, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export const PatchTaskBody = Type.Object(
  {
    title: Type.Optional(CreateTaskBody.properties.title),
    coAgencyCodes: Type.Optional(Type.Array(Code('A co-responsible agency of either side', 'XPCC'), { maxItems: 50, uniqueItems: true })),
    responsiblePerson: Type.Optional(CreateTaskBody.properties.responsiblePerson),
    measures: Type.Optional(Measures),
    target: Type.Optional(CreateTaskBody.properties.target),
    dueOn: Type.Optional(CreateTaskBody.properties.dueOn),
    milestones: Type.Optional(Type.Array(Milestone, { maxItems: 50 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ImportBody = Type.Object(
  { tasks: Type.Array(CreateTaskBody, { minItems: 1, maxItems: 1000, description: 'All created, or none (the first bad one is named)' }) },
  { additionalProperties: false },
);

export const ProgressBody = Type.Object(
  {
    periodEnd: DateOnly('Last day the report covers (China); one report per week (Monday–Sunday)', '2026-12-06'),
    status: Type.Enum(PROGRESS_STATUSES, { description: 'on_track · delayed · completed (the work is done: apply for close-off next)' }),
    text: Text(4000, 'What was done this week', '本周完成昌吉市 12 台燃煤锅炉拆除，剩余 3 台计划下周完成。'),
    evidence: Type.Optional(Evidence),
  },
  { additionalProperties: false },
);

export const CloseOffBody = Type.Object(
  {
    text: Text(4000, 'What was done, as the lead applies for close-off (销号申请)', '整改措施已全部落实，经自查达到整改目标，申请销号。'),
    evidence: Type.Array(Text(500, 'A reference to evidence', '新环发〔2026〕45号'), {
      minItems: 1,
      maxItems: 50,
      description: 'At least one piece of evidence',
    }),
  },
  { additionalProperties: false },
);

export const ApproveBody = Type.Object(
  { text: Text(4000, 'What the on-site check found (现场核查意见)', '经现场核查，整改措施落实到位，同意销号。') },
  { additionalProperties: false },
);

export const RejectBody = Type.Object(
  {
    reasons: Type.Array(Text(1000, 'A reason', '仍有 3 台燃煤锅炉未拆除'), { minItems: 1, maxItems: 20, description: 'Why the close-off is refused' }),
  },
  { additionalProperties: false },
);

export const ReasonBody = Type.Object(
  { reason: Text(2000, 'Why (e.g. what the 回头看 re-check found)', '回头看发现部分锅炉复产，整改不彻底') },
  { additionalProperties: false },
);

export const TaskSchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String({ examples: ['四-8'] }),
    title: Type.String(),
    origin: Type.String(),
    kind: KindSchema,
    leadAgencyCode: Type.String(),
    leadSide: Type.String({ description: 'Side of the lead agency' }),
    coAgencyCodes: Type.Array(Type.String()),
    supervisingAgencyCode: Type.String(),
    responsiblePerson: Type.String(),
    measures: Type.Array(Type.String()),
    target: Type.String(),
    dueOn: Type.String({ format: 'date' }),
    dueAt: DateTime('The deadline: 24:00 China time of dueOn'),
    milestones: Type.Array(Milestone),
    status: TaskStatusSchema,
    overdue: Type.Boolean({ description: 'Past its due date and not closed off (nor in public notice)' }),
    overdueAt: Nullable(DateTime()),
    missedWeeks: Type.Array(Type.String({ format: 'date' }), { description: 'Weeks (their Monday) that ended without a progress report while open' }),
    lastProgress: Nullable(
      Type.Object({ weekOf: Type.String({ format: 'date' }), periodEnd: Type.String({ format: 'date' }), status: Type.String(), text: Type.String() }),
    ),
    listedSupervisionBy: Nullable(Type.String({ description: 'Agency that put the task under listed supervision (挂牌督办)' })),
    listedSupervisionAt: Nullable(DateTime()),
    noticeEndsOn: Nullable(Type.String({ format: 'date', description: 'Last day of the public notice (公示)' })),
    closedOffAt: Nullable(DateTime()),
    reopenCount: Type.Integer(),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer(),
  },
  { $id: 'RectificationTask', description: 'A rectification task (整改任务) of the ledger' },
);

export const ProgressSchema = Type.Object(
  {
    id: Type.String(),
    taskId: Type.String(),
    weekOf: Type.String({ format: 'date', description: 'Monday of the week reported' }),
    periodEnd: Type.String({ format: 'date' }),
    status: Type.String(),
    text: Type.String(),
    evidence: Type.Array(Type.String()),
    byAgencyCode: Type.String(),
    createdAt: DateTime(),
  },
  { $id: 'RectificationProgress' },
);

export const ReviewSchema = Type.Object(
  {
    id: Type.String(),
    action: Type.String({ description: 'close_off_requested · close_off_approved · close_off_rejected · closed_off · reopened · listed_supervision' }),
    byAgencyCode: Nullable(Type.String()),
    text: Nullable(Type.String()),
    reasons: Type.Array(Type.String()),
    evidence: Type.Array(Type.String()),
    at: DateTime(),
  },
  { $id: 'RectificationReview' },
);

export const TaskDetail = Type.Object(
  {
    ...TaskSchema.properties,
    progress: Type.Array(ProgressSchema, { description: 'Progress reports, newest first (up to 52)' }),
    reviews: Type.Array(ReviewSchema, { description: 'The close-off record, oldest first' }),
  },
  { description: 'A task with its progress reports and close-off record' },
);

export const PublicTaskSchema = Type.Object(
  {
    code: Type.String(),
    title: Type.String(),
    kind: KindSchema,
    kindLabel: Type.String({ examples: ['分阶段推进'] }),
    leadAgencyCode: Type.String(),
    coAgencyCodes: Type.Array(Type.String()),
    measures: Type.Array(Type.String()),
    target: Type.String(),
    dueOn: Type.String({ format: 'date' }),
    status: Type.Union([Type.Literal('public_notice'), Type.Literal('closed_off')]),
    statusLabel: Type.String({ examples: ['公示中'] }),
    noticeEndsOn: Nullable(Type.String({ format: 'date' })),
    closedOffAt: Nullable(DateTime()),
    checkOpinion: Nullable(Type.String({ description: 'The supervising agency’s on-site check opinion' })),
  },
  { description: 'A task in public notice (公示) or closed off: no personal names' },
);

export const TaskQuery = Type.Object({
  ...PageQuery,
  ...FormatQuery,
  status: Type.Optional(TaskStatusSchema),
  leadAgencyCode: Type.Optional(Code('Only tasks led by this agency', '650000')),
  agencyCode: Type.Optional(Code('Only tasks this agency leads, co-handles or supervises', 'XPCC')),
  overdue: Type.Optional(Type.Boolean({ description: 'Only overdue (true) or not overdue (false) tasks' })),
});

export const PublicTaskQuery = Type.Object({ ...PageQuery, status: Type.Optional(Type.Union([Type.Literal('public_notice'), Type.Literal('closed_off')])) });
