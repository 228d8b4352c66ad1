import type { FastifyPluginAsync } from 'fastify';
import type { Capability } from '../http/capability.js';
import type { Deps } from '../deps.js';
import { caseJobs, caseServices } from './jobs.js';
import { caseRoutes, sourceRoutes } from './routes.js';
import { CaseSchema, TombstoneSchema } from './schemas.js';

/** Shared case registry: pollution sources, cases, measures, timeline, sync. */
export const casesCapability: Capability = {
  name: 'cases',
  init: caseServices,
  jobs: caseJobs,
  routes:
    (deps: Deps): FastifyPluginAsync =>
    async (app) => {
      // Shared by both route plugins (referenced as Case / CaseTombstone).
      app.addSchema(CaseSchema);
      app.addSchema(TombstoneSchema);
      await app.register(sourceRoutes(deps));
      await app.register(caseRoutes(deps));
    },
};

// For other capabilities (they never read the cases tables).
export { getSource, sourceNames, type SourceRow } from './sources.js';
export { grantCaseReads, measureTotals, revokeCaseReads, type MeasureTotals } from './totals.js';
/** Case and measure figures within the caller's visibility (GET /v1/stats/cases, reports). */
export { caseStats, CASE_DIMENSIONS, type MeasureFigure } from './stats.js';
export { MEASURE_TYPES } from './tables.js';
