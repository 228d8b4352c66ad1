import type { FieldError } from '../http/problem.js';

/**
 * GeoJSON (RFC 7946) Polygon / MultiPolygon validation and measurement. Pure: no I/O, no HTTP.
 *
 * Positions are [longitude, latitude] or [longitude, latitude, altitude] in WGS-84. Rings must be
 * closed (first position equals last), have at least 4 positions and enclose a non-zero area.
 * Winding order is not enforced (RFC 7946 §3.1.6: parsers SHOULD NOT reject polygons that do not
 * follow the right-hand rule).
 */
export type Position = number[];
export type Ring = Position[];
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Ring[];
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Ring[][];
}
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

export const GEOMETRY_TYPES = ['Polygon', 'MultiPolygon'] as const;

/** Below this |area| (deg², ≈ 0.01 m² at Xinjiang's latitude) a ring counts as zero-area. */
const ZERO_AREA_DEG2 = 1e-12;
/** Bound the size of a problem document for a hopeless geometry. */
const MAX_ERRORS_PER_GEOMETRY = 20;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** Signed planar area (shoelace) of a ring in deg²; positive = counter-clockwise. */
export function ringSignedArea(ring: Ring): number {
  let s = 0;
  for (let i = 0, n = ring.length; i < n - 1; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

class Collector {
  readonly errors: FieldError[] = [];
  dropped = 0;
  add(field: string, reason: string) {
    if (this.errors.length < MAX_ERRORS_PER_GEOMETRY) this.errors.push({ field, reason });
    else this.dropped++;
  }
}

function checkPosition(p: unknown, path: string, c: Collector): p is Position {
  if (!Array.isArray(p)) {
    c.add(path, `must be a position [longitude, latitude] (an array of 2 or 3 numbers), got ${describe(p)}`);
    return false;
  }
  if (p.length > 0 && Array.isArray(p[0])) {
    c.add(path, 'must be a position [longitude, latitude], got a nested array: coordinates are nested one level too deep');
    return false;
  }
  if (p.length < 2 || p.length > 3) {
    c.add(path, `must have 2 or 3 numbers [longitude, latitude(, altitude)], has ${p.length}`);
    return false;
  }
  let ok = true;
  p.forEach((n, i) => {
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      c.add(`${path}/${i}`, `must be a finite number, got ${typeof n === 'number' ? String(n) : describe(n)}`);
      ok = false;
    }
  });
  if (!ok) return false;
  if (p[0] < -180 || p[0] > 180) {
    c.add(`${path}/0`, `longitude ${p[0]} is outside [-180, 180]`);
    ok = false;
  }
  if (p[1] < -90 || p[1] > 90) {
    c.add(`${path}/1`, `latitude ${p[1]} is outside [-90, 90]`);
    ok = false;
  }
  return ok;
}

function samePosition(a: Position, b: Position): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function checkRing(r: unknown, path: string, c: Collector, depthHint: string): boolean {
  if (!Array.isArray(r)) {
    c.add(path, `must be a linear ring (an array of positions), got ${describe(r)}`);
    return false;
  }
  if (r.length > 0 && !r.some((p) => Array.isArray(p))) {
    c.add(path, `must be a linear ring (an array of positions), got a single position: ${depthHint}`);
    return false;
  }
  let ok = true;
  r.forEach((p, i) => {
    if (!checkPosition(p, `${path}/${i}`, c)) ok = false;
  });
  if (!ok) return false;
  const ring = r as Ring;
  if (ring.length < 4) {
    c.add(path, `a linear ring needs at least 4 positions (first = last), has ${ring.length}`);
    return false;
  }
  if (!samePosition(ring[0], ring[ring.length - 1])) {
    c.add(path, `ring is not closed: the first position [${ring[0].join(', ')}] must equal the last [${ring[ring.length - 1].join(', ')}]`);
    return false;
  }
  if (Math.abs(ringSignedArea(ring)) < ZERO_AREA_DEG2) {
    c.add(path, 'ring encloses no area (its positions are collinear or repeated)');
    return false;
  }
  return true;
}

function checkPolygonRings(rings: unknown, path: string, c: Collector, depthHint: string): boolean {
  if (!Array.isArray(rings)) {
    c.add(path, `must be an array of linear rings, got ${describe(rings)}`);
    return false;
  }
  if (rings.length === 0) {
    c.add(path, 'must have at least one linear ring (the exterior ring)');
    return false;
  }
  let ok = true;
  rings.forEach((r, i) => {
    if (!checkRing(r, `${path}/${i}`, c, depthHint)) ok = false;
  });
  return ok;
}

/**
 * Validates a GeoJSON Polygon or MultiPolygon. `base` is the field path of the geometry (e.g.
 * `body/geometry`, `body/features/3/geometry`); every error names the exact bad member.
 * Returns [] when valid.
 */
export function validateGeometry(g: unknown, base = 'body/geometry'): FieldError[] {
  const c = new Collector();
  if (!isObject(g)) {
    c.add(base, `must be a GeoJSON Polygon or MultiPolygon object, got ${describe(g)}`);
    return c.errors;
  }
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') {
    c.add(`${base}/type`, `must be Polygon or MultiPolygon, got ${typeof g.type === 'string' ? g.type : describe(g.type)}`);
    return c.errors;
  }
  const coords = g.coordinates;
  const cpath = `${base}/coordinates`;
  if (g.type === 'Polygon') {
    checkPolygonRings(coords, cpath, c, 'Polygon coordinates nest three deep: [ring][position][longitude, latitude]');
  } else if (!Array.isArray(coords)) {
    c.add(cpath, `must be an array of polygons, got ${describe(coords)}`);
  } else if (coords.length === 0) {
    c.add(cpath, 'must have at least one polygon');
  } else {
    coords.forEach((poly, i) =>
      checkPolygonRings(poly, `${cpath}/${i}`, c, 'MultiPolygon coordinates nest four deep: [polygon][ring][position][longitude, latitude]'),
    );
  }
  if (c.dropped > 0) c.errors.push({ field: base, reason: `and ${c.dropped} more problems in this geometry` });
  return c.errors;
}

/** The polygons of a (valid) geometry, as arrays of rings. */
export function polygonsOf(g: AreaGeometry): Ring[][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

export interface BBox {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

/** Bounding box of a (valid) geometry. */
export function bboxOf(g: AreaGeometry): BBox {
  let minLng = Infinity;
  let minLat = Infinity;
  let maxLng = -Infinity;
  let maxLat = -Infinity;
  for (const poly of polygonsOf(g))
    for (const ring of poly)
      for (const [lng, lat] of ring) {
        if (lng < minLng) minLng = lng;
        if (lng > maxLng) maxLng = lng;
        if (lat < minLat) minLat = lat;
        if (lat > maxLat) maxLat = lat;
      }
  return { minLng, minLat, maxLng, maxLat };
}

/**
 * Planar area in deg² (exterior minus holes, summed over polygons). Not a surface area: good
 * enough to rank nested areas ("the smaller area wins") within one region.
 */
export function planarArea(g: AreaGeometry): number {
  let total = 0;
  for (const poly of polygonsOf(g)) {
    const [outer, ...holes] = poly;
    total += Math.max(0, Math.abs(ringSignedArea(outer)) - holes.reduce((s, h) => s + Math.abs(ringSignedArea(h)), 0));
  }
  return total;
}

/** Keeps only the GeoJSON members we store (type, coordinates), positions copied as given. */
export function normalizeGeometry(g: AreaGeometry): AreaGeometry {
  return g.type === 'Polygon' ? { type: 'Polygon', coordinates: g.coordinates } : { type: 'MultiPolygon', coordinates: g.coordinates };
}
