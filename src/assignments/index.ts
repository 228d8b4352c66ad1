import type { Capability } from '../http/capability.js';
import { assignmentJobs } from './jobs.js';
import { assignmentRoutes } from './routes.js';

/** Team work lists: routing jobs, assignments, claim deadlines, decline re-routing. */
export const assignmentsCapability: Capability = {
  name: 'assignments',
  jobs: assignmentJobs,
  routes: assignmentRoutes,
};

/** Work-list figures within the caller's visibility (GET /v1/stats/assignments, reports). */
export { assignmentStats, ASSIGNMENT_DIMENSIONS } from './stats.js';
