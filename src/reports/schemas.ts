import { Type } from 'typebox';
import { DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { PageQuery } from '../http/pagination.js';
import { STAT_SUBJECTS } from '../domain/stats.js';
import { REPORT_KINDS, REPORT_SCOPES } from './tables.js';

export const ReportKindSchema = Type.Enum(REPORT_KINDS, {
  description: 'weekly_dispatch 周调度 (every Monday, the week before) · monthly_bulletin 月通报 (first working day, the month before)',
});
export const ReportScopeSchema = Type.Enum(REPORT_SCOPES, {
  description: 'agency: one agency’s figures (what it sees) · sides: the whole region and corps side by side',
});

const Count = (description: string) => Type.Integer({ minimum: 0, description, examples: [3] });
const Rate = Nullable(
  Type.Number({ minimum: 0, maximum: 1, description: 'On-time rate = on time ÷ (closed + open past due); null when nothing to rate', examples: [0.8571] }),
);
const SubjectSchema = Type.Enum(STAT_SUBJECTS, { description: 'What is counted' });
const Side = Nullable(SideSchema);

export const ReportData = Type.Object(
  {
    figures: Type.Array(
      Type.Object({
        subject: SubjectSchema,
        side: Type.Union([SideSchema, Type.Literal('all')], { description: 'A side, or all (the total)' }),
        received: Count('Received in the period (rectification: due in the period)'),
        closed: Count('Closed (complaints answered, cases decided, filings acknowledged, assignments claimed, tasks closed off)'),
        onTime: Count('Of those, on time'),
        openPastDue: Count('Still open past the deadline when the report was made'),
        overdueNow: Count('Overdue when the report was made'),
        onTimeRate: Rate,
      }),
      { description: 'Main figures per subject, total and per side' },
    ),
    onTimeByAgency: Type.Array(
      Type.Object({
        agencyCode: Type.String({ description: 'Agency', examples: ['652301'] }),
        agencyName: Type.String({ description: 'Its name', examples: ['昌吉市生态环境局'] }),
        side: Side,
        received: Count('12369 complaints received'),
        closed: Count('Answered'),
        onTime: Count('Answered on time'),
        openPastDue: Count('Unanswered past the deadline'),
        onTimeRate: Rate,
      }),
      { description: 'On-time rate of 12369 complaints by handling agency' },
    ),
    overdueBySide: Type.Array(Type.Object({ side: SideSchema, subject: SubjectSchema, overdueNow: Count('Overdue when the report was made') }), {
      description: 'Overdue now by side and subject: every open item past its deadline when the report was made, whenever it came in',
    }),
    trend: Type.Array(
      Type.Object({
        period: Type.String({ description: 'Week (its Monday, 2026-11-30) or month (2026-11), China time', examples: ['2026-11'] }),
        received: Count('Complaints received'),
        closed: Count('Answered'),
        onTimeRate: Rate,
      }),
      { description: 'The last 12 weeks (weekly dispatch) or months (monthly bulletin), 12369 complaints' },
    ),
    declinesByTeam: Type.Array(
      Type.Object({
        teamId: Type.String({ description: 'Team', examples: ['team-652301-air'] }),
        teamName: Nullable(Type.String({ description: 'Team name', examples: ['昌吉市大气执法队'] })),
        agencyCode: Nullable(Type.String({ description: 'Its agency', examples: ['652301'] })),
        declined: Count('Assignments declined (推诿)'),
      }),
      { description: 'Teams that declined most (at most 10)' },
    ),
    measures: Type.Object(
      {
        finesFen: Type.Integer({ minimum: 0, description: 'Fines imposed, fen', examples: [5000000] }),
        dailyPenaltyFen: Type.Integer({ minimum: 0, description: 'Daily continuous penalty totals, fen', examples: [15000000] }),
        byType: Type.Array(
          Type.Object({
            type: Type.String({ description: 'Measure type', examples: ['fine'] }),
            count: Count('Measures'),
            amountFen: Type.Integer({ minimum: 0, description: 'Amounts, fen', examples: [5000000] }),
          }),
        ),
      },
      { description: 'Measures of the cases registered in the period' },
    ),
  },
  { description: 'The figures as they stood when the report was made' },
);

const ReportFields = {
  id: Type.String({ description: 'Report id', examples: ['01a23187-e5ef-7582-93ce-33c9d6951b71'] }),
  kind: ReportKindSchema,
  kindLabel: Type.String({ description: 'Its name (zh-CN)', examples: ['月通报'] }),
  scope: ReportScopeSchema,
  agencyCode: Nullable(Type.String({ description: 'The agency covered; null for the side-by-side report', examples: ['652301'] })),
  agencyName: Nullable(Type.String({ description: 'Its name', examples: ['昌吉市生态环境局'] })),
  side: Side,
  title: Type.String({ description: 'Title', examples: ['昌吉市生态环境局2026年11月月通报'] }),
  periodFrom: Type.String({ format: 'date', description: 'First day (China time)' }),
  periodTo: Type.String({ format: 'date', description: 'Last day (China time)' }),
  publishedAt: DateTime('When it was generated and published'),
  links: Type.Object(
    {
      self: Type.String({
        description: 'JSON (or CSV with Accept: text/csv, HTML with Accept: text/html)',
        examples: ['/v1/reports/01a23187-e5ef-7582-93ce-33c9d6951b71'],
      }),
      html: Type.String({ description: 'The printable page with charts', examples: ['/v1/reports/01a23187-e5ef-7582-93ce-33c9d6951b71.html'] }),
      csv: Type.String({ description: 'The tables as CSV', examples: ['/v1/reports/01a23187-e5ef-7582-93ce-33c9d6951b71.csv'] }),
    },
    { description: 'Where to read it' },
  ),
};

export const ReportSummarySchema = Type.Object(ReportFields, { $id: 'ReportSummary', description: 'A stored report (without its figures)' });
export const ReportSchema = Type.Object({ ...ReportFields, data: ReportData }, { $id: 'Report', description: 'A weekly dispatch or monthly bulletin' });

export const ReportQuery = Type.Object(
  {
    kind: Type.Optional(ReportKindSchema),
    scope: Type.Optional(ReportScopeSchema),
    agencyCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Reports of this agency', examples: ['652301'] })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const CSV_EXAMPLE =
  '\uFEFF昌吉市生态环境局2026年11月月通报\r\n统计期间,2026-11-01,2026-11-30\r\n\r\n一、主要指标\r\n项目,兵地,收到/到期,办结,按时办结,逾期未结,当前逾期,按时率\r\n信访举报,合计,3,2,1,1,1,0.3333\r\n';
export const HTML_EXAMPLE =
  '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>昌吉市生态环境局2026年11月月通报</title></head><body>…<figure class="chart" data-chart="on-time-by-agency"><svg>…</svg></figure>…</body></html>';
