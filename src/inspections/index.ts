import type { Capability } from '../http/capability.js';
import { inspectionJobs, inspectionServices } from './jobs.js';
import { inspectionRoutes } from './routes.js';

/** Random inspections (双随机、一公开): checklist, roster, verifiable draws, records, public results. */
export const inspectionsCapability: Capability = {
  name: 'inspections',
  init: inspectionServices,
  jobs: inspectionJobs,
  routes: inspectionRoutes,
};
