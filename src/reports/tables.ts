import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** 周调度 every Monday for the week before; 月通报 on the first working day of a month for the month before. */
export const REPORT_KINDS = ['weekly_dispatch', 'monthly_bulletin'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
/** One agency's figures, or the whole region and the whole corps side by side. */
export const REPORT_SCOPES = ['agency', 'sides'] as const;
export type ReportScope = (typeof REPORT_SCOPES)[number];

/**
 * Stored reports: the figures as they stood when the scheduled job made them (a report does not
 * change when later work closes old items). One per kind, scope, agency and period.
 */
export const reports = sqliteTable(
  'reports',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: REPORT_KINDS }).notNull(),
    scope: text('scope', { enum: REPORT_SCOPES }).notNull(),
    /** The agency of an agency report; '' for the side-by-side one (so the unique index holds). */
    agencyCode: text('agency_code').notNull(),
    side: text('side', { enum: ['region', 'corps'] }),
    title: text('title').notNull(),
    periodFrom: text('period_from').notNull(),
    periodTo: text('period_to').notNull(),
    /** The report content (tables and chart series), see src/reports/schemas.ts ReportData. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    publishedAt: text('published_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('reports_period').on(t.kind, t.agencyCode, t.periodFrom),
    index('reports_published').on(t.publishedAt, t.id),
    index('reports_agency').on(t.agencyCode, t.publishedAt, t.id),
  ],
);

export type ReportRow = typeof reports.$inferSelect;
