import type { Capability } from '../http/capability.js';
import { operationJobs, operationServices } from './jobs.js';
import { operationRoutes } from './routes.js';

/** Joint and cross enforcement operations (联合执法 / 交叉执法) of both sides. */
export const operationsCapability: Capability = {
  name: 'operations',
  init: operationServices,
  jobs: operationJobs,
  routes: operationRoutes,
};

export { OPERATION_EVENTS, type OperationEventType } from './events.js';
// For the air capability's linkage (应急联动): an alert opens, re-checks and closes its operation.
export { closeLinkedOperation, openLinkedOperation, recheckLinkedTasks, type LinkedOperationInput, type LinkedTarget } from './service.js';
