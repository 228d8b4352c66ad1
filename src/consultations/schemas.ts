import { Type } from 'typebox';
import { DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { PageQuery } from '../http/pagination.js';
import { AGENDA_LINK_KINDS, ATTENDANCE_STATUSES, CONSULTATION_KINDS, CONSULTATION_STATUSES, DECISION_STATUSES } from './tables.js';

const Code = (description: string, example: string) => Type.String({ minLength: 1, maxLength: 64, description, examples: [example] });
const Text = (max: number, description: string, example: string) => Type.String({ minLength: 1, maxLength: max, description, examples: [example] });
const DateOnly = (description: string, example: string) => Type.String({ format: 'date', description, examples: [example] });

export const ConsultationKindSchema = Type.Enum(CONSULTATION_KINDS, {
  description: 'regular 定期会商 (its agenda lists the open decisions of earlier consultations) · ad_hoc 临时会商 · case 个案会商',
});
const StatusSchema = Type.Enum(CONSULTATION_STATUSES, { description: 'scheduled → held (minutes recorded)' });
const DecisionStatusSchema = Type.Enum(DECISION_STATUSES, { description: 'open → done (the owner agency reported it done)' });

const Link = Type.Object(
  {
    kind: Type.Enum(AGENDA_LINK_KINDS, { description: 'What the id names: case, complaint, rectification_task, air_alert or joint_operation' }),
    id: Code('Its id', '01JD0W8Q4ZP7M3K2N6R5T1V9XB'),
  },
  { additionalProperties: false },
);
const AgendaItem = Type.Object(
  {
    title: Text(500, 'Agenda item (议题)', '乌—昌—石区域冬季大气污染联防联控'),
    links: Type.Optional(Type.Array(Link, { maxItems: 50, description: 'Cases, complaints, tasks, alerts or operations it discusses' })),
  },
  { additionalProperties: false },
);

export const CreateConsultationBody = Type.Object(
  {
    kind: ConsultationKindSchema,
    title: Text(300, 'Title', '2026年第四季度兵地生态环境联席会商'),
    convenerAgencyCode: Code('The convening agency (召集单位): the caller’s own or one below it', '650000'),
    agencyCodes: Type.Array(Code('An invited agency', 'XPCC'), {
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      description: 'Invited agencies; with the convener they must include both sides',
    }),
    scheduledAt: DateTime('When it takes place (not in the past)'),
    place: Type.Optional(Text(300, 'Where', '自治区生态环境厅三楼会议室')),
    agenda: Type.Array(AgendaItem, { minItems: 1, maxItems: 100, description: 'Agenda (议程)' }),
  },
  { additionalProperties: false },
);

export const AttendanceBody = Type.Object(
  {
    agencyCode: Code('The invited agency answering (the caller’s own)', 'XPCC-D8'),
    attending: Type.Boolean({ description: 'true: confirms attendance; false: declines' }),
    note: Type.Optional(Text(1000, 'A note, e.g. who attends', '师局副局长张伟参会')),
  },
  { additionalProperties: false },
);

export const MinutesBody = Type.Object(
  {
    attendees: Type.Array(Text(200, 'Attendee (name and unit)', '张伟（八师石河子市生态环境局）'), { minItems: 1, maxItems: 200 }),
    text: Text(20000, 'The minutes (会议纪要)', '会议通报了乌—昌—石区域冬季大气污染防治进展，议定以下事项。'),
    decisions: Type.Array(
      Type.Object(
        {
          text: Text(2000, 'What was decided (议定事项)', '八师石河子市牵头完成辖区燃煤锅炉排查并通报自治区'),
          ownerAgencyCode: Code('The agency that carries it out (one of the participants)', 'XPCC-D8'),
          dueOn: DateOnly('Due date (China; ends 24:00 China time)', '2027-01-15'),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100, description: 'Each becomes a follow-up item with its deadline' },
    ),
  },
  { additionalProperties: false },
);

export const DecisionProgressBody = Type.Object(
  {
    text: Text(4000, 'What was done', '已完成辖区 46 台燃煤锅炉排查，清单已报送。'),
    done: Type.Optional(Type.Boolean({ description: 'true: the decision is carried out (closes the item)' })),
  },
  { additionalProperties: false },
);

export const DecisionSchema = Type.Object(
  {
    id: Type.String(),
    consultationId: Type.String({ description: 'The consultation whose minutes decided it' }),
    seq: Type.Integer({ minimum: 1, description: 'Its number in the minutes' }),
    text: Type.String({ description: 'What was decided' }),
    ownerAgencyCode: Type.String({ description: 'The agency that carries it out' }),
    ownerSide: SideSchema,
    dueOn: Type.String({ format: 'date', description: 'Due date (China)' }),
    dueAt: DateTime('The instant it is due: 24:00 China time of dueOn'),
    status: DecisionStatusSchema,
    overdue: Type.Boolean({ description: 'The due date passed while open' }),
    overdueAt: Nullable(DateTime()),
    doneAt: Nullable(DateTime()),
    lastProgress: Nullable(Type.Object({ text: Type.String(), at: DateTime(), byAgencyCode: Type.String() })),
    createdAt: DateTime(),
    version: Type.Integer({ minimum: 1 }),
  },
  { $id: 'ConsultationDecision', description: 'A decision of a consultation (议定事项), followed up to its deadline' },
);

export const DecisionProgressSchema = Type.Object(
  {
    id: Type.String(),
    decisionId: Type.String(),
    text: Type.String(),
    done: Type.Boolean(),
    byAgencyCode: Type.String(),
    at: DateTime(),
  },
  { $id: 'DecisionProgress', description: 'A progress report on a decision by its owner agency' },
);

export const ConsultationSchema = Type.Object(
  {
    id: Type.String(),
    kind: ConsultationKindSchema,
    title: Type.String(),
    convenerAgencyCode: Type.String(),
    convenerSide: SideSchema,
    agencyCodes: Type.Array(Type.String(), { description: 'Every participating agency, the convener first' }),
    scheduledAt: DateTime(),
    place: Nullable(Type.String()),
    agenda: Type.Array(
      Type.Object({
        title: Type.String(),
        links: Type.Array(Type.Object({ kind: Type.Enum(AGENDA_LINK_KINDS), id: Type.String() })),
      }),
    ),
    attendance: Type.Array(
      Type.Object({
        agencyCode: Type.String(),
        status: Type.Enum(ATTENDANCE_STATUSES, { description: 'invited · confirmed · declined (the convener is confirmed)' }),
        note: Nullable(Type.String()),
        at: Nullable(DateTime()),
      }),
    ),
    openDecisions: Type.Array(Type.Ref('ConsultationDecision'), {
      description:
        'Regular consultations: the open decisions of earlier consultations owned by a participant (督办事项), listed on the agenda — live until the minutes are recorded; after that, the ones that were listed (with their current status). Other kinds: empty.',
    }),
    status: StatusSchema,
    minutes: Nullable(
      Type.Object({ attendees: Type.Array(Type.String({ examples: ['张伟（八师石河子市生态环境局）'] })), text: Type.String(), recordedAt: DateTime() }),
    ),
    decisions: Type.Array(Type.Ref('ConsultationDecision'), { description: 'The decisions of its minutes' }),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer({ minimum: 1 }),
  },
  { $id: 'Consultation', description: 'A joint consultation (会商) of agencies of both sides' },
);

export const ConsultationQuery = Type.Object(
  {
    ...PageQuery,
    kind: Type.Optional(ConsultationKindSchema),
    status: Type.Optional(StatusSchema),
    agencyCode: Type.Optional(Code('Only consultations this agency takes part in', 'XPCC-D8')),
  },
  { additionalProperties: false },
);

export const DecisionQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(DecisionStatusSchema),
    ownerAgencyCode: Type.Optional(Code('Only decisions this agency carries out', 'XPCC-D8')),
    overdue: Type.Optional(Type.Boolean({ description: 'Only overdue (true) or not overdue (false) decisions' })),
  },
  { additionalProperties: false },
);
