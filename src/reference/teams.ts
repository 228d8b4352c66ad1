import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import type { Category } from '../domain/index.js';
import { conflict, notFound } from '../http/problem.js';
import { newId } from '../ids.js';
import { teams } from './tables.js';
import { getAgency } from './hierarchy.js';
import { checkVersion, type Expected } from '../http/versioning.js';

export type TeamRow = typeof teams.$inferSelect;

export interface NewTeam {
  id?: string;
  agencyCode: string;
  name: string;
  categories: Category[];
}

export interface TeamPatch {
  name?: string;
  categories?: Category[];
}

export function publicTeam(t: TeamRow) {
  return {
    id: t.id,
    agencyCode: t.agencyCode,
    name: t.name,
    categories: t.categories as Category[],
    version: t.version,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export function getTeam(db: Tx, id: string): TeamRow | undefined {
  return db.select().from(teams).where(eq(teams.id, id)).get();
}

export function getTeamOr404(db: Tx, id: string): TeamRow {
  const t = getTeam(db, id);
  if (!t) throw notFound('team', id);
  return t;
}

export function createTeam(tx: Tx, clock: Clock, t: NewTeam): TeamRow {
  if (!getAgency(tx, t.agencyCode)) throw notFound('agency', t.agencyCode);
  const id = t.id ?? newId();
  if (getTeam(tx, id)) throw conflict('team-exists', `Team ${id} already exists.`, { id });
  const now = clock.now().toISOString();
  return tx
    .insert(teams)
    .values({ id, agencyCode: t.agencyCode, name: t.name, categories: [...t.categories], createdAt: now, updatedAt: now, version: 1 })
    .returning()
    .get();
}

export function patchTeam(tx: Tx, clock: Clock, id: string, patch: TeamPatch, expected: Expected | undefined): TeamRow {
  const cur = getTeamOr404(tx, id);
  checkVersion(expected, cur.version, 'team', id);
  return tx
    .update(teams)
    .set({
      name: patch.name ?? cur.name,
      categories: patch.categories ? [...patch.categories] : cur.categories,
      updatedAt: clock.now().toISOString(),
      version: cur.version + 1,
    })
    .where(and(eq(teams.id, id), eq(teams.version, cur.version)))
    .returning()
    .get()!;
}

export interface TeamFilter {
  agencyCode?: string;
  category?: Category;
}

/** Keyset page ordered by id. */
export function listTeams(db: Tx, f: TeamFilter, limit: number, afterId?: string): TeamRow[] {
  const conds: SQL[] = [];
  if (f.agencyCode) conds.push(eq(teams.agencyCode, f.agencyCode));
  if (f.category) conds.push(sql`EXISTS (SELECT 1 FROM json_each(${teams.categories}) WHERE json_each.value = ${f.category})`);
  if (afterId !== undefined) conds.push(gt(teams.id, afterId));
  return db
    .select()
    .from(teams)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(teams.id))
    .limit(limit)
    .all();
}

/** Teams of one agency, oldest first (deterministic: routing picks the first that fits). */
export function teamsOfAgency(db: Tx, agencyCode: string): TeamRow[] {
  return db.select().from(teams).where(eq(teams.agencyCode, agencyCode)).orderBy(asc(teams.createdAt), asc(teams.id)).all();
}
