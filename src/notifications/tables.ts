import { sqliteTable, text, index } from 'drizzle-orm/sqlite-core';

export const INBOX_KINDS = ['filing', 'notification', 'info_request'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];
/**
 * Item status: a filing item carries its filing's status (pending | acknowledged | overdue); an
 * information request is open | answered; a notification is `info`.
 */
export const INBOX_STATUSES = ['pending', 'acknowledged', 'overdue', 'open', 'answered', 'info'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** Per-agency inbox: filings received, notifications (通报), information requests. */
export const inboxItems = sqliteTable(
  'inbox_items',
  {
    id: text('id').primaryKey(),
    agencyCode: text('agency_code').notNull(),
    kind: text('kind', { enum: INBOX_KINDS }).notNull(),
    status: text('status', { enum: INBOX_STATUSES }).notNull(),
    /** What it is about, e.g. `filings/<id>`, `cases/<id>`, `complaints/<id>`. */
    subject: text('subject').notNull(),
    /** The filing (filing and info_request items). */
    filingId: text('filing_id'),
    /** The notification id (notification items) or the question's comment id (info_request). */
    refId: text('ref_id'),
    /** Notification kind, e.g. `police_transfer`, `filing_overdue`. */
    notificationKind: text('notification_kind'),
    message: text('message').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: text('created_at').notNull(),
    readAt: text('read_at'),
    readBy: text('read_by'),
  },
  (t) => [
    index('inbox_agency').on(t.agencyCode, t.createdAt, t.id),
    index('inbox_agency_unread').on(t.agencyCode, t.readAt, t.createdAt),
    index('inbox_filing').on(t.filingId, t.kind),
    index('inbox_ref').on(t.refId),
  ],
);
