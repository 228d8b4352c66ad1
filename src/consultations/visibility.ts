import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { isAbove } from '../reference/hierarchy.js';
import type { ConsultationRow } from './tables.js';

/**
 * Who sees a consultation and its decisions — the same rule as its events' audience
 * (`agency:<c>` for every participant): admins and the 12369 center all; a supervisor when a
 * participant is its own agency or one below it; an inspector when its own agency takes part.
 * Partners: none.
 */
export function canSeeConsultation(db: Tx, p: Principal, c: Pick<ConsultationRow, 'agencyCodes'>): boolean {
  if (p.role === 'admin' || p.role === 'intake') return true;
  if (!p.agencyCode) return false;
  if (p.role === 'inspector') return c.agencyCodes.includes(p.agencyCode);
  if (p.role === 'supervisor') return c.agencyCodes.some((a) => a === p.agencyCode || isAbove(db, p.agencyCode!, a));
  return false;
}
