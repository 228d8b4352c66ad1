import type { FastifyBaseLogger } from 'fastify';
import type { Db } from './db/client.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';

/**
 * Services capabilities hand each other at build time (the spatial index, the reporter-data
 * cipher, routing hooks…). Empty here: each capability adds its own keys by declaration merging
 * (`declare module '../deps.js' { interface Services { … } }`), the way Fastify types its
 * decorators, so a lookup is a typed property, never a string key and a cast.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Services {}

/** Infrastructure every route, service and job handler receives. */
export interface Deps {
  db: Db;
  clock: Clock;
  config: Config;
  log: FastifyBaseLogger;
  /** Filled by each capability's `init` before any route or job runs. */
  services: Services;
  /** Set by the runtime: ask the relay to look at the outbox now (after a commit). */
  poke: () => void;
  /**
   * Aborted when the app starts closing: work that waits on the network (a webhook send) gives
   * up at once, so its job ends before the runtime closes its queues and connections.
   */
  shutdown?: AbortSignal;
}

/** The services an app starts with (each capability's `init` adds its own). */
export const emptyServices = (): Services => ({}) as Services;
