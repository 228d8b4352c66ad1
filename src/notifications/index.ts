/**
 * Notifications (通报) and per-agency inboxes, used by every capability: items are written in the
 * transaction that causes them (a filing when it is made, a notification by notify(), an
 * information request when asked). The filings capability serves the inbox routes.
 */
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appendEvent } from '../outbox/index.js';
import { newId } from '../ids.js';
import type { Clock } from '../clock.js';
import { inboxItems, type InboxKind, type InboxStatus } from './tables.js';

export interface NotificationInput {
  /** e.g. `declined_twice`, `assignment_overdue`. */
  kind: string;
  /** Agency whose supervisors are told; null = the 12369 center (intake). */
  agencyCode: string | null;
  /** What it is about, e.g. `complaints/<id>` or `assignments/<id>`. */
  subject: string;
  /** One line for a human. Never reporter personal data. */
  message: string;
  data?: Record<string, unknown>;
  category?: string | null;
  /** Acting agency (CloudEvents source); default the center. */
  actorAgencyCode?: string | null;
}

/**
 * Tells an agency's supervisors (or the center) about something, in the caller's transaction:
 * one `notification.created` event (subject `notifications/<id>`) whose audience is
 * `agency:<code>`, and an item in that agency's inbox. The one place notifications are made.
 */
export function notify(tx: Tx, deps: Deps, n: NotificationInput): { id: string } {
  const id = newId();
  appendEvent(tx, deps.clock, {
    type: 'notification.created',
    subject: `notifications/${id}`,
    data: {
      ...(n.data ?? {}),
      id,
      kind: n.kind,
      subject: n.subject,
      agencyCode: n.agencyCode,
      audience: n.agencyCode ? 'supervisors' : 'center',
      message: n.message,
    },
    side: null,
    agencyCode: n.agencyCode,
    category: n.category ?? null,
    actorAgencyCode: n.actorAgencyCode ?? 'center',
    audience: n.agencyCode ? [`agency:${n.agencyCode}`] : [],
  });
  // The agency's inbox: an item linked to the subject, same transaction.
  if (n.agencyCode) addNotificationItem(tx, deps.clock, { id, agencyCode: n.agencyCode, kind: n.kind, subject: n.subject, message: n.message, data: n.data });
  return { id };
}

export type InboxRow = typeof inboxItems.$inferSelect;

export interface NewInboxItem {
  agencyCode: string;
  kind: InboxKind;
  status: InboxStatus;
  subject: string;
  message: string;
  filingId?: string | null;
  refId?: string | null;
  notificationKind?: string | null;
  data?: Record<string, unknown>;
}

export function addInboxItem(tx: Tx, clock: Clock, item: NewInboxItem): InboxRow {
  return tx
    .insert(inboxItems)
    .values({
      id: newId(),
      agencyCode: item.agencyCode,
      kind: item.kind,
      status: item.status,
      subject: item.subject,
      filingId: item.filingId ?? null,
      refId: item.refId ?? null,
      notificationKind: item.notificationKind ?? null,
      message: item.message,
      data: item.data ?? {},
      createdAt: clock.now().toISOString(),
      readAt: null,
      readBy: null,
    })
    .returning()
    .get();
}

/** notify()'s inbox item for a notification addressed to an agency (its supervisors). */
function addNotificationItem(
  tx: Tx,
  clock: Clock,
  n: { id: string; agencyCode: string; kind: string; subject: string; message: string; data?: Record<string, unknown> },
): InboxRow {
  const filingId = n.subject.startsWith('filings/') ? n.subject.slice('filings/'.length) : null;
  return addInboxItem(tx, clock, {
    agencyCode: n.agencyCode,
    kind: 'notification',
    status: 'info',
    subject: n.subject,
    message: n.message,
    filingId,
    refId: n.id,
    notificationKind: n.kind,
    data: n.data ?? {},
  });
}
