import type { Capability } from '../http/capability.js';
import { opsRoutes } from './routes.js';
import { loadImportedYears } from './calendar.js';

/** Operations: health, metrics, queues, backups, the holiday calendar. */
export const opsCapability: Capability = {
  name: 'ops',
  // Imported holiday years replace the shipped ones before any deadline is computed.
  init: (deps) => loadImportedYears(deps),
  routes: opsRoutes,
};
