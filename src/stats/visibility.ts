import type { Role } from '../domain/index.js';

/**
 * Who may ask for figures: the roles that read complaints, cases, filings and work lists (admin,
 * the 12369 center, supervisors, inspectors). Each figure counts only the rows the caller may GET:
 * every owning capability applies its own list visibility (intake visibleWhere, cases visibleSql,
 * filings filingsVisibleWhere, assignments visibility, the ledger's canSeeTask). Partner keys read
 * feeds, not figures (403).
 */
export const STATS_ROLES: readonly Role[] = ['admin', 'intake', 'supervisor', 'inspector'];
