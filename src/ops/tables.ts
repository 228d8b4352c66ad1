import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/**
 * Holiday years an admin imported (PUT /v1/admin/calendar/{year}); they replace the calendar's
 * shipped data for that year (src/calendar.ts) in every process, at start and within a minute of an import.
 */
export const calendarYears = sqliteTable('calendar_years', {
  year: integer('year').primaryKey(),
  off: text('off', { mode: 'json' }).$type<string[]>().notNull(),
  work: text('work', { mode: 'json' }).$type<string[]>().notNull(),
  official: integer('official', { mode: 'boolean' }).notNull(),
  source: text('source').notNull(),
  importedAt: text('imported_at').notNull(),
  importedBy: text('imported_by').notNull(),
});
