import type { Capability } from '../http/capability.js';
import { apiKeyRoutes } from './routes.js';

/** API key management (admins): issue, list, revoke. Authentication itself is src/auth. */
export const keysCapability: Capability = { name: 'keys', routes: apiKeyRoutes };
