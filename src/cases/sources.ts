/** Pollution sources (污染源档案): service functions. */
import { and, asc, eq, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { conflict, fieldError, forbidden, notFound } from '../http/problem.js';
import { agencySubtree, getAgency } from '../reference/hierarchy.js';
import { checkVersion, type Expected } from '../http/versioning.js';
import { validateCreditCode } from './credit-code.js';
import { resolvePlace } from './spatial.js';
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
