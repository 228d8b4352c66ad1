/**
 * Issuing and revoking API keys: the one function behind `POST /v1/api-keys` and
 * `npm run cli -- keys create`, so both refuse the same bindings with the same errors.
 */
import type { Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import { PARTNER_AUDIENCES, PARTNER_SCOPES, ROLES, type PartnerAudience, type PartnerScope, type Role, type Side } from '../domain/index.js';
import { createKey, defaultAudience, revokeKey } from '../auth/keys.js';
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
  /** Partners: side | agency | created | all (all only when asked for explicitly, by an admin or the operator's CLI). */
  audience?: string;
  /** Partners: read-only scopes (events, complaints). */
  scopes?: string[];
}

/**
 * Checks a key's binding against the registry: supervisors and inspectors need an agency,
 * inspectors a team of that agency; the side is the agency's (a contradicting side is refused).
 */
export function checkBinding(tx: Tx, b: KeyRequest): { role: Role; side: Side | null; audience: PartnerAudience | null; scopes: PartnerScope[] | null } {
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
  const partner = checkPartner(b, role, side);
  return { role, side, ...partner };
}

/**
 * A partner key is bound to an audience and read-only scopes. Without `audience` it gets the
 * narrowest its binding allows (agency subtree, else side, else what it created); `side` needs a
 * side, `agency` an agency; `all` (both sides) is never a default — it must be asked for, and only
 * admins (POST /v1/api-keys is admin-only) and the operator's CLI create keys.
 */
function checkPartner(b: KeyRequest, role: Role, side: Side | null): { audience: PartnerAudience | null; scopes: PartnerScope[] | null } {
  if (role !== 'partner') {
    if (b.audience !== undefined) throw fieldError('body/audience', 'is only for partner keys');
    if (b.scopes !== undefined) throw fieldError('body/scopes', 'is only for partner keys');
    return { audience: null, scopes: null };
  }
  if (b.audience !== undefined && !PARTNER_AUDIENCES.includes(b.audience as PartnerAudience))
    throw fieldError('body/audience', `must be one of ${PARTNER_AUDIENCES.join(', ')}`);
  const audience = (b.audience as PartnerAudience | undefined) ?? defaultAudience({ agencyCode: b.agencyCode, side });
  if (audience === 'side' && !side) throw fieldError('body/audience', 'side needs a side (or an agency)');
  if (audience === 'agency' && !b.agencyCode) throw fieldError('body/audience', 'agency needs an agencyCode');
  const scopes = b.scopes ?? ['events'];
  for (const [i, sc] of scopes.entries())
    if (!PARTNER_SCOPES.includes(sc as PartnerScope)) throw fieldError(`body/scopes/${i}`, `must be one of ${PARTNER_SCOPES.join(', ')}`);
  return { audience, scopes: [...new Set(scopes as PartnerScope[])] };
}

/** Creates a key after checking its binding; the plaintext key is in the result once. */
export function issueKey(tx: Tx, clock: Clock, b: KeyRequest, createdBy: string | null) {
  const { role, side, audience, scopes } = checkBinding(tx, b);
  return createKey(tx, clock, { role, name: b.name, side, agencyCode: b.agencyCode, teamId: b.teamId, audience, scopes }, createdBy);
}

export function revokeApiKey(tx: Tx, clock: Clock, id: string) {
  const row = revokeKey(tx, clock, id);
  if (!row) throw notFound('api key', id);
  return row;
}
