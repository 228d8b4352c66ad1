import { and, asc, count, eq, inArray, max, sql, sum, type SQL } from 'drizzle-orm';
import { sqliteOf, type Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import type { Side } from '../domain/index.js';
import type { Deps } from '../deps.js';
import { badRequest, conflict, notFound, unprocessable, type FieldError } from '../http/problem.js';
import { newId } from '../ids.js';
import { areas } from './tables.js';
import { getAgency } from './hierarchy.js';
import type { AreaKind } from './schemas.js';
import { bboxOf, normalizeGeometry, planarArea, validateGeometry, type AreaGeometry } from './geojson.js';
import { checkIfMatch, checkVersion, type Expected } from '../http/versioning.js';
import { emitAreaDeleted } from './events.js';
import { afterKey } from '../db/keyset.js';

export type AreaRow = typeof areas.$inferSelect;

export interface NewArea {
  id?: string;
  name: string;
  side: Side;
  agencyCode: string;
  kind: AreaKind;
  geometry: unknown;
}

export interface AreaPatch {
  name?: string;
  side?: Side;
  agencyCode?: string;
  kind?: AreaKind;
  geometry?: unknown;
}

declare module '../deps.js' {
  interface Services {
    /** Set by the jurisdiction capability, which keeps a spatial index over the areas: the ids written (none: look at every area). */
    onAreasChanged?: (ids?: readonly string[]) => void;
    /** Set by the jurisdiction capability: the routing rules scoped to an area (deleted with it). */
    rulesOfArea?: (tx: Tx, areaId: string) => AreaDependent[];
  }
}

/** Something that goes when its area goes (a routing rule scoped to it). */
export interface AreaDependent {
  kind: 'routing-rule';
  id: string;
  category: string;
  teamId: string;
}

/** Call after an area write has committed, with the ids written: the spatial index re-reads those areas. */
export function notifyAreasChanged(deps: Deps, ids?: readonly string[]): void {
  deps.services.onAreasChanged?.(ids);
}

export function publicArea(a: AreaRow) {
  return {
    id: a.id,
    name: a.name,
    side: a.side,
    agencyCode: a.agencyCode,
    kind: a.kind,
    geometry: a.geometry as AreaGeometry,
    bbox: [a.minLng, a.minLat, a.maxLng, a.maxLat],
    areaSize: a.areaSize,
    version: a.version,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function getArea(db: Tx, id: string): AreaRow | undefined {
  return db.select().from(areas).where(eq(areas.id, id)).get();
}

export function getAreaOr404(db: Tx, id: string): AreaRow {
  const a = getArea(db, id);
  if (!a) throw notFound('area', id);
  return a;
}

/** Stored geometry columns: the geometry itself, its bbox and its planar size. */
function measured(g: AreaGeometry) {
  const geometry = normalizeGeometry(g);
  return { geometry, ...bboxOf(geometry), areaSize: planarArea(geometry) };
}

/** Geometry 400, then agency 404, then side 422: the single-area rules. */
function checkArea(db: Tx, a: { side: Side; agencyCode: string; geometry: unknown }, base = 'body'): AreaGeometry {
  const errors = validateGeometry(a.geometry, `${base}/geometry`);
  if (errors.length)
    throw badRequest(`The geometry is not a valid GeoJSON Polygon or MultiPolygon: ${errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`, errors);
  const agency = getAgency(db, a.agencyCode);
  if (!agency) throw notFound('agency', a.agencyCode);
  if (agency.side !== a.side)
    throw unprocessable(
      'area-side-mismatch',
      `Agency ${agency.code} is on the ${agency.side} side; an area it answers for must be on the same side (got ${a.side}).`,
      {
        errors: [{ field: `${base}/side`, reason: `must equal the side of agency ${agency.code} (${agency.side})` }],
      },
    );
  return a.geometry as AreaGeometry;
}

export function createArea(tx: Tx, clock: Clock, a: NewArea): AreaRow {
  const g = checkArea(tx, a);
  const id = a.id ?? newId();
  if (getArea(tx, id)) throw conflict('area-exists', `Area ${id} already exists.`, { id });
  const now = clock.now().toISOString();
  return tx
    .insert(areas)
    .values({ id, name: a.name, side: a.side, agencyCode: a.agencyCode, kind: a.kind, ...measured(g), createdAt: now, updatedAt: now, version: 1 })
    .returning()
    .get();
}

export function patchArea(tx: Tx, clock: Clock, id: string, patch: AreaPatch, expected: Expected | undefined): AreaRow {
  const cur = getAreaOr404(tx, id);
  checkVersion(expected, cur.version, 'area', id);
  const next = {
    side: patch.side ?? cur.side,
    agencyCode: patch.agencyCode ?? cur.agencyCode,
    geometry: patch.geometry ?? cur.geometry,
  };
  const g = checkArea(tx, next);
  return tx
    .update(areas)
    .set({
      name: patch.name ?? cur.name,
      kind: patch.kind ?? cur.kind,
      side: next.side,
      agencyCode: next.agencyCode,
      ...measured(g),
      updatedAt: clock.now().toISOString(),
      version: cur.version + 1,
    })
    .where(and(eq(areas.id, id), eq(areas.version, cur.version)))
    .returning()
    .get()!;
}

/**
 * Deletes; when `expected` is given (If-Match) it must match the current version. An area that
 * routing rules are scoped to is not deleted (409 naming them) unless `cascade`: then the rules go
 * with it and are returned.
 */
export function deleteArea(tx: Tx, deps: Deps, id: string, expected: Expected | undefined, cascade = false): { area: AreaRow; removed: AreaDependent[] } {
  const cur = getAreaOr404(tx, id);
  checkIfMatch(expected, cur.version, 'area', id);
  const dependents = deps.services.rulesOfArea?.(tx, id) ?? [];
  if (dependents.length > 0 && !cascade)
    throw conflict(
      'area-in-use',
      `Area ${id} has ${dependents.length} routing rule(s): ${dependents.map((d) => d.id).join(', ')}. Delete them first, or DELETE with ?cascade=true to remove them with the area.`,
      { dependents },
    );
  tx.delete(areas).where(eq(areas.id, id)).run();
  emitAreaDeleted(tx, deps, cur, dependents);
  return { area: cur, removed: dependents };
}

export interface AreaFilter {
  side?: Side;
  agencyCode?: string;
  kind?: AreaKind;
}

/** Keyset page ordered by (createdAt, id). */
export function listAreas(db: Tx, f: AreaFilter, limit: number, after?: { c: string; i: string }): AreaRow[] {
  const conds: SQL[] = [];
  if (f.side) conds.push(eq(areas.side, f.side));
  if (f.agencyCode) conds.push(eq(areas.agencyCode, f.agencyCode));
  if (f.kind) conds.push(eq(areas.kind, f.kind));
  if (after) conds.push(afterKey(areas.createdAt, areas.id, { value: after.c, id: after.i }, 'asc')!);
  return db
    .select()
    .from(areas)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(areas.createdAt), asc(areas.id))
    .limit(limit)
    .all();
}

// ---- import ---------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Imports a FeatureCollection in the caller's transaction: every feature is checked first and
 * every problem reported (400, fields `body/features/<i>/...`, plus any `schemaErrors` the route's
 * schema found); only when all are good is anything written. With `upsert`, a feature whose
 * `properties.id` exists replaces that area; otherwise an existing id is an error.
 */
export function importAreas(tx: Tx, clock: Clock, body: unknown, opts: { upsert: boolean; schemaErrors?: FieldError[] }): string[] {
  const errors: FieldError[] = [...(opts.schemaErrors ?? [])];
  const flagged = new Set(errors.map((e) => e.field));
  const add = (field: string, reason: string) => {
    if (!flagged.has(field)) errors.push({ field, reason });
    flagged.add(field);
  };
  const features = isObject(body) && Array.isArray(body.features) ? body.features : [];
  const seen = new Map<string, number>();
  const plan: { existing?: AreaRow; id: string; f: NewArea; g: AreaGeometry }[] = [];
  features.forEach((feature, i) => {
    const base = `body/features/${i}`;
    if (!isObject(feature)) return add(base, 'must be a GeoJSON Feature object');
    const p = isObject(feature.properties) ? feature.properties : {};
    const geoErrors = validateGeometry(feature.geometry, `${base}/geometry`);
    for (const e of geoErrors) add(e.field, e.reason);
    const side = p.side === 'region' || p.side === 'corps' ? p.side : undefined;
    if (typeof p.agencyCode === 'string') {
      const agency = getAgency(tx, p.agencyCode);
      if (!agency) add(`${base}/properties/agencyCode`, `agency ${p.agencyCode} does not exist`);
      else if (side && agency.side !== side) add(`${base}/properties/side`, `must equal the side of agency ${agency.code} (${agency.side})`);
    }
    const id = typeof p.id === 'string' && p.id ? p.id : newId();
    const existing = typeof p.id === 'string' ? getArea(tx, p.id) : undefined;
    if (existing && !opts.upsert) add(`${base}/properties/id`, `area ${id} already exists (pass ?upsert=true to replace it)`);
    if (seen.has(id)) add(`${base}/properties/id`, `repeats the id of feature ${seen.get(id)}`);
    seen.set(id, i);
    if (geoErrors.length === 0) plan.push({ existing, id, g: feature.geometry as AreaGeometry, f: p as unknown as NewArea });
  });
  if (errors.length) {
    const index = (f: string) => Number(/^body\/features\/(\d+)/.exec(f)?.[1] ?? -1);
    errors.sort((a, b) => index(a.field) - index(b.field));
    const bad = new Set(errors.map((e) => /^body\/features\/(\d+)/.exec(e.field)?.[1]).filter((x) => x !== undefined));
    throw badRequest(
      `Nothing was imported: ${bad.size} of ${features.length} features are invalid. ${errors
        .slice(0, 5)
        .map((e) => `${e.field} ${e.reason}`)
        .join('; ')}${errors.length > 5 ? '; …' : ''}`,
      errors,
    );
  }
  const now = clock.now().toISOString();
  for (const { existing, id, f, g } of plan) {
    const values = { name: f.name, side: f.side, agencyCode: f.agencyCode, kind: f.kind, ...measured(g), updatedAt: now };
    if (existing)
      tx.update(areas)
        .set({ ...values, version: existing.version + 1 })
        .where(eq(areas.id, id))
        .run();
    else
      tx.insert(areas)
        .values({ id, ...values, createdAt: now, version: 1 })
        .run();
  }
  return plan.map((p) => p.id);
}

/** Changes whenever any area is added, changed or removed (the spatial index looks for what changed on it). */
export function areasStamp(db: Tx): string {
  const r = db
    .select({ n: count(), u: max(areas.updatedAt), v: sum(areas.version) })
    .from(areas)
    .get();
  return `${r?.n ?? 0}|${r?.u ?? ''}|${r?.v ?? 0}`;
}

/** What identifies the stored version of an area (as VERSION_SCAN below): a write bumps the version; an id deleted and created again has new timestamps. */
const versionKey = sql<string>`${areas.version} || '|' || ${areas.createdAt} || '|' || ${areas.updatedAt}`;

const geometryColumns = {
  id: areas.id,
  side: areas.side,
  agencyCode: areas.agencyCode,
  kind: areas.kind,
  geometry: areas.geometry,
  versionKey,
};

/** Every area's owner and geometry (or only those of `ids`), with its version key, for the spatial index. */
export function areaGeometries(db: Tx, ids?: readonly string[]) {
  if (!ids) return db.select(geometryColumns).from(areas).all();
  const out = [];
  // in chunks: SQLite caps the number of bound parameters
  for (let i = 0; i < ids.length; i += 500)
    out.push(
      ...db
        .select(geometryColumns)
        .from(areas)
        .where(inArray(areas.id, ids.slice(i, i + 500)))
        .all(),
    );
  return out;
}

// Over every area: written out once and read as plain arrays, one key string per area (see sqliteOf).
const VERSION_SCAN = `SELECT id, version || '|' || created_at || '|' || updated_at FROM areas`;

/** [id, version key] of every area, no geometry: the spatial index diffs it against what it holds after another process wrote. */
export function areaVersions(db: Tx): [string, string][] {
  return sqliteOf(db).prepare(VERSION_SCAN).raw().all() as [string, string][];
}
