import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { isAbove } from '../reference/hierarchy.js';
import { taskAgencies } from './events.js';
import type { TaskRow } from './tables.js';

/**
 * Who sees a task — the same rule as its events' audience (`agency:<c>` for the lead, co and
 * supervising agencies): admins and the 12369 center all; a supervisor when one of those agencies
 * is its own or below it; an inspector when one is its own agency. Partners: none.
 */
export function canSeeTask(db: Tx, p: Principal, t: TaskRow): boolean {
  if (p.role === 'admin' || p.role === 'intake') return true;
  if (!p.agencyCode) return false;
  const agencies = taskAgencies(t);
  if (p.role === 'inspector') return agencies.includes(p.agencyCode);
  if (p.role === 'supervisor') return agencies.some((c) => c === p.agencyCode || isAbove(db, p.agencyCode!, c));
  return false;
}
