import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { notify } from '../notifications/index.js';

/**
 * Overdue notices for a complaint, through the shared notify(): the responsible agency's
 * supervisors (when the complaint has an owner; for a review deadline, the reviewing agency) and
 * the 12369 center. Ids and the deadline only, never reporter data.
 */
export function notifyOverdue(
  tx: Tx,
  deps: Deps,
  c: { id: string; number: string; category: string; agencyCode: string | null },
  deadline: 'acceptance' | 'reply' | 'review',
  dueAt: string,
  agencyCode: string | null = c.agencyCode,
) {
  const n = {
    kind: 'complaint_overdue',
    subject: `complaints/${c.id}`,
    message: `Complaint ${c.number} passed its ${deadline} deadline (${dueAt}).`,
    category: c.category,
    data: { complaintId: c.id, number: c.number, deadline, dueAt },
  };
  if (agencyCode) notify(tx, deps, { ...n, agencyCode });
  notify(tx, deps, { ...n, agencyCode: null });
}
