import type { FastifyPluginAsync } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { authorize } from '../auth/plugin.js';
import { Problem } from '../http/problem.js';
import { sendProblem } from '../http/errors.js';
import type { Runtime } from '../queue/types.js';
import type { RedisRuntime } from '../queue/redis.js';
import type { Deps } from '../deps.js';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board over the BullMQ queues (Redis mode only; the embedded runner's state is
 * GET /v1/admin/queues), for admin keys, left out of the API document (a UI, not the contract).
 * Bull Board sets its own error handler, which would turn a thrown 401/403 into a 500: the key is
 * checked here and the problem sent directly (the key plugin is told to skip these routes).
 */
export const queueDashboard =
  (deps: Deps, runtime: Runtime): FastifyPluginAsync =>
  async (app) => {
    app.addHook('onRoute', (r) => {
      r.config = { ...(r.config ?? {}), public: true };
      r.schema = { ...(r.schema ?? {}), hide: true };
    });
    app.addHook('onRequest', async (req, reply) => {
      try {
        authorize(deps, req, ['admin']);
      } catch (err) {
        if (err instanceof Problem) return sendProblem(reply, err, req);
        throw err;
      }
    });
    const adapter = new FastifyAdapter();
    createBullBoard({ queues: [...(runtime as RedisRuntime).queues.values()].map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
    adapter.setBasePath(DASHBOARD_PATH);
    await app.register(adapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  };
