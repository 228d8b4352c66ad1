/**
 * Issuing and revoking API keys: the one function behind `POST /v1/api-keys` and
 * `npm run cli -- keys create`, so both refuse the same bindings with the same errors.
 */
import type { Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import { ROLES, type Role, type Side } from '../domain/index.js';
import { createKey, revokeKey } from '../auth/keys.js';
import { needsAgency, needsTeam } from '../auth/principal.js';
import { fieldError, notFound } from '../http/problem.js';
import { getAgency } from '../reference/hierarchy.js';
import { getTeam } from '../reference/teams.js';

export interface KeyRequest {
  role: string;
  name?: string;
  side?: Side;
  agencyCode?: string;
  teamId?: string;
}

/**
 * Checks a key's binding against the registry: supervisors and inspectors need an agency,
 * inspectors a team of that agency; the side is the agency's (a contradicting side is refused).
 */
export function checkBinding(tx: Tx, b: KeyRequest): { role: Role; side: Side | null } {
  if (!ROLES.includes(b.role as Role)) throw fieldError('body/role', `must be one of ${ROLES.join(', ')}`);
  const role = b.role as Role;
  let side: Side | null = b.side ?? null;
  if (b.side !== undefined && b.side !== 'region' && b.side !== 'corps') throw fieldError('body/side', 'must be one of region, corps');
  if (needsAgency(role) && !b.agencyCode) throw fieldError('body/agencyCode', `is required for role ${role}`);
  if (needsTeam(role) && !b.teamId) throw fieldError('body/teamId', `is required for role ${role}`);
  if (b.agencyCode) {
    const a = getAgency(tx, b.agencyCode);
    if (!a) throw notFound('agency', b.agencyCode);
    if (side && side !== a.side) throw fieldError('body/side', `does not match agency ${a.code} (side ${a.side})`);
    side = a.side;
  }
  if (b.teamId) {
    const t = getTeam(tx, b.teamId);
    if (!t) throw notFound('team', b.teamId);
    if (!b.agencyCode) throw fieldError('body/agencyCode', `is required with a team (team ${t.id} belongs to agency ${t.agencyCode})`);
    if (t.agencyCode !== b.agencyCode) throw fieldError('body/teamId', `belongs to agency ${t.agencyCode}, not ${b.agencyCode}`);
  }
  return { role, side };
}

/** Creates a key after checking its binding; the plaintext key is in the result once. */
export function issueKey(tx: Tx, clock: Clock, b: KeyRequest, createdBy: string | null) {
  const { role, side } = checkBinding(tx, b);
  return createKey(tx, clock, { role, name: b.name, side, agencyCode: b.agencyCode, teamId: b.teamId }, createdBy);
}

export function revokeApiKey(tx: Tx, clock: Clock, id: string) {
  const row = revokeKey(tx, clock, id);
  if (!row) throw notFound('api key', id);
  return row;
}
