import type { Tx } from '../db/client.js';
import type { Deps } from '../queue/types.js';
import { appendEvent } from '../events/outbox.js';
import { newId } from '../ids.js';
import { addNotificationItem } from '../filings/inbox.js';

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
 * `agency:<code>`. The one place notifications are made, so the filings capability can later
 * turn them into inbox items here without touching the callers.
 */
export function notify(tx: Tx, deps: Deps, n: NotificationInput): { id: string } {
  const id = newId();
  appendEvent(tx, deps.clock, {
    type: 'notification.created',
    subject: `notifications/${id}`,
    data: { ...(n.data ?? {}), id, kind: n.kind, subject: n.subject, agencyCode: n.agencyCode, audience: n.agencyCode ? 'supervisors' : 'center', message: n.message },
    side: null,
    agencyCode: n.agencyCode,
    category: n.category ?? null,
    actorAgencyCode: n.actorAgencyCode ?? 'center',
    audience: n.agencyCode ? [`agency:${n.agencyCode}`] : [],
  });
  // The agency's inbox (src/filings): an item linked to the subject, same transaction.
  if (n.agencyCode) addNotificationItem(tx, deps.clock, { id, agencyCode: n.agencyCode, kind: n.kind, subject: n.subject, message: n.message, data: n.data });
  return { id };
}
