import type { Capability } from '../http/capability.js';
import { consultationJobs } from './jobs.js';
import { consultationRoutes } from './routes.js';

/** Joint consultations (会商) of the two sides: agenda, attendance, minutes, decisions followed up to their deadline. */
export const consultationsCapability: Capability = { name: 'consultations', jobs: consultationJobs, routes: consultationRoutes };
