/**
 * Where a case's place lies, from the jurisdiction capability's spatial index: owner, grid and
 * whether it is joint (the other side's ground within the joint buffer).
 */
import type { Deps } from '../deps.js';
import type { Side } from '../domain/index.js';
import { spatialService, type Resolution } from '../jurisdiction/spatial-index.js';

export type PlaceInfo = Resolution;

export function resolvePlace(deps: Deps, lat: number, lng: number): PlaceInfo {
  return spatialService(deps).resolve(lat, lng);
}

/** The other side's agency responsible for a joint place: the owner if it is the other side, else the nearest neighbour. */
export function otherSideAgency(place: PlaceInfo, leadSide: Side): string | null {
  if (place.side && place.side !== leadSide && place.agencyCode) return place.agencyCode;
  if (!place.joint) return null;
  const n = place.neighbours.filter((x) => x.side !== leadSide && x.agencyCode).sort((a, b) => (a.distanceMeters ?? 0) - (b.distanceMeters ?? 0))[0];
  return n?.agencyCode ?? null;
}
