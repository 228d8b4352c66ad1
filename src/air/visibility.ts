/**
 * Who may see and do what in heavy-pollution weather. One policy per action; cannot see → 404,
 * sees but may not act → 403 naming the rule. An alert is visible as its events' audience reaches:
 * `agency:<c>` for every agency of the zone (those of its areas and below them), so supervisors of
 * those agencies or above, and inspectors of those agencies, see it; admins and intake see all.
 */
import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { denied, notFound } from '../http/problem.js';
import { agencySubtree } from '../reference/hierarchy.js';
import { getArea } from '../reference/areas.js';
import { airAlerts, airZones } from './tables.js';

export type ZoneRow = typeof airZones.$inferSelect;
export type AlertRow = typeof airAlerts.$inferSelect;
export type MeasuresRow = typeof import('./tables.js').emergencyMeasures.$inferSelect;

/** Agencies of both sides in the zone: those of its areas and every agency below them. */
export function zoneAgencies(tx: Tx, zone: Pick<ZoneRow, 'areaIds'>): string[] {
  const tops = [...new Set(zone.areaIds.map((id) => getArea(tx, id)?.agencyCode).filter((c): c is string => !!c))];
  return [...new Set(tops.flatMap((c) => agencySubtree(tx, c)))];
}

/** The caller's agency is in the zone, or (supervisors) above one of its agencies. */
function ofZone(tx: Tx, p: Principal, agencies: string[]): boolean {
  if (!p.agencyCode) return false;
  if (p.role === 'supervisor') return agencySubtree(tx, p.agencyCode).some((c) => agencies.includes(c));
  if (p.role === 'inspector') return agencies.includes(p.agencyCode);
  return false;
}

export function maySeeAlert(tx: Tx, p: Principal, agencies: string[]): boolean {
  return p.role === 'admin' || p.role === 'intake' || ofZone(tx, p, agencies);
}

export function getZone(tx: Tx, id: string): ZoneRow | undefined {
  return tx.select().from(airZones).where(eq(airZones.id, id)).get();
}

export function loadAlertFor(tx: Tx, p: Principal, id: string): { alert: AlertRow; zone: ZoneRow; agencies: string[] } {
  const alert = tx.select().from(airAlerts).where(eq(airAlerts.id, id)).get();
  const zone = alert ? getZone(tx, alert.zoneId) : undefined;
  const agencies = zone ? zoneAgencies(tx, zone) : [];
  if (!alert || !zone || !maySeeAlert(tx, p, agencies)) throw notFound('air alert', id);
  return { alert, zone, agencies };
}

/** Issuing, changing and lifting: admins, or a supervisor of an agency in the zone (or above one). */
export function assertMayAlert(tx: Tx, p: Principal, zone: ZoneRow, agencies: string[]): void {
  if (p.role === 'admin' || (p.role === 'supervisor' && ofZone(tx, p, agencies))) return;
  throw denied(
    'air-alert-by-zone-supervisor',
    `Only supervisors of an agency in zone ${zone.name} (${agencies.join(', ')}) or above one issue, change or lift its alerts.`,
  );
}

/** A source's reduction list: admins, or supervisors and inspectors of the source's agency or above it (as for the source itself). */
export function assertMaySetMeasures(tx: Tx, p: Principal, sourceAgencyCode: string): void {
  if (p.role === 'admin') return;
  if ((p.role === 'supervisor' || p.role === 'inspector') && p.agencyCode && agencySubtree(tx, p.agencyCode).includes(sourceAgencyCode)) return;
  throw denied(
    'emergency-measures-by-source-agency',
    `Only agency ${sourceAgencyCode} (or an agency above it) sets the emergency reduction list of its sources.`,
  );
}
