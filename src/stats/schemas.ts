import { Type, type TSchema } from 'typebox';
import { DateTime, Nullable } from '../http/schemas.js';
import { STAT_DIMENSIONS } from '../domain/stats.js';
import { MEASURE_TYPES } from '../cases/index.js';

const Count = (description: string) => Type.Integer({ minimum: 0, description, examples: [12] });
const Days = (description: string) =>
  Type.Object(
    {
      n: Type.Integer({ minimum: 0, description: 'Items with this duration', examples: [40] }),
      median: Nullable(Type.Number({ description: 'Median, days (nearest rank, one decimal)', examples: [3.5] })),
      p90: Nullable(Type.Number({ description: '90th percentile, days (nearest rank, one decimal)', examples: [11.2] })),
    },
    { description },
  );
const Rate = (description: string) =>
  Nullable(
    Type.Number({
      minimum: 0,
      maximum: 1,
      description: `On-time rate (0–1, four decimals): ${description}; null when there is nothing to rate`,
      examples: [0.8571],
    }),
  );

const Figures = (props: Record<string, TSchema>, description: string) => Type.Object(props, { description });

export const ComplaintFigures = Figures(
  {
    received: Count('Complaints received in the period'),
    accepted: Count('Accepted (受理)'),
    notAccepted: Count('Not accepted (不予受理)'),
    transferred: Count('Transferred to another authority (转办)'),
    closed: Count('Accepted and answered (replied, or closed)'),
    closedOnTime: Count('Answered by the reply deadline (60 days after acceptance, plus an approved extension)'),
    openPastDue: Count('Accepted, not answered, past the reply deadline now'),
    overdueNow: Count('Past a deadline now: open past due, plus reports still awaiting the acceptance decision after 15 days'),
    onTimeRate: Rate('closedOnTime ÷ (closed + openPastDue)'),
    daysToAccept: Days('Days from receipt to acceptance'),
    daysToClose: Days('Days from receipt to the answer'),
  },
  'Complaint figures (12369)',
);

const MeasureFigure = Type.Object({
  type: Type.Enum(MEASURE_TYPES, { description: 'Measure type' }),
  count: Count('Measures of this type'),
  amountFen: Type.Integer({ minimum: 0, description: 'Sum of amounts, fen (fines; computed daily-penalty totals)', examples: [5000000] }),
});

export const CaseFigures = Figures(
  {
    received: Count('Cases registered (立案) in the period'),
    decided: Count('With a penalty decision'),
    decidedOnTime: Count('Decided by the decision deadline (90 days plus approved extensions)'),
    closed: Count('Closed (结案)'),
    openPastDue: Count('Undecided past the decision deadline now (withdrawn and transferred cases excluded)'),
    overdueNow: Count('Past the decision deadline now'),
    onTimeRate: Rate('decidedOnTime ÷ (decided + openPastDue)'),
    daysToDecide: Days('Days from registration to the decision'),
    daysToClose: Days('Days from registration to closing'),
    measuresByType: Type.Array(MeasureFigure, { description: 'Measures of these cases by type' }),
    finesFen: Type.Integer({ minimum: 0, description: 'Fines imposed, fen', examples: [5000000] }),
    dailyPenaltyFen: Type.Integer({ minimum: 0, description: 'Daily continuous penalties (按日连续处罚), totals, fen', examples: [15000000] }),
  },
  'Case figures',
);

export const FilingFigures = Figures(
  {
    received: Count('Cross-filings made in the period'),
    acknowledged: Count('Acknowledged by the receiving agency'),
    acknowledgedOnTime: Count('Acknowledged by the acknowledgement deadline'),
    escalated: Count('Escalated to the agency above'),
    openPastDue: Count('Unacknowledged past the deadline now'),
    overdueNow: Count('Past the acknowledgement deadline now'),
    onTimeRate: Rate('acknowledgedOnTime ÷ (acknowledged + openPastDue)'),
    daysToAcknowledge: Days('Days from filing to acknowledgement'),
  },
  'Cross-filing figures (互相备案)',
);

export const AssignmentFigures = Figures(
  {
    received: Count('Assignments made in the period'),
    claimed: Count('Claimed by the team'),
    claimedOnTime: Count('Claimed by the claim deadline'),
    declined: Count('Declined (推诿 when it keeps happening)'),
    completed: Count('Completed'),
    openPastDue: Count('Still pending past the claim deadline now'),
    overdueNow: Count('Pending past the claim deadline now'),
    onTimeRate: Rate('claimedOnTime ÷ (claimed + openPastDue)'),
    daysToClaim: Days('Days from assignment to claim'),
    daysToComplete: Days('Days from assignment to completion'),
  },
  'Work-list figures',
);

export const TaskFigures = Figures(
  {
    due: Count('Rectification tasks due in the period'),
    closedOff: Count('Closed off (销号)'),
    closedOffOnTime: Count('Closed off by 24:00 China time of the due date'),
    openPastDue: Count('Not closed off, due date passed'),
    overdueNow: Count('Not closed off and past the due date now'),
    missedWeeks: Count('Weeks without a progress report (sum over the tasks)'),
    listedSupervision: Count('Under listed supervision (挂牌督办)'),
    onTimeRate: Rate('closedOffOnTime ÷ (closedOff + openPastDue)'),
    daysToCloseOff: Days('Days from entry in the ledger to close-off'),
  },
  'Rectification ledger figures (整改台账)',
);

export const DimensionSchema = Type.Enum(STAT_DIMENSIONS, {
  description: 'side 兵/地 · agency · team · category · channel · month and week (Monday to Sunday) of China time',
});

export const StatsQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date', description: 'First day (China time); default: twelve months before `to`', examples: ['2026-11-01'] })),
    to: Type.Optional(
      Type.String({ format: 'date', description: 'Last day (China time), inclusive; default today. At most 5 years after `from`', examples: ['2026-11-30'] }),
    ),
    groupBy: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        description: 'One dimension: side, agency, team, category, channel, month, week — those of the subject (400 lists them)',
        examples: ['agency'],
      }),
    ),
  },
  { additionalProperties: false },
);

export const StatsResponse = (subject: string, figures: TSchema, extra: Record<string, TSchema> = {}) =>
  Type.Object(
    {
      subject: Type.Literal(subject, { description: 'What is counted' }),
      from: Type.String({ format: 'date', description: 'First day (China time)' }),
      to: Type.String({ format: 'date', description: 'Last day (China time), inclusive' }),
      groupBy: Nullable(DimensionSchema),
      asOf: DateTime('The instant "open past due" and "overdue now" refer to'),
      total: figures,
      groups: Type.Array(
        Type.Object({
          key: Nullable(
            Type.String({
              description: 'The group: a side, agency code, team id, category, channel, month (2026-11) or week’s Monday (2026-11-30); null = none set',
              examples: ['652301'],
            }),
          ),
          label: Nullable(Type.String({ description: 'Its name (zh-CN)', examples: ['昌吉市生态环境局'] })),
          figures,
        }),
        { description: 'One per group, in key order (empty without groupBy)' },
      ),
      ...extra,
    },
    { description: `Figures of ${subject} the caller may see` },
  );

export const DeclinesByTeam = Type.Array(
  Type.Object({
    teamId: Type.String({ description: 'Team', examples: ['team-652301-air'] }),
    teamName: Nullable(Type.String({ description: 'Team name', examples: ['昌吉市大气执法队'] })),
    agencyCode: Nullable(Type.String({ description: 'Its agency', examples: ['652301'] })),
    declined: Count('Assignments it declined in the period'),
  }),
  { description: 'Declines per team (推诿), most first (at most 50)' },
);
