import { EmbeddedRuntime } from './embedded.js';
import { RedisRuntime } from './redis.js';
import type { Deps } from '../deps.js';
import type { JobRegistry, Runtime } from './types.js';

export function createRuntime(deps: Deps, registry: JobRegistry): Runtime {
  return deps.config.redisUrl ? new RedisRuntime(deps, registry) : new EmbeddedRuntime(deps, registry);
}
