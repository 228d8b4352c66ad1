import type { Capability } from '../capability.js';
import { AREAS_CHANGED, SPATIAL, SpatialService } from './spatial-index.js';
import { jurisdictionRoutes } from './routes.js';

/** Spatial index over the areas, point resolution and explicit routing rules. */
export const jurisdiction: Capability = {
  name: 'jurisdiction',
  init(deps) {
    const spatial = new SpatialService(deps);
    deps.services.set(SPATIAL, spatial);
    deps.services.set(AREAS_CHANGED, () => spatial.markChanged());
  },
  routes: jurisdictionRoutes,
};
