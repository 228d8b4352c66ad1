import type { Capability } from '../http/capability.js';
import { SpatialService } from './spatial-index.js';
import { jurisdictionRoutes } from './routes.js';
import { rulesOfArea } from './rules.js';

/** Spatial index over the areas, point resolution and explicit routing rules. */
export const jurisdiction: Capability = {
  name: 'jurisdiction',
  init(deps) {
    const spatial = new SpatialService(deps);
    deps.services.spatial = spatial;
    deps.services.onAreasChanged = (ids) => spatial.markChanged(ids);
    deps.services.rulesOfArea = rulesOfArea;
  },
  routes: jurisdictionRoutes,
};
