/**
 * The shared vocabulary of both sides: every floor may use these words, and only these
 * (tables, schemas, policies and events all spell a side or a category the same way).
 */
export const SIDES = ['region', 'corps'] as const;
/** region = 自治区 (the Autonomous Region and its prefectures, cities, counties); corps = 兵团 (XPCC). */
export type Side = (typeof SIDES)[number];

export const CATEGORIES = ['air', 'water', 'soil', 'noise', 'solid_waste', 'radiation', 'ecology', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Roles of an API key: admin, 12369 center staff (intake), agency supervisor, field inspector, partner system. */
export const ROLES = ['admin', 'intake', 'supervisor', 'inspector', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** The other side of the seam. */
export const otherSide = (s: Side): Side => (s === 'region' ? 'corps' : 'region');

/**
 * An assignment of a subject to a team: pending → claimed → completed, or declined; superseded when
 * re-routed; cancelled when its subject ended (a complaint closed, not accepted, transferred or
 * merged; a case closed, withdrawn). Only pending and claimed are open.
 */
export const ASSIGNMENT_STATUSES = ['pending', 'claimed', 'completed', 'declined', 'superseded', 'cancelled'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];
/** lead, or co_handling for the other side on a joint place. */
export const ASSIGNMENT_ROLES = ['lead', 'co_handling'] as const;
export type AssignmentRole = (typeof ASSIGNMENT_ROLES)[number];

/**
 * What a partner key may read beyond what it created: `created` (only that — the narrowest),
 * `side` (its side), `agency` (its agency's subtree), `all` (both sides; only an admin grants it).
 */
export const PARTNER_AUDIENCES = ['created', 'side', 'agency', 'all'] as const;
export type PartnerAudience = (typeof PARTNER_AUDIENCES)[number];
/** Read-only scopes of a partner key: the pull feed, stream and webhooks; complaints of its audience. */
export const PARTNER_SCOPES = ['events', 'complaints', 'cases', 'filings'] as const;
export type PartnerScope = (typeof PARTNER_SCOPES)[number];
