import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { agencyRoutes } from './agencies-routes.js';
import { teamRoutes } from './teams-routes.js';
import { areaRoutes } from './areas-routes.js';

/** The reference registry: agencies, teams, areas (admin writes, every authenticated role reads). */
export const referenceRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app) => {
    await app.register(agencyRoutes(deps));
    await app.register(teamRoutes(deps));
    await app.register(areaRoutes(deps));
  };
