import type { PartnerAudience, PartnerScope, Role, Side } from '../domain/index.js';

/** Who is calling: resolved from the API key on every request. */
export interface Principal {
  keyId: string;
  role: Role;
  side: Side | null;
  agencyCode: string | null;
  teamId: string | null;
  /** Partners: what the key reads beyond what it created (null for other roles). */
  audience?: PartnerAudience | null;
  /** Partners: read-only scopes (null for other roles). */
  scopes?: PartnerScope[] | null;
}

/** Whether a partner key holds a scope (other roles: not asked). */
export const hasScope = (p: { scopes?: PartnerScope[] | null }, s: PartnerScope) => !!p.scopes?.includes(s);

/** Roles that must be bound to an agency (and so a side); inspectors also to a team. */
export const needsAgency = (r: Role) => r === 'supervisor' || r === 'inspector';
export const needsTeam = (r: Role) => r === 'inspector';

/** 12369 center staff and admins see everything, including reporter data. */
export const seesAll = (p: Principal) => p.role === 'admin' || p.role === 'intake';
