import type { Capability } from '../http/capability.js';
import { auditRoutes } from './routes.js';

/** The audit log's admin read (the records are written by the HTTP layer: src/http/audit.ts). */
export const auditCapability: Capability = { name: 'audit', routes: auditRoutes };
