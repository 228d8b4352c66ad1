import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { DestinationStream } from 'pino';
import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import { openDb, type Db } from './db/client.js';
import { systemClock, type Clock } from './clock.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling, installNotFound, MAX_PARAM_LENGTH } from './http/errors.js';
import { installBodyParsers, validatorCompilers } from './http/input.js';
import { completeDocument, transformRoute } from './http/openapi.js';
import { readFileSync } from 'node:fs';
import { installAuth } from './auth/plugin.js';
import { ProblemSchema } from './http/problem.js';
import { JobRegistry, type Runtime } from './queue/types.js';
import { emptyServices, type Deps } from './deps.js';
import { createRuntime } from './queue/runtime.js';
import { capabilities } from './capabilities.js';
import { installAudit } from './http/audit.js';
import { seedDemo } from './reference/demo.js';
import { Metrics, installMetrics } from './http/metrics.js';
import { Sealer, loadPiiKey } from './auth/seal.js';

declare module 'fastify' {
  interface FastifyInstance {
    deps: Deps;
    runtime: Runtime;
  }
}

export interface BuildOptions {
  clock?: Clock;
  /** Where pino writes (tests capture log lines here). */
  logStream?: DestinationStream;
  /** Reuse an open database (tests of restart open their own). */
  db?: Db;
  /** Called on the bare instance before anything is registered (tests add the response contract check). */
  instrument?: (app: FastifyInstance) => void;
}

/** Log redaction: secrets and reporter personal data never reach the logs. */
export const REDACT = ['req.headers.authorization', 'req.headers["x-api-key"]', '*.reporter', '*.key', '*.secret', '*.phone', '*.email', '*.name', 'reporter'];

/** Query parameters that carry secrets: Open311's `api_key`, the reporter's lookup `code`, the event stream's `token`. */
const SECRET_PARAMS = /([?&](?:api_key|code|token)=)[^&#]*/gi;
export const redactUrl = (url: string) => url.replace(SECRET_PARAMS, '$1[redacted]');

/** info.version of the document: the package's version. */
export const API_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const API_DESCRIPTION =
  'Joint environmental enforcement API of the Xinjiang Uygur Autonomous Region (region, 自治区) and the Xinjiang Production and Construction Corps (corps, 兵团): unified 12369 complaint intake, shared case registry, cross-filing, and events.';

/** Builds the whole app from config; tests and the server share it. Does not listen. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const clock = opts.clock ?? systemClock;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip, reqId: req.id }) },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: config.bodyLimitBytes,
    // Loading the docs UI's assets can take seconds on a loaded 2-core machine; the default 10 s fails the start.
    pluginTimeout: 60_000,
    // Behind a reverse proxy (TRUST_PROXY), req.ip is the client: rate limits and logs see who called.
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Not-found and error handling decide the status codes; no trailing-slash surprises.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // Strict input (src/http/input.ts): bodies are not coerced; query, params and headers are.
    schemaController: validatorCompilers(),
    frameworkErrors,
    clientErrorHandler,
  });
  opts.instrument?.(app);
  const db = opts.db ?? openDb(config.databasePath);
  const shutdown = new AbortController();
  const deps: Deps = { db, clock, config, log: app.log, services: emptyServices(), poke: () => {}, shutdown: shutdown.signal };
  app.decorate('deps', deps);

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  installBodyParsers(app);
  installErrorHandling(app, installNotFound(app));
  app.addSchema(ProblemSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Region–Corps Joint Environmental Enforcement API', version: API_VERSION, description: API_DESCRIPTION },
      servers: [{ url: config.publicBaseUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key from POST /v1/api-keys or `npm run cli -- keys create`' },
          streamToken: {
            type: 'apiKey',
            in: 'query',
            name: 'token',
            description: 'Single-use, short-lived token from POST /v1/events/stream-tokens, for a browser EventSource (which cannot send a bearer header)',
          },
        },
      },
    },
    transform: transformRoute as never,
    transformObject: (d) => completeDocument((d as unknown as { openapiObject: Record<string, unknown> }).openapiObject, { version: API_VERSION }) as never,
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // The docs are as public as /openapi.json: a browser opens them without a key.
  app.addHook('onRoute', (r) => {
    if (r.url === '/docs' || r.url.startsWith('/docs/')) r.config = { ...(r.config ?? {}), public: true };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  if (config.corsOrigins.length)
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key', 'last-event-id', 'x-request-id'],
      exposedHeaders: ['etag', 'location', 'x-request-id', 'retry-after', 'idempotent-replayed'],
      maxAge: 600,
    });
  await app.register(rateLimit, { global: false });
  installAuth(app, deps);
  installAudit(app, deps);

  if (config.seedDemo) seedDemo(db, clock);
  const registry = new JobRegistry();
  deps.services.metrics = new Metrics();
  deps.services.sealer = new Sealer(loadPiiKey(config, app.log));
  for (const c of capabilities) c.init?.(deps);
  for (const c of capabilities) c.jobs?.(registry, deps);
  const runtime = createRuntime(deps, registry);
  deps.poke = () => runtime.poke();
  app.decorate('runtime', runtime);
  installMetrics(app, deps, runtime);
  for (const c of capabilities) if (c.routes) await app.register(c.routes(deps));

  // A committed write may have appended events: wake the relay rather than wait for its poll.
  app.addHook('onResponse', async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') runtime.poke();
  });
  app.addHook('onClose', async () => {
    // In-flight webhook sends end now (recorded as a failed attempt, retried by its timer): a job
    // still running after the workers' bounded close would later hit closed Redis connections,
    // and BullMQ retries that without pause while closing — a busy loop that outlived the app.
    shutdown.abort();
    await runtime.close();
    if (!opts.db) db.$client.close();
  });
  return app;
}
