import Flatbush from 'flatbush';
import pointInPolygon from 'point-in-polygon-hao';
import { areaGeometries, areasStamp } from '../reference/areas.js';
import type { Deps } from '../deps.js';
import type { Side } from '../domain/index.js';
import { distanceToRingsMeters, flatRing, metersToDegrees, polygonArea, polygonsOf, ringsBBox, type PolygonCoords } from './geo.js';

export type AreaKind = 'jurisdiction' | 'grid' | 'protected';

/** What the index needs of an area (a row of the areas table, or generated in the benchmark). */
export interface AreaInput {
  id: string;
  side: Side;
  agencyCode: string;
  kind: AreaKind;
  geometry: { type: string; coordinates: unknown };
}

export interface IndexedArea {
  id: string;
  side: Side;
  agencyCode: string;
  kind: AreaKind;
  /** Planar area in deg² (outer rings minus holes), for "smaller wins". */
  size: number;
}

export interface Neighbour {
  side: Side;
  agencyCode: string;
  areaId: string;
  kind: AreaKind;
  /** 0 when the point is inside the area. */
  distanceMeters: number;
}

/** Resolution of a point: owner (most specific grid/jurisdiction), joint flag and other-side neighbours. */
export interface Resolution {
  side: Side | null;
  agencyCode: string | null;
  /** The owning area (the most specific containing grid or jurisdiction area). */
  areaId: string | null;
  /** The owning area's id when it is a grid cell, else null. */
  gridId: string | null;
  joint: boolean;
  /** Areas of the other side (of every side when nothing owns the point) within the buffer, nearest first. */
  neighbours: Neighbour[];
  /** Every area containing the point, protected ones included, most specific (smallest) first. */
  containing: IndexedArea[];
}

interface Part {
  area: number;
  rings: PolygonCoords;
  flat: Float64Array[];
}

const KIND_RANK: Record<AreaKind, number> = { grid: 0, jurisdiction: 1, protected: 2 };

/** Most specific first: grid before jurisdiction, then smaller, then id (deterministic). */
export const bySpecificity = (a: IndexedArea, b: IndexedArea) =>
  KIND_RANK[a.kind] - KIND_RANK[b.kind] || a.size - b.size || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Immutable spatial index over areas: a packed Hilbert R-tree (flatbush) over the bounding box
 * of every polygon part (a MultiPolygon contributes one entry per part), then an exact
 * point-in-polygon test (holes respected; a point on an edge counts as inside).
 */
export class SpatialIndex {
  readonly areas: IndexedArea[] = [];
  private parts: Part[] = [];
  private tree: Flatbush | null = null;
  /** Ids of areas whose geometry could not be read (skipped). */
  readonly skipped: string[] = [];

  constructor(input: Iterable<AreaInput>) {
    const boxes: [number, number, number, number][] = [];
    for (const a of input) {
      const polys = polygonsOf(a.geometry);
      if (!polys) {
        this.skipped.push(a.id);
        continue;
      }
      const idx = this.areas.length;
      this.areas.push({ id: a.id, side: a.side, agencyCode: a.agencyCode, kind: a.kind, size: polys.reduce((s, p) => s + polygonArea(p), 0) });
      for (const p of polys) {
        const b = ringsBBox(p);
        this.parts.push({ area: idx, rings: p, flat: p.map(flatRing) });
        boxes.push([b.minLng, b.minLat, b.maxLng, b.maxLat]);
      }
    }
    if (boxes.length) {
      this.tree = new Flatbush(boxes.length);
      for (const b of boxes) this.tree.add(b[0], b[1], b[2], b[3]);
      this.tree.finish();
    }
  }

  get size(): number {
    return this.areas.length;
  }

  /** Every area containing the point (protected included), most specific first. */
  containing(lat: number, lng: number): IndexedArea[] {
    if (!this.tree) return [];
    const hits = this.tree.search(lng, lat, lng, lat);
    const seen = new Set<number>();
    const out: IndexedArea[] = [];
    const pt = [lng, lat];
    for (const h of hits) {
      const part = this.parts[h];
      if (seen.has(part.area)) continue;
      if (pointInPolygon(pt, part.rings) !== false) {
        seen.add(part.area);
        out.push(this.areas[part.area]);
      }
    }
    return out.sort(bySpecificity);
  }

  /**
   * Non-protected areas within `meters` of the point that pass `filter`, nearest first
   * (then most specific). Containing areas have distance 0.
   */
  nearby(lat: number, lng: number, meters: number, filter: (a: IndexedArea) => boolean = () => true, inside?: Set<string>): Neighbour[] {
    if (!this.tree) return [];
    const { dLat, dLng } = metersToDegrees(meters, lat);
    const eps = 1e-9;
    const hits = this.tree.search(lng - dLng - eps, lat - dLat - eps, lng + dLng + eps, lat + dLat + eps);
    const best = new Map<number, number>();
    const pt = [lng, lat];
    for (const h of hits) {
      const part = this.parts[h];
      const area = this.areas[part.area];
      if (area.kind === 'protected' || !filter(area)) continue;
      const known = best.get(part.area);
      if (known === 0) continue;
      let d: number;
      if (inside ? inside.has(area.id) : pointInPolygon(pt, part.rings) !== false) d = 0;
      else d = distanceToRingsMeters(lng, lat, part.flat);
      if (d <= meters && (known === undefined || d < known)) best.set(part.area, d);
    }
    return [...best.entries()]
      .map(([i, d]) => ({ a: this.areas[i], d }))
      .sort((x, y) => x.d - y.d || bySpecificity(x.a, y.a))
      .map(({ a, d }) => ({ side: a.side, agencyCode: a.agencyCode, areaId: a.id, kind: a.kind, distanceMeters: Math.round(d * 10) / 10 }));
  }

  /**
   * Who owns the point: the most specific containing grid, else jurisdiction (protected areas
   * own nothing); joint when an area of the other side is within `bufferMeters` (or contains it).
   */
  resolve(lat: number, lng: number, bufferMeters: number): Resolution {
    const containing = this.containing(lat, lng);
    const owner = containing.find((a) => a.kind !== 'protected') ?? null;
    const inside = new Set(containing.map((a) => a.id));
    const neighbours = owner
      ? this.nearby(lat, lng, bufferMeters, (a) => a.side !== owner.side, inside)
      : this.nearby(lat, lng, bufferMeters, () => true, inside);
    return {
      side: owner?.side ?? null,
      agencyCode: owner?.agencyCode ?? null,
      areaId: owner?.id ?? null,
      gridId: owner?.kind === 'grid' ? owner.id : null,
      joint: owner !== null && neighbours.length > 0,
      neighbours,
      containing,
    };
  }
}

/**
 * The index over the areas table, shared by routes and workers of this process. Rebuilt lazily:
 * `markChanged()` (registered as `areas:changed`) after an area write in this process, and a
 * cheap check for writes by other processes (SQLite's data_version moves when another connection
 * commits; then a count/max(updated_at)/sum(version) stamp of the areas table is compared).
 */
export class SpatialService {
  private index: SpatialIndex | null = null;
  private dirty = true;
  private dataVersion = -1;
  private stamp = '';
  /** How many times the index was built (tests, metrics). */
  builds = 0;

  constructor(private deps: Deps) {}

  markChanged(): void {
    this.dirty = true;
  }

  private readStamp(): string {
    return areasStamp(this.deps.db);
  }

  /** The current index, rebuilt first if areas changed. */
  current(): SpatialIndex {
    const dv = Number(this.deps.db.$client.pragma('data_version', { simple: true }));
    if (dv !== this.dataVersion) {
      this.dataVersion = dv;
      if (this.readStamp() !== this.stamp) this.dirty = true;
    }
    if (this.dirty || !this.index) this.rebuild();
    return this.index!;
  }

  rebuild(): SpatialIndex {
    this.stamp = this.readStamp();
    const rows = areaGeometries(this.deps.db);
    const index = new SpatialIndex(rows);
    if (index.skipped.length) this.deps.log.warn({ areas: index.skipped }, 'areas with unreadable geometry left out of the spatial index');
    this.index = index;
    this.dirty = false;
    this.builds++;
    return index;
  }

  resolve(lat: number, lng: number): Resolution {
    return this.current().resolve(lat, lng, this.deps.config.jointBufferMeters);
  }
}

declare module '../deps.js' {
  interface Services {
    spatial: SpatialService;
  }
}

export function spatialService(deps: Deps): SpatialService {
  const s = deps.services.spatial;
  if (!s) throw new Error('spatial service not initialised');
  return s;
}
