import type { Capability } from '../http/capability.js';
import { statsRoutes } from './routes.js';

/**
 * Statistics (GET /v1/stats/*): figures of complaints, cases, filings, work lists and the ledger,
 * each summed by its owning capability within the caller's visibility. No tables, jobs or events
 * of its own (so no tables.ts, jobs.ts or events.ts).
 */
export const statsCapability: Capability = { name: 'stats', routes: statsRoutes };

export { DIMENSIONS, MAX_YEARS, parseStatsQuery, statsOf } from './service.js';
export type { StatsView, FigureView } from './views.js';
