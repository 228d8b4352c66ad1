import RBush, { type BBox } from 'rbush';
import pointInPolygon from 'point-in-polygon-hao';
import { areaGeometries, areasStamp, areaVersions } from '../reference/areas.js';
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

/** One polygon part of an area, as an R-tree entry (its bbox) with its rings for the exact tests. */
interface Part extends BBox {
  area: IndexedArea;
  rings: PolygonCoords;
  flat: Float64Array[];
}

const KIND_RANK: Record<AreaKind, number> = { grid: 0, jurisdiction: 1, protected: 2 };

/** Most specific first: grid before jurisdiction, then smaller, then id (deterministic). */
export const bySpecificity = (a: IndexedArea, b: IndexedArea) =>
  KIND_RANK[a.kind] - KIND_RANK[b.kind] || a.size - b.size || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The index entries of an area (one per polygon part), or null when its geometry cannot be read. */
function partsOf(a: AreaInput): Part[] | null {
  const polys = polygonsOf(a.geometry);
  if (!polys) return null;
  const area: IndexedArea = { id: a.id, side: a.side, agencyCode: a.agencyCode, kind: a.kind, size: polys.reduce((s, p) => s + polygonArea(p), 0) };
  return polys.map((p) => {
    const b = ringsBBox(p);
    return { minX: b.minLng, minY: b.minLat, maxX: b.maxLng, maxY: b.maxLat, area, rings: p, flat: p.map(flatRing) };
  });
}

/**
 * Spatial index over areas: a dynamic R-tree (rbush) over the bounding box of every polygon part
 * (a MultiPolygon contributes one entry per part), then an exact point-in-polygon test (holes
 * respected; a point on an edge counts as inside). Built in bulk once, then kept current area by
 * area (`upsert`, `remove`): an area write costs the parsing of that area and a few tree
 * operations, not a rebuild over every area.
 */
export class SpatialIndex {
  private tree = new RBush<Part>();
  private byId = new Map<string, Part[]>();
  private unreadable = new Set<string>();

  constructor(input: Iterable<AreaInput>) {
    const all: Part[] = [];
    for (const a of input) {
      const parts = partsOf(a);
      if (!parts) {
        this.unreadable.add(a.id);
        continue;
      }
      this.byId.set(a.id, parts);
      all.push(...parts);
    }
    this.tree.load(all);
  }

  /** Ids of areas whose geometry could not be read (left out). */
  get skipped(): string[] {
    return [...this.unreadable];
  }

  get size(): number {
    return this.byId.size;
  }

  /** Adds the area, or replaces the indexed one of the same id; false when its geometry cannot be read (then it is left out). */
  upsert(a: AreaInput): boolean {
    this.remove(a.id);
    const parts = partsOf(a);
    if (!parts) {
      this.unreadable.add(a.id);
      return false;
    }
    this.byId.set(a.id, parts);
    for (const p of parts) this.tree.insert(p);
    return true;
  }

  remove(id: string): void {
    this.unreadable.delete(id);
    const parts = this.byId.get(id);
    if (!parts) return;
    for (const p of parts) this.tree.remove(p);
    this.byId.delete(id);
  }

  /** Every area containing the point (protected included), most specific first. */
  containing(lat: number, lng: number): IndexedArea[] {
    const hits = this.tree.search({ minX: lng, minY: lat, maxX: lng, maxY: lat });
    const seen = new Set<IndexedArea>();
    const out: IndexedArea[] = [];
    const pt = [lng, lat];
    for (const part of hits) {
      if (seen.has(part.area)) continue;
      if (pointInPolygon(pt, part.rings) !== false) {
        seen.add(part.area);
        out.push(part.area);
      }
    }
    return out.sort(bySpecificity);
  }

  /**
   * Non-protected areas within `meters` of the point that pass `filter`, nearest first
   * (then most specific). Containing areas have distance 0.
   */
  nearby(lat: number, lng: number, meters: number, filter: (a: IndexedArea) => boolean = () => true, inside?: Set<string>): Neighbour[] {
    const { dLat, dLng } = metersToDegrees(meters, lat);
    const eps = 1e-9;
    const hits = this.tree.search({ minX: lng - dLng - eps, minY: lat - dLat - eps, maxX: lng + dLng + eps, maxY: lat + dLat + eps });
    const best = new Map<IndexedArea, number>();
    const pt = [lng, lat];
    for (const part of hits) {
      const area = part.area;
      if (area.kind === 'protected' || !filter(area)) continue;
      const known = best.get(part.area);
      if (known === 0) continue;
      let d: number;
      if (inside ? inside.has(area.id) : pointInPolygon(pt, part.rings) !== false) d = 0;
      else d = distanceToRingsMeters(lng, lat, part.flat);
      if (d <= meters && (known === undefined || d < known)) best.set(part.area, d);
    }
    return [...best.entries()]
      .map(([a, d]) => ({ a, d }))
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
 * The index over the areas table, shared by routes and workers of this process. Built in full
 * once (lazily), then kept current area by area rather than rebuilt, so that an area write does
 * not stall the event loop for a read and parse of every area:
 * - an area write in this process calls `markChanged(ids)` (registered as `areas:changed`): only
 *   those areas are re-read (gone → removed);
 * - a write by another process (or `markChanged()` without ids): SQLite's data_version moves
 *   when another connection commits; then a count/max(updated_at)/sum(version) stamp of the
 *   areas table is compared, and when it moved, the (id, version key) of every area — no
 *   geometry — are diffed against what the index holds, and only the areas that differ re-read.
 */
export class SpatialService {
  private index: SpatialIndex | null = null;
  /** id → version key (areas.ts) of every area the index reflects (unreadable ones included). */
  private held = new Map<string, string>();
  /** Ids written in this process since the index was last brought up to date. */
  private pending = new Set<string>();
  /** Something changed that ids do not say: diff every area's version. */
  private rescan = false;
  private dataVersion = -1;
  private stamp = '';
  /** How many times the index was built over every area (tests, metrics). */
  builds = 0;
  /** How many times changed areas were applied to the index without a build. */
  updates = 0;

  constructor(private deps: Deps) {}

  /** After an area write: the ids written, or none when unknown (then every area's version is diffed). */
  markChanged(ids?: readonly string[]): void {
    if (ids) for (const id of ids) this.pending.add(id);
    else this.rescan = true;
  }

  private readStamp(): string {
    return areasStamp(this.deps.db);
  }

  /** The current index, brought up to date first if areas changed. */
  current(): SpatialIndex {
    // Read in this order (data_version, stamp, versions, geometry), a commit in between is seen at the latest on the next call.
    const dv = Number(this.deps.db.$client.pragma('data_version', { simple: true }));
    if (dv !== this.dataVersion) {
      this.dataVersion = dv;
      const stamp = this.readStamp();
      if (stamp !== this.stamp) {
        this.stamp = stamp;
        this.rescan = true;
      }
    }
    if (!this.index) return this.rebuild();
    if (this.rescan) {
      this.rescan = false;
      const seen = new Set<string>();
      for (const [id, key] of areaVersions(this.deps.db)) {
        seen.add(id);
        if (this.held.get(id) !== key) this.pending.add(id);
      }
      for (const id of this.held.keys()) if (!seen.has(id)) this.pending.add(id);
    }
    if (this.pending.size) this.apply([...this.pending]);
    return this.index;
  }

  /** Re-reads the given areas into the index: changed ones replaced, new ones added, gone ones removed. */
  private apply(ids: string[]): void {
    const index = this.index!;
    const rows = areaGeometries(this.deps.db, ids);
    this.pending.clear();
    const found = new Set<string>();
    const unreadable: string[] = [];
    for (const row of rows) {
      found.add(row.id);
      this.held.set(row.id, row.versionKey);
      if (!index.upsert(row)) unreadable.push(row.id);
    }
    for (const id of ids)
      if (!found.has(id)) {
        index.remove(id);
        this.held.delete(id);
      }
    if (unreadable.length) this.deps.log.warn({ areas: unreadable }, 'areas with unreadable geometry left out of the spatial index');
    this.updates++;
  }

  /** Builds the index over every area (the first time, or on demand). */
  rebuild(): SpatialIndex {
    if (this.dataVersion === -1) {
      this.dataVersion = Number(this.deps.db.$client.pragma('data_version', { simple: true }));
      this.stamp = this.readStamp();
    }
    this.pending.clear();
    this.rescan = false;
    const rows = areaGeometries(this.deps.db);
    const index = new SpatialIndex(rows);
    if (index.skipped.length) this.deps.log.warn({ areas: index.skipped }, 'areas with unreadable geometry left out of the spatial index');
    this.held = new Map(rows.map((r) => [r.id, r.versionKey]));
    this.index = index;
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
