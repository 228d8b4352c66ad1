import type { Capability } from '../http/capability.js';
import { inTx } from '../db/client.js';
import { reportJobs } from './jobs.js';
import { reportRoutes } from './routes.js';
import { ensureReportTimers } from './service.js';

/** Weekly dispatch (周调度) and monthly bulletin (月通报): generated on schedule, stored, served as JSON, CSV and HTML with charts. */
export const reportsCapability: Capability = {
  name: 'reports',
  // The recurring runs' timers exist from the first start (an existing one keeps its next run).
  init: (deps) => inTx(deps.db, (tx) => ensureReportTimers(tx, deps)),
  jobs: reportJobs,
  routes: reportRoutes,
};
