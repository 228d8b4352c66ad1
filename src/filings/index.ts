import type { Capability } from '../http/capability.js';
import { filingJobs } from './jobs.js';
import { filingRoutes } from './routes.js';
import { cancelCaseFilingDeadlines } from './service.js';

/** Cross-filing between the two sides (互相备案), notifications (通报), per-agency inboxes. */
export const filingsCapability: Capability = {
  name: 'filings',
  init(deps) {
    // A case closed, withdrawn or transferred: its pending filings' deadlines stop (same transaction).
    deps.services.onCaseEnded = (tx, caseId) => void cancelCaseFilingDeadlines(tx, deps, caseId);
  },
  jobs: filingJobs,
  routes: filingRoutes,
};

/** Cross-filing figures within the caller's visibility (GET /v1/stats/filings, reports). */
export { filingStats, FILING_DIMENSIONS } from './stats.js';
