import type { Role, Side } from '../domain/index.js';

/** Who is calling: resolved from the API key on every request. */
export interface Principal {
  keyId: string;
  role: Role;
  side: Side | null;
  agencyCode: string | null;
  teamId: string | null;
}

/** Roles that must be bound to an agency (and so a side); inspectors also to a team. */
export const needsAgency = (r: Role) => r === 'supervisor' || r === 'inspector';
export const needsTeam = (r: Role) => r === 'inspector';

/** 12369 center staff and admins see everything, including reporter data. */
export const seesAll = (p: Principal) => p.role === 'admin' || p.role === 'intake';
