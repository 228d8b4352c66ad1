import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

/** The transactional outbox: immutable CloudEvents, globally ordered by `position`. */
export const events = sqliteTable(
  'events',
  {
    position: integer('position').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    subject: text('subject').notNull(),
    sequence: integer('sequence').notNull(),
    time: text('time').notNull(),
    source: text('source').notNull(),
    side: text('side'),
    agencyCode: text('agency_code'),
    category: text('category'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [uniqueIndex('events_subject_seq').on(t.subject, t.sequence), index('events_type').on(t.type, t.position)],
);

/**
 * Who may see an event: keys `side:<side>`, `agency:<code>`, `team:<id>`. Written with the event;
 * feed, stream and webhooks filter on it exactly as the resources are filtered.
 */
export const eventAudience = sqliteTable(
  'event_audience',
  {
    key: text('key').notNull(),
    position: integer('position')
      .notNull()
      .references(() => events.position),
  },
  (t) => [primaryKey({ columns: [t.key, t.position] })],
);
