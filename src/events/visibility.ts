import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import type { PartnerAudience, PartnerScope, Role, Side } from '../domain/index.js';
import { agencySubtree } from '../reference/hierarchy.js';
import { REFERENCE_AUDIENCE } from '../reference/events.js';
import { events } from '../outbox/tables.js';

/** The part of a principal that decides what events it sees (stored on a subscription). */
export interface Binding {
  role: Role;
  side: Side | null;
  agencyCode: string | null;
  teamId: string | null;
  /** The key itself: sees events addressed to `key:<keyId>` (e.g. its subscription was disabled). */
  keyId?: string | null;
  /** Partners: audience and read-only scopes of the key. */
  audience?: PartnerAudience | null;
  scopes?: PartnerScope[] | null;
}

/**
 * Which `event_audience` keys a principal sees, or 'all'. One function for the feed, the stream
 * and webhooks (a subscription sees what its owner's binding sees):
 * - admin, intake (12369 center) → all
 * - supervisor → `agency:<c>` for its agency and every agency below it
 * - inspector → `team:<teamId>` and `agency:<agencyCode>`
 * - partner: a caller sees an event if and only if it may GET the event's subject. Without the
 *   `events` scope nothing. Otherwise `key:<keyId>` (the complaints it created, its own
 *   subscriptions' notices) and, for each of the scopes `complaints`, `cases`, `filings`, the
 *   events of that kind addressed to its audience: `<kind>@side:<side>`, `<kind>@agency:<c>` for
 *   its agency subtree, or `<kind>@*` (audience `all`). Partners GET no assignment, so they never
 *   see those events. `partnerKeys` is also what GET of complaints, cases and filings checks
 *   (addressedTo), so both halves of the rule use the same keys.
 */
export function audienceKeys(db: Tx, p: Binding): string[] | 'all' {
  if (p.role === 'partner' && !p.scopes?.includes('events')) return [];
  const keys = roleKeys(db, p);
  // Every role may GET reference data (agencies, teams, areas), so every key sees its events.
  return keys === 'all' ? keys : [...keys, REFERENCE_AUDIENCE, ...(p.keyId ? [`key:${p.keyId}`] : [])];
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
      return PARTNER_KINDS.flatMap((kind) => partnerKeys(db, p, kind));
    default:
      return [];
  }
}

/** Resource kinds a partner scope reads (each kind's events are written `readableAs` it). */
export const PARTNER_KINDS = ['complaints', 'cases', 'filings'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** The audience keys of one kind for a partner binding beyond its own (`key:`): none without that scope. */
export function partnerKeys(db: Tx, p: Pick<Binding, 'audience' | 'scopes' | 'side' | 'agencyCode'>, kind: PartnerKind = 'complaints'): string[] {
  if (!p.scopes?.includes(kind)) return [];
  switch (p.audience) {
    case 'all':
      return [`${kind}@*`];
    case 'agency':
      return p.agencyCode ? subtreeKeys(db, p.agencyCode).map((k) => `${kind}@${k}`) : [];
    case 'side':
      return p.side ? [`${kind}@side:${p.side}`] : [];
    default:
      return [];
  }
}

/** partnerKeys for a principal. */
export const principalPartnerKeys = (db: Tx, p: Principal, kind: PartnerKind) =>
  partnerKeys(db, { audience: p.audience ?? null, scopes: p.scopes ?? null, side: p.side, agencyCode: p.agencyCode }, kind);

function subtreeKeys(db: Tx, code: string): string[] {
  const codes = agencySubtree(db, code);
  return (codes.length ? codes : [code]).map((c) => `agency:${c}`);
}

export const bindingOf = (p: Principal): Binding => ({
  role: p.role,
  side: p.side,
  agencyCode: p.agencyCode,
  teamId: p.teamId,
  keyId: p.keyId,
  audience: p.audience ?? null,
  scopes: p.scopes ?? null,
});

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
