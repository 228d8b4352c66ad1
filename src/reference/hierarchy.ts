import { asc, eq, or, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Side } from '../domain/index.js';
import { agencies } from './tables.js';

export type Agency = typeof agencies.$inferSelect;

export function getAgency(db: Tx, code: string): Agency | undefined {
  return db.select().from(agencies).where(eq(agencies.code, code)).get();
}

/** The agency and all below it (its subtree), codes only. */
export function agencySubtree(db: Tx, code: string): string[] {
  // recursive CTE: the hierarchy is small (hundreds), one query per call
  const rows = db.all<{ code: string }>(
    sql`WITH RECURSIVE sub(code) AS (SELECT code FROM agencies WHERE code = ${code}
       UNION ALL SELECT a.code FROM agencies a JOIN sub s ON a.parent_code = s.code)
     SELECT code FROM sub`,
  );
  return rows.map((r) => r.code);
}

/** Parent chain from the agency's parent up to the top (nearest first). */
export function agencyAncestors(db: Tx, code: string): Agency[] {
  const out: Agency[] = [];
  let cur = getAgency(db, code);
  const seen = new Set<string>();
  while (cur?.parentCode && !seen.has(cur.parentCode)) {
    seen.add(cur.parentCode);
    cur = getAgency(db, cur.parentCode);
    if (cur) out.push(cur);
  }
  return out;
}

/** Top agency of a side (no parent). */
export function topAgency(db: Tx, side: 'region' | 'corps'): Agency | undefined {
  return db
    .select()
    .from(agencies)
    .all()
    .find((a) => a.side === side && !a.parentCode);
}

/** true when `upper` is a strict ancestor of `lower`. */
export function isAbove(db: Tx, upper: string, lower: string): boolean {
  return agencyAncestors(db, lower).some((a) => a.code === upper);
}

/** Every agency's side, by code (one read; case search filters by the lead agency's side). */
export function agencySides(db: Tx): Map<string, Side> {
  return new Map(
    db
      .select({ code: agencies.code, side: agencies.side })
      .from(agencies)
      .all()
      .map((a) => [a.code, a.side]),
  );
}

/** Agency for a GB/T 2260 code: the agency with that code first, then one whose adminCode it is. */
export function agencyByAdminCode(db: Tx, code: string): Agency | undefined {
  const rows = db
    .select()
    .from(agencies)
    .where(or(eq(agencies.code, code), eq(agencies.adminCode, code)))
    .orderBy(asc(agencies.code))
    .all();
  return rows.find((a) => a.code === code) ?? rows[0];
}
