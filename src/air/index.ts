import type { Capability } from '../http/capability.js';
import { airJobs } from './jobs.js';
import { airRoutes } from './routes.js';

/** Heavy-pollution weather (重污染天气): zones, emergency reduction lists, alerts and their linkage to joint operations. */
export const airCapability: Capability = {
  name: 'air',
  jobs: airJobs,
  routes: airRoutes,
};

export { AIR_EVENTS, type AirEventType } from './events.js';
export { seedDemoAir } from './demo.js';
