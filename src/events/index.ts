import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Capability } from '../http/capability.js';
import type { Deps } from '../deps.js';
import { EventNotifier } from './notifier.js';
import { eventRoutes } from './routes.js';
import { subscriptionRoutes } from './subscription-routes.js';
import { registerDelivery } from './delivery.js';
import { registerEventMetrics } from './metrics.js';

/** Event API: catalog, pull feed, SSE stream, webhook subscriptions and delivery. */
export const eventsCapability: Capability = {
  name: 'events',
  init: (deps: Deps) => {
    deps.services.eventNotifier = new EventNotifier(deps);
    registerEventMetrics(deps);
  },
  jobs: (registry, deps) => registerDelivery(registry, deps),
  routes:
    (deps: Deps): FastifyPluginAsyncTypebox =>
    async (app) => {
      await app.register(eventRoutes(deps));
      await app.register(subscriptionRoutes(deps));
    },
};
