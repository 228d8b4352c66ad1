import type { Capability } from '../http/capability.js';
import { filingJobs } from './jobs.js';
import { filingRoutes } from './routes.js';

/** Cross-filing between the two sides (互相备案), notifications (通报), per-agency inboxes. */
export const filingsCapability: Capability = {
  name: 'filings',
  jobs: filingJobs,
  routes: filingRoutes,
};
