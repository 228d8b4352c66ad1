/**
 * Small geometry helpers on WGS-84 lng/lat (GeoJSON order: [lng, lat]).
 * Distances are metres on a sphere of the mean Earth radius; over a few kilometres an
 * equirectangular projection around the query point is accurate to well under a metre.
 */
export const EARTH_RADIUS_M = 6_371_008.8;
/** Metres per degree of latitude (and of longitude at the equator). */
export const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;

export type Position = number[];
export type Ring = Position[];
export type PolygonCoords = Ring[];

export interface BBox {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

/** Great-circle distance between two points, metres. */
export function haversineMeters(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r;
  const dLng = (lng2 - lng1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Degrees of latitude and longitude that cover `meters` around latitude `lat` (for bbox queries). */
export function metersToDegrees(meters: number, lat: number): { dLat: number; dLng: number } {
  const dLat = meters / M_PER_DEG;
  const cos = Math.cos((Math.min(89.9, Math.abs(lat)) * Math.PI) / 180);
  return { dLat, dLng: dLat / cos };
}

/**
 * Minimum distance, metres, from (lng0, lat0) to the edges of rings stored flat
 * ([lng, lat, lng, lat, …], closed). Equirectangular projection around the point.
 */
export function distanceToRingsMeters(lng0: number, lat0: number, rings: Float64Array[]): number {
  const ky = M_PER_DEG;
  const kx = M_PER_DEG * Math.cos((lat0 * Math.PI) / 180);
  let best = Infinity;
  for (const ring of rings) {
    let ax = (ring[0] - lng0) * kx;
    let ay = (ring[1] - lat0) * ky;
    for (let i = 2; i < ring.length; i += 2) {
      const bx = (ring[i] - lng0) * kx;
      const by = (ring[i + 1] - lat0) * ky;
      // distance from the origin to segment a–b
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      let t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
      if (t < 0) t = 0;
      else if (t > 1) t = 1;
      const px = ax + t * dx;
      const py = ay + t * dy;
      const d2 = px * px + py * py;
      if (d2 < best) best = d2;
      ax = bx;
      ay = by;
    }
  }
  return Math.sqrt(best);
}

/** Shoelace area of a ring in deg² (absolute value). */
export function ringArea(ring: Ring): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return Math.abs(s) / 2;
}

/** Planar area of a polygon (outer minus holes), deg². */
export function polygonArea(p: PolygonCoords): number {
  if (p.length === 0) return 0;
  return Math.max(0, ringArea(p[0]) - p.slice(1).reduce((a, r) => a + ringArea(r), 0));
}

export function ringsBBox(p: PolygonCoords): BBox {
  let minLng = Infinity;
  let minLat = Infinity;
  let maxLng = -Infinity;
  let maxLat = -Infinity;
  for (const ring of p)
    for (const [x, y] of ring) {
      if (x < minLng) minLng = x;
      if (x > maxLng) maxLng = x;
      if (y < minLat) minLat = y;
      if (y > maxLat) maxLat = y;
    }
  return { minLng, minLat, maxLng, maxLat };
}

const isPos = (p: unknown): p is Position => Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);

/**
 * GeoJSON Polygon or MultiPolygon → list of polygons with closed rings of at least 4 positions.
 * Returns null for anything malformed (the caller skips the area and logs it).
 */
export function polygonsOf(geometry: { type: string; coordinates: unknown } | null | undefined): PolygonCoords[] | null {
  if (!geometry || typeof geometry !== 'object') return null;
  const raw: unknown[] =
    geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' && Array.isArray(geometry.coordinates) ? geometry.coordinates : [];
  const out: PolygonCoords[] = [];
  for (const poly of raw) {
    if (!Array.isArray(poly) || poly.length === 0) return null;
    const rings: Ring[] = [];
    for (const ring of poly) {
      if (!Array.isArray(ring) || !ring.every(isPos)) return null;
      const r = ring.map((p: Position) => [p[0], p[1]]);
      const first = r[0];
      const last = r[r.length - 1];
      if (first && (first[0] !== last[0] || first[1] !== last[1])) r.push([first[0], first[1]]);
      if (r.length < 4) return null;
      rings.push(r);
    }
    out.push(rings);
  }
  return out.length ? out : null;
}

export const flatRing = (ring: Ring): Float64Array => {
  const f = new Float64Array(ring.length * 2);
  ring.forEach((p, i) => {
    f[2 * i] = p[0];
    f[2 * i + 1] = p[1];
  });
  return f;
};
