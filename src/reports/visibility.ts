import { eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { agencySubtree } from '../reference/hierarchy.js';
import { reports, type ReportRow } from './tables.js';

/**
 * Who sees a report — the same rule as its `report.published` event's audience:
 * - admins and the 12369 center: every report;
 * - supervisors: the reports of their agency and of every agency below it (as for other
 *   supervision data), and the side-by-side reports (both sides take part in the joint mechanism;
 *   the event goes to every agency);
 * - inspectors: their own agency's reports and the side-by-side ones;
 * - partners: none (404).
 */
export function reportsVisibleWhere(tx: Tx, p: Principal): SQL | undefined | 'none' {
  if (p.role === 'admin' || p.role === 'intake') return undefined;
  if (!p.agencyCode || (p.role !== 'supervisor' && p.role !== 'inspector')) return 'none';
  const own = p.role === 'supervisor' ? inArray(reports.agencyCode, agencySubtree(tx, p.agencyCode)) : eq(reports.agencyCode, p.agencyCode);
  return or(sql`${reports.scope} = 'sides'`, own);
}

export function canSeeReport(tx: Tx, p: Principal, r: ReportRow): boolean {
  if (p.role === 'admin' || p.role === 'intake') return true;
  if (!p.agencyCode || (p.role !== 'supervisor' && p.role !== 'inspector')) return false;
  if (r.scope === 'sides') return true;
  return p.role === 'supervisor' ? agencySubtree(tx, p.agencyCode).includes(r.agencyCode) : r.agencyCode === p.agencyCode;
}
