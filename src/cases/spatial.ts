/**
 * Adapter to the routing engineer's spatial index (deps.services.get('spatial'), src/jurisdiction/).
 * When it is not registered, places resolve to nothing (gridId stays null, no joint detection).
 */
import type { Deps } from '../queue/types.js';

export interface PlaceInfo {
  side: 'region' | 'corps' | null;
  agencyCode: string | null;
  areaId: string | null;
  gridId: string | null;
  joint: boolean;
  neighbours: { side: 'region' | 'corps'; agencyCode: string; areaId?: string | null; distanceMeters?: number }[];
}

type ResolveFn = (...args: unknown[]) => unknown;

export function resolvePlace(deps: Deps, lat: number, lng: number): PlaceInfo | null {
  const svc = deps.services.get('spatial') as { resolve?: ResolveFn } | undefined;
  if (!svc || typeof svc.resolve !== 'function') return null;
  try {
    const raw = (svc.resolve.length >= 2 ? svc.resolve(lat, lng) : svc.resolve({ lat, lng })) as Partial<PlaceInfo> | null | undefined;
    if (!raw || typeof raw !== 'object') return null;
    return {
      side: raw.side ?? null,
      agencyCode: raw.agencyCode ?? null,
      areaId: raw.areaId ?? null,
      gridId: raw.gridId ?? null,
      joint: Boolean(raw.joint),
      neighbours: Array.isArray(raw.neighbours) ? raw.neighbours : [],
    };
  } catch (err) {
    deps.log.warn({ err }, 'spatial resolve failed; continuing without it');
    return null;
  }
}

/** The other side's agency responsible for a joint place: the owner if it is the other side, else the nearest neighbour. */
export function otherSideAgency(place: PlaceInfo, leadSide: 'region' | 'corps'): string | null {
  if (place.side && place.side !== leadSide && place.agencyCode) return place.agencyCode;
  if (!place.joint) return null;
  const n = place.neighbours
    .filter((x) => x.side !== leadSide && x.agencyCode)
    .sort((a, b) => (a.distanceMeters ?? 0) - (b.distanceMeters ?? 0))[0];
  return n?.agencyCode ?? null;
}
