import type { Capability } from '../http/capability.js';
import { vocabularyRoutes } from './routes.js';

/** The labels of every code (src/domain/labels.ts), served publicly. */
export const vocabularyCapability: Capability = { name: 'vocabulary', routes: vocabularyRoutes };
