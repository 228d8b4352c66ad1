import type { Capability } from '../http/capability.js';
import { ledgerJobs } from './jobs.js';
import { ledgerRoutes } from './routes.js';

/** The rectification ledger (整改台账): tasks, weekly progress, close-off (销号) with check and public notice. */
export const ledgerCapability: Capability = { name: 'ledger', jobs: ledgerJobs, routes: ledgerRoutes };

/** Ledger figures within the caller's visibility (GET /v1/stats/rectification, reports). */
export { taskStats, TASK_DIMENSIONS } from './stats.js';
