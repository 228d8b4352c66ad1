import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import type { Role, Side } from '../domain/index.js';
import { agencySubtree } from '../reference/hierarchy.js';
import { events } from '../outbox/tables.js';

/** The part of a principal that decides what events it sees (stored on a subscription). */
export interface Binding {
  role: Role;
  side: Side | null;
  agencyCode: string | null;
  teamId: string | null;
  /** The key itself: sees events addressed to `key:<keyId>` (e.g. its subscription was disabled). */
  keyId?: string | null;
}

/**
 * Which `event_audience` keys a principal sees, or 'all'. One function for the feed, the stream
 * and webhooks (a subscription sees what its owner's binding sees):
 * - admin, intake (12369 center) → all
 * - supervisor → `agency:<c>` for its agency and every agency below it
 * - inspector → `team:<teamId>` and `agency:<agencyCode>`
 * - partner bound to an agency → like a supervisor; bound only to a side → `side:<side>`;
 *   unbound → all (a statistics office, the hotline vendor)
 */
export function audienceKeys(db: Tx, p: Binding): string[] | 'all' {
  const keys = roleKeys(db, p);
  return keys !== 'all' && p.keyId ? [...keys, `key:${p.keyId}`] : keys;
}

function roleKeys(db: Tx, p: Binding): string[] | 'all' {
  switch (p.role) {
    case 'admin':
    case 'intake':
      return 'all';
    case 'supervisor':
      return p.agencyCode ? subtreeKeys(db, p.agencyCode) : [];
    case 'inspector': {
      const keys: string[] = [];
      if (p.teamId) keys.push(`team:${p.teamId}`);
      if (p.agencyCode) keys.push(`agency:${p.agencyCode}`);
      return keys;
    }
    case 'partner':
      if (p.agencyCode) return subtreeKeys(db, p.agencyCode);
      if (p.side) return [`side:${p.side}`];
      return 'all';
    default:
      return [];
  }
}

function subtreeKeys(db: Tx, code: string): string[] {
  const codes = agencySubtree(db, code);
  return (codes.length ? codes : [code]).map((c) => `agency:${c}`);
}

export const bindingOf = (p: Principal): Binding => ({ role: p.role, side: p.side, agencyCode: p.agencyCode, teamId: p.teamId, keyId: p.keyId });

/** SQL condition on `events.position` for the given keys (undefined = no restriction). */
export function visibleCondition(keys: string[] | 'all'): SQL | undefined {
  if (keys === 'all') return undefined;
  if (keys.length === 0) return sql`0`;
  return sql`${events.position} IN (SELECT position FROM event_audience WHERE key IN (${sql.join(
    keys.map((k) => sql`${k}`),
    sql`, `,
  )}))`;
}

/** Whether one stored event is visible under `keys`. */
export function isVisible(db: Tx, keys: string[] | 'all', position: number): boolean {
  if (keys === 'all') return true;
  if (!keys.length) return false;
  const row = db.get<{ n: number }>(
    sql`SELECT count(*) AS n FROM event_audience WHERE position = ${position} AND key IN (${sql.join(
      keys.map((k) => sql`${k}`),
      sql`, `,
    )})`,
  );
  return (row?.n ?? 0) > 0;
}
