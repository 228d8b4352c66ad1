import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import type { Side } from '../domain/index.js';
import { conflict, notFound, unprocessable } from '../http/problem.js';
import { agencies } from './tables.js';
import { agencySubtree, getAgency, type Agency } from './hierarchy.js';
import type { AgencyLevel } from './schemas.js';
import { checkVersion, type Expected } from '../http/versioning.js';

/** Levels of each side, top first. Rank 0 is the top of a side. */
export const LEVELS: Record<Side, readonly AgencyLevel[]> = {
  region: ['autonomous_region', 'prefecture', 'county'],
  corps: ['corps', 'division', 'regiment'],
};

export const levelRank = (side: Side, level: AgencyLevel) => LEVELS[side].indexOf(level);

export interface NewAgency {
  code: string;
  name: string;
  side: Side;
  level: AgencyLevel;
  parentCode?: string | null;
  adminCode?: string | null;
}

export interface AgencyPatch {
  name?: string;
  level?: AgencyLevel;
  parentCode?: string | null;
  adminCode?: string | null;
}

export function publicAgency(a: Agency) {
  return {
    code: a.code,
    name: a.name,
    side: a.side,
    level: a.level,
    parentCode: a.parentCode,
    adminCode: a.adminCode,
    version: a.version,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function getAgencyOr404(db: Tx, code: string): Agency {
  const a = getAgency(db, code);
  if (!a) throw notFound('agency', code);
  return a;
}

function checkLevelSide(side: Side, level: AgencyLevel) {
  if (levelRank(side, level) < 0) {
    const other = side === 'region' ? 'corps' : 'region';
    throw unprocessable('level-wrong-side', `Level ${level} belongs to the ${other} side; ${side} agencies are ${LEVELS[side].join(' > ')}.`, {
      errors: [{ field: 'body/level', reason: `must be one of ${LEVELS[side].join(', ')} for side ${side}` }],
    });
  }
}

/** The parent must exist (404), be on the same side (422) and sit at a higher level (422). */
function checkParent(db: Tx, side: Side, level: AgencyLevel, parentCode: string): Agency {
  const parent = getAgency(db, parentCode);
  if (!parent) throw notFound('parent agency', parentCode);
  if (parent.side !== side)
    throw unprocessable('parent-wrong-side', `Parent agency ${parent.code} is on the ${parent.side} side; a ${side} agency needs a ${side} parent.`, {
      errors: [{ field: 'body/parentCode', reason: `is on side ${parent.side}, not ${side}` }],
    });
  if (levelRank(side, parent.level) >= levelRank(side, level))
    throw unprocessable(
      'parent-level',
      `Parent agency ${parent.code} is a ${parent.level}; the parent of a ${level} must be at a higher level (${LEVELS[side].join(' > ')}).`,
      { errors: [{ field: 'body/parentCode', reason: `level ${parent.level} is not above ${level}` }] },
    );
  return parent;
}

export function createAgency(tx: Tx, clock: Clock, a: NewAgency): Agency {
  checkLevelSide(a.side, a.level);
  if (getAgency(tx, a.code)) throw conflict('agency-exists', `Agency ${a.code} already exists.`, { code: a.code });
  if (a.parentCode) checkParent(tx, a.side, a.level, a.parentCode);
  const now = clock.now().toISOString();
  return tx
    .insert(agencies)
    .values({
      code: a.code,
      name: a.name,
      side: a.side,
      level: a.level,
      parentCode: a.parentCode ?? null,
      adminCode: a.adminCode ?? null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    })
    .returning()
    .get();
}

/** Changes name/level/parent/adminCode; keeps the tree acyclic and levels strictly decreasing. */
export function patchAgency(tx: Tx, clock: Clock, code: string, patch: AgencyPatch, expected: Expected | undefined): Agency {
  const cur = getAgencyOr404(tx, code);
  checkVersion(expected, cur.version, 'agency', code);
  const side = cur.side;
  const level = patch.level ?? cur.level;
  const parentCode = patch.parentCode === undefined ? cur.parentCode : patch.parentCode;
  checkLevelSide(side, level);
  if (parentCode && (patch.parentCode !== undefined || patch.level !== undefined)) {
    if (parentCode === code || agencySubtree(tx, code).includes(parentCode))
      throw unprocessable('agency-cycle', `Agency ${parentCode} is ${code} itself or below it: making it the parent would create a cycle.`, {
        errors: [{ field: 'body/parentCode', reason: `${parentCode} is within the subtree of ${code}` }],
      });
    checkParent(tx, side, level, parentCode);
  }
  if (patch.level !== undefined) {
    const rank = levelRank(side, level);
    const child = tx
      .select()
      .from(agencies)
      .where(eq(agencies.parentCode, code))
      .all()
      .find((c) => levelRank(side, c.level) <= rank);
    if (child)
      throw unprocessable('child-level', `Agency ${child.code} (${child.level}) is under ${code}; ${code} cannot become a ${level}.`, {
        errors: [{ field: 'body/level', reason: `is not above the level of child ${child.code} (${child.level})` }],
      });
  }
  return tx
    .update(agencies)
    .set({
      name: patch.name ?? cur.name,
      level,
      parentCode,
      adminCode: patch.adminCode === undefined ? cur.adminCode : patch.adminCode,
      updatedAt: clock.now().toISOString(),
      version: cur.version + 1,
    })
    .where(and(eq(agencies.code, code), eq(agencies.version, cur.version)))
    .returning()
    .get()!;
}

export interface AgencyFilter {
  side?: Side;
  parentCode?: string;
  level?: AgencyLevel;
}

/** Keyset page ordered by code. Fetches `limit` rows after `afterCode`. */
export function listAgencies(db: Tx, f: AgencyFilter, limit: number, afterCode?: string): Agency[] {
  const conds: SQL[] = [];
  if (f.side) conds.push(eq(agencies.side, f.side));
  if (f.parentCode) conds.push(eq(agencies.parentCode, f.parentCode));
  if (f.level) conds.push(eq(agencies.level, f.level));
  if (afterCode !== undefined) conds.push(gt(agencies.code, afterCode));
  return db
    .select()
    .from(agencies)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(agencies.code))
    .limit(limit)
    .all();
}
