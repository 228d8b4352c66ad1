/** Pollution sources (污染源档案): service functions. */
import { and, asc, eq, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Static } from 'typebox';
import { inTx, type Db, type Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import { DEMO_SOURCES } from '../reference/demo.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { conflict, fieldError, forbidden, notFound } from '../http/problem.js';
import { agencySubtree, getAgency } from '../reference/hierarchy.js';
import { checkVersion, type Expected } from '../http/versioning.js';
import { validateCreditCode } from './credit-code.js';
import { resolvePlace } from './spatial.js';
import { chinaDate } from '../calendar.js';
import { pollutionSources } from './tables.js';
import type { CreateSourceBody, PatchSourceBody, SourceQuery } from './schemas.js';
import { afterKey } from '../db/keyset.js';

export type SourceRow = typeof pollutionSources.$inferSelect;

export function publicSource(r: SourceRow, warnings?: string[]) {
  return {
    id: r.id,
    name: r.name,
    creditCode: r.creditCode,
    side: r.side,
    agencyCode: r.agencyCode,
    location: { lat: r.lat, lng: r.lng },
    address: r.address,
    industry: r.industry,
    permitNumber: r.permitNumber,
    gridId: r.gridId,
    supervisionClass: r.supervisionClass,
    supervisionClassSetOn: r.supervisionClassSetOn,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: r.version,
    ...(warnings && warnings.length ? { warnings } : {}),
  };
}

export function getSource(tx: Tx, id: string): SourceRow | undefined {
  return tx.select().from(pollutionSources).where(eq(pollutionSources.id, id)).get();
}

export function getSourceOr404(tx: Tx, id: string): SourceRow {
  const s = getSource(tx, id);
  if (!s) throw notFound('source', id);
  return s;
}

/** 400 naming the field unless the code passes GB 32100; returns the inner-check warnings. */
export function checkCreditCode(code: string, field = 'body/creditCode'): string[] {
  const r = validateCreditCode(code);
  if (!r.valid) throw fieldError(field, r.message);
  return r.warnings;
}

/** Agency-bound keys manage sources of their agency and the agencies below it. */
function assertManages(tx: Tx, p: Principal, agencyCode: string) {
  if (p.role === 'admin') return;
  if ((p.role === 'supervisor' || p.role === 'inspector') && p.agencyCode && agencySubtree(tx, p.agencyCode).includes(agencyCode)) return;
  throw forbidden(`Only agency ${agencyCode} (or an agency above it) may register or change its sources.`);
}

function assertUniqueCode(tx: Tx, code: string, exceptId?: string) {
  const other = tx.select({ id: pollutionSources.id }).from(pollutionSources).where(eq(pollutionSources.creditCode, code)).get();
  if (other && other.id !== exceptId)
    throw conflict('duplicate-credit-code', `A pollution source with credit code ${code} already exists (${other.id}).`, { existingId: other.id });
}

export function createSource(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateSourceBody>) {
  const warnings = checkCreditCode(b.creditCode);
  const agency = getAgency(tx, b.agencyCode);
  if (!agency) throw notFound('agency', b.agencyCode);
  if (agency.side !== b.side) throw fieldError('body/side', `does not match agency ${agency.code} (side ${agency.side})`);
  assertManages(tx, p, agency.code);
  assertUniqueCode(tx, b.creditCode);
  const now = deps.clock.now().toISOString();
  const gridId = b.gridId ?? resolvePlace(deps, b.location.lat, b.location.lng)?.gridId ?? null;
  const row = tx
    .insert(pollutionSources)
    .values({
      id: newId(),
      name: b.name,
      creditCode: b.creditCode,
      side: agency.side,
      agencyCode: agency.code,
      lat: b.location.lat,
      lng: b.location.lng,
      address: b.address,
      industry: b.industry,
      permitNumber: b.permitNumber ?? null,
      gridId,
      supervisionClass: b.supervisionClass ?? null,
      supervisionClassSetOn: b.supervisionClass ? chinaDate(deps.clock.now()) : null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    })
    .returning()
    .get();
  return { row, warnings };
}

export function patchSource(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof PatchSourceBody>) {
  const cur = getSourceOr404(tx, id);
  assertManages(tx, p, cur.agencyCode);
  checkVersion(expected, cur.version, 'source', id);
  const warnings = b.creditCode !== undefined ? checkCreditCode(b.creditCode) : [];
  if (b.creditCode !== undefined) assertUniqueCode(tx, b.creditCode, id);
  const set: Partial<SourceRow> = {};
  if (b.agencyCode !== undefined && b.agencyCode !== cur.agencyCode) {
    const agency = getAgency(tx, b.agencyCode);
    if (!agency) throw notFound('agency', b.agencyCode);
    assertManages(tx, p, agency.code);
    set.agencyCode = agency.code;
    set.side = agency.side;
  }
  if (b.name !== undefined) set.name = b.name;
  if (b.creditCode !== undefined) set.creditCode = b.creditCode;
  if (b.address !== undefined) set.address = b.address;
  if (b.industry !== undefined) set.industry = b.industry;
  if (b.permitNumber !== undefined) set.permitNumber = b.permitNumber;
  if (b.location !== undefined) {
    set.lat = b.location.lat;
    set.lng = b.location.lng;
  }
  if (b.gridId !== undefined) set.gridId = b.gridId;
  if (b.supervisionClass !== undefined && b.supervisionClass !== cur.supervisionClass) {
    set.supervisionClass = b.supervisionClass;
    set.supervisionClassSetOn = b.supervisionClass ? chinaDate(deps.clock.now()) : null;
  }
  // A move re-resolves the grid unless the client sets it.
  if (b.location !== undefined && b.gridId === undefined) set.gridId = resolvePlace(deps, b.location.lat, b.location.lng)?.gridId ?? cur.gridId;
  const row = tx
    .update(pollutionSources)
    .set({ ...set, updatedAt: deps.clock.now().toISOString(), version: cur.version + 1 })
    .where(eq(pollutionSources.id, id))
    .returning()
    .get();
  return { row, warnings };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
export const likeContains = (col: SQLWrapper, q: string) => sql`${col} like ${'%' + escapeLike(q) + '%'} escape '\\'`;

export const isSourceCursor = (v: any): v is { n: string; i: string } => v && typeof v === 'object' && typeof v.n === 'string' && typeof v.i === 'string';

/** Search, ordered by name then id (keyset). */
export function listSources(tx: Tx, q: Static<typeof SourceQuery>, limit: number, after?: { n: string; i: string }): SourceRow[] {
  const conds: SQL[] = [];
  if (q.name) conds.push(likeContains(pollutionSources.name, q.name));
  if (q.creditCode) conds.push(eq(pollutionSources.creditCode, q.creditCode));
  if (q.agencyCode) {
    if (!getAgency(tx, q.agencyCode)) throw notFound('agency', q.agencyCode);
    conds.push(inArray(pollutionSources.agencyCode, agencySubtree(tx, q.agencyCode)));
  }
  if (q.gridId) conds.push(eq(pollutionSources.gridId, q.gridId));
  if (after) conds.push(afterKey(pollutionSources.name, pollutionSources.id, { value: after.n, id: after.i }, 'asc')!);
  return tx
    .select()
    .from(pollutionSources)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(pollutionSources.name), asc(pollutionSources.id))
    .limit(limit)
    .all();
}

/** A classified source as the random-inspection pool reads it. */
export interface PoolSourceRow {
  id: string;
  name: string;
  creditCode: string;
  side: 'region' | 'corps';
  agencyCode: string;
  supervisionClass: 'key' | 'special' | 'general';
  lat: number;
  lng: number;
  gridId: string | null;
}

/**
 * For the inspections capability: the classified sources supervised by these agencies (sources
 * without a supervision class are not in any pool), ordered by id.
 */
export function classifiedSources(tx: Tx, agencyCodes: string[]): PoolSourceRow[] {
  if (agencyCodes.length === 0) return [];
  return tx
    .select({
      id: pollutionSources.id,
      name: pollutionSources.name,
      creditCode: pollutionSources.creditCode,
      side: pollutionSources.side,
      agencyCode: pollutionSources.agencyCode,
      supervisionClass: pollutionSources.supervisionClass,
      lat: pollutionSources.lat,
      lng: pollutionSources.lng,
      gridId: pollutionSources.gridId,
    })
    .from(pollutionSources)
    .where(and(inArray(pollutionSources.agencyCode, agencyCodes), sql`${pollutionSources.supervisionClass} is not null`))
    .orderBy(asc(pollutionSources.id))
    .all() as PoolSourceRow[];
}

/** For published inspection results: name and credit code of these sources. */
export function sourceNames(tx: Tx, ids: string[]): Map<string, { name: string; creditCode: string; agencyCode: string }> {
  if (ids.length === 0) return new Map();
  const rows = tx
    .select({ id: pollutionSources.id, name: pollutionSources.name, creditCode: pollutionSources.creditCode, agencyCode: pollutionSources.agencyCode })
    .from(pollutionSources)
    .where(inArray(pollutionSources.id, [...new Set(ids)]))
    .all();
  return new Map(rows.map((r) => [r.id, { name: r.name, creditCode: r.creditCode, agencyCode: r.agencyCode }]));
}

/**
 * Demo pollution sources with their supervision classes (DEMO_SOURCES in src/reference/demo.ts),
 * each only if its id is absent; called by `npm run demo` and `npm run cli -- seed demo` after the
 * reference data.
 */
export function seedDemoSources(db: Db, clock: Clock): number {
  return inTx(db, (tx) => {
    let n = 0;
    const now = clock.now();
    for (const s of DEMO_SOURCES) {
      if (getSource(tx, s.id) || tx.select({ id: pollutionSources.id }).from(pollutionSources).where(eq(pollutionSources.creditCode, s.creditCode)).get())
        continue;
      checkCreditCode(s.creditCode);
      tx.insert(pollutionSources)
        .values({
          id: s.id,
          name: s.name,
          creditCode: s.creditCode,
          side: s.side,
          agencyCode: s.agencyCode,
          lat: s.location.lat,
          lng: s.location.lng,
          address: s.address,
          industry: s.industry,
          permitNumber: null,
          gridId: null,
          supervisionClass: s.supervisionClass,
          supervisionClassSetOn: chinaDate(now),
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
          version: 1,
        })
        .run();
      n++;
    }
    return n;
  });
}
