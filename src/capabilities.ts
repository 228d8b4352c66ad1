import type { Capability } from './capability.js';
import { apiKeyRoutes } from './auth/routes.js';
import { opsRoutes } from './ops/routes.js';
import { referenceRoutes } from './reference/routes.js';

/** Registration order: dependencies flow one way (reference before jurisdiction before intake…). */
export const capabilities: Capability[] = [
  { name: 'ops', routes: opsRoutes },
  { name: 'auth', routes: apiKeyRoutes },
  { name: 'reference', routes: referenceRoutes },
];
