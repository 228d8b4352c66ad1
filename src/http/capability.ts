import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import type { JobRegistry } from '../queue/types.js';

/** A capability folder exposes its routes, its job handlers/reactors and start-up work. */
export interface Capability {
  name: string;
  /** Synchronous set-up after migrations (build indexes, register services in deps.services). */
  init?: (deps: Deps) => void;
  jobs?: (registry: JobRegistry, deps: Deps) => void;
  routes?: (deps: Deps) => FastifyPluginAsync<any>;
}
