import type { Category } from '../domain/index.js';
import { sqliteTable, text, uniqueIndex, index } from 'drizzle-orm/sqlite-core';
import { agencies, areas, teams } from '../reference/tables.js';

/**
 * Explicit routing rules set by admins: (area | agency) + category → team. They win over the
 * default "team of the owning agency whose categories include the category".
 * `scope` is `area:<id>` or `agency:<code>`, so one rule per scope and category.
 */
export const routingRules = sqliteTable(
  'routing_rules',
  {
    id: text('id').primaryKey(),
    scope: text('scope').notNull(),
    areaId: text('area_id').references(() => areas.id, { onDelete: 'cascade' }),
    agencyCode: text('agency_code').references(() => agencies.code, { onDelete: 'cascade' }),
    category: text('category').$type<Category>().notNull(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by'),
  },
  (t) => [uniqueIndex('routing_rules_scope_category').on(t.scope, t.category), index('routing_rules_created').on(t.createdAt, t.id)],
);
