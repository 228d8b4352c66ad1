import { and, between, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import { preparedOnce, type Tx } from '../db/client.js';
import type { Category } from '../domain/index.js';
import { complaints, type ComplaintStatus } from './tables.js';

/** Statuses in which a complaint can still collect duplicates (it has not been answered yet). */
export const OPEN_STATUSES: ComplaintStatus[] = ['received', 'accepted', 'routed', 'in_progress'];

const EARTH_RADIUS_M = 6_371_008.8;
const M_PER_DEG_LAT = 111_320;

/** Great-circle distance in metres (haversine, WGS-84 mean radius). */
export function haversineMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

// On every create with a location: built and prepared once (see preparedOnce).
const ph = sql.placeholder;
const candidates = preparedOnce((tx) =>
  tx
    .select({ id: complaints.id, lat: complaints.lat, lng: complaints.lng, receivedAt: complaints.receivedAt })
    .from(complaints)
    .where(
      and(
        eq(complaints.category, ph('category')),
        between(complaints.lat, ph('minLat'), ph('maxLat')),
        between(complaints.lng, ph('minLng'), ph('maxLng')),
        gte(complaints.receivedAt, ph('since')),
        inArray(complaints.status, OPEN_STATUSES),
        isNull(complaints.duplicateOf),
      ),
    )
    .prepare(),
);

/**
 * The open, non-duplicate complaint of the same category nearest to `at` within `radiusM` metres
 * received in the last `windowHours`: an indexed bounding-box prefilter (category, lat, lng,
 * received_at) then haversine. Ties go to the oldest.
 */
export function findMaster(
  tx: Tx,
  q: { category: Category; lat: number; lng: number; now: Date; radiusM: number; windowHours: number; excludeId?: string },
): { id: string; distance: number } | null {
  if (q.radiusM <= 0 || q.windowHours <= 0) return null;
  const dLat = q.radiusM / M_PER_DEG_LAT;
  const cos = Math.cos((q.lat * Math.PI) / 180);
  const dLng = cos > 1e-6 ? Math.min(180, q.radiusM / (M_PER_DEG_LAT * cos)) : 180;
  const since = new Date(q.now.getTime() - q.windowHours * 3_600_000).toISOString();
  const rows = candidates(tx).all({ category: q.category, minLat: q.lat - dLat, maxLat: q.lat + dLat, minLng: q.lng - dLng, maxLng: q.lng + dLng, since });
  let best: { id: string; distance: number; receivedAt: string } | null = null;
  for (const r of rows) {
    if (r.id === q.excludeId || r.lat === null || r.lng === null) continue;
    const d = haversineMeters(q, { lat: r.lat, lng: r.lng });
    if (d > q.radiusM) continue;
    if (!best || d < best.distance || (d === best.distance && r.receivedAt < best.receivedAt)) best = { id: r.id, distance: d, receivedAt: r.receivedAt };
  }
  return best && { id: best.id, distance: best.distance };
}
