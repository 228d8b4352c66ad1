import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Capability } from '../capability.js';
import type { Deps } from '../queue/types.js';
import { EventNotifier, NOTIFIER_SERVICE } from './notifier.js';
import { eventRoutes } from './routes.js';
import { subscriptionRoutes } from './subscription-routes.js';
import { registerDelivery } from './delivery.js';

/** Event API: catalog, pull feed, SSE stream, webhook subscriptions and delivery. */
export const eventsCapability: Capability = {
  name: 'events',
  init: (deps: Deps) => {
    deps.services.set(NOTIFIER_SERVICE, new EventNotifier(deps));
  },
  jobs: (registry, deps) => registerDelivery(registry, deps),
  routes:
    (deps: Deps): FastifyPluginAsyncTypebox =>
    async (app) => {
      await app.register(eventRoutes(deps));
      await app.register(subscriptionRoutes(deps));
    },
};
