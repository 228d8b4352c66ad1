import type { Deps } from '../deps.js';
import type { JobRegistry } from '../queue/types.js';

/**
 * No jobs yet: tasks are created in the confirming transaction and listed on the operation, not
 * routed through the assignment queues (their teams are chosen by the operation, not by place).
 */
export function operationJobs(_registry: JobRegistry, _deps: Deps) {}
