import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { busyErrors, groupCommits } from '../db/client.js';
import { authenticate } from '../auth/keys.js';
import { checkpoint } from '../queue/relay.js';
import { events } from '../outbox/tables.js';
import { QUEUES, type Runtime } from '../queue/types.js';
import { forbidden, unauthorized } from './problem.js';
import { asc, gt } from 'drizzle-orm';
import type { Deps } from '../deps.js';

declare module '../deps.js' {
  interface Services {
    /** The Prometheus registry of this app (GET /metrics); capabilities add their gauges. */
    metrics: Metrics;
  }
}

type Labels = Record<string, string>;

/**
 * One Prometheus registry per app (tests build several apps in one process, so not prom-client's
 * global one). Most series are read from SQLite or the queue when scraped, so every process
 * (API, worker) answers the same numbers for the shared state; only the HTTP histogram and the
 * busy counter are this process's own.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly http = new Histogram({
    name: 'enf_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern (not the URL) and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose label sets and values are read at scrape time (stale label sets disappear). */
  gauge(name: string, help: string, labelNames: string[], read: () => Promise<[Labels, number][]> | [Labels, number][]) {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const rows = await read();
        this.reset();
        for (const [labels, v] of rows) this.set(labels, v);
      },
    });
  }

  /** A counter whose total is read at scrape time (a count kept elsewhere). */
  counter(name: string, help: string, read: () => number) {
    let last = 0;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        const v = read();
        if (v > last) this.inc(v - last);
        last = v;
      },
    });
  }
}

/**
 * Registers the infrastructure's series (HTTP, outbox, queues, SQLite) on the app's registry.
 * Called once the runtime exists.
 */
export function installMetrics(app: FastifyInstance, deps: Deps, runtime: Runtime) {
  const m = deps.services.metrics;
  app.addHook('onResponse', async (req, reply) => {
    // The route pattern keeps the label set bounded (ids never become labels).
    m.http.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  const oldestUnrelayed = () =>
    deps.db
      .select({ time: events.time })
      .from(events)
      .where(gt(events.position, checkpoint(deps.db)))
      .orderBy(asc(events.position))
      .limit(1)
      .get();
  m.gauge('enf_outbox_lag_seconds', 'Age of the oldest outbox event not yet relayed to the queues (0 when all are)', [], () => {
    const o = oldestUnrelayed();
    return [[{}, o ? Math.max(0, (deps.clock.now().getTime() - Date.parse(o.time)) / 1000) : 0]];
  });
  m.gauge('enf_unreconciled_age_seconds', 'Age of the oldest derived work not yet known to be safe (see /readyz unreconciledOldestMs)', [], () => {
    const ms = runtime.unreconciledAgeMs();
    return [[{}, ms === null ? 0 : ms / 1000]];
  });
  m.gauge('enf_queue_jobs', 'Jobs per queue and state (failed = dead-lettered, waiting for an admin retry)', ['queue', 'state'], async () => {
    const counts = await runtime.counts();
    return Object.entries(counts).flatMap(([queue, c]) => Object.entries(c).map(([state, n]): [Labels, number] => [{ queue, state }, n]));
  });
  m.gauge('enf_queue_paused', '1 while an admin has paused the queue (POST /v1/admin/queues/{name}/pause)', ['queue'], async () => {
    const paused = new Set(await runtime.paused());
    return QUEUES.map((queue): [Labels, number] => [{ queue }, paused.has(queue) ? 1 : 0]);
  });
  m.counter('enf_sqlite_busy_errors_total', 'Writes that failed with SQLITE_BUSY after busy_timeout (answered 503 database-busy), this process', () =>
    busyErrors(deps.db),
  );
  m.counter(
    'enf_group_commits_total',
    'Group commits (inGroupTx: complaint creates, delivery bookkeeping, embedded job rows of one event-loop turn), this process',
    () => groupCommits(deps.db).commits,
  );
  m.counter(
    'enf_group_commit_units_total',
    'Units of work committed in those groups (÷ enf_group_commits_total = mean group size), this process',
    () => groupCommits(deps.db).units,
  );
}

/**
 * Who may scrape: the METRICS_TOKEN bearer (what Prometheus is given), or an admin key. Without
 * METRICS_TOKEN only admin keys may (so no deployment exposes its numbers by default).
 */
export function checkMetricsAccess(deps: Deps, req: FastifyRequest) {
  const h = req.headers.authorization;
  const bearer = h ? /^Bearer\s+(\S+)\s*$/i.exec(h)?.[1] : undefined;
  if (!bearer) throw unauthorized();
  const token = deps.config.metricsToken;
  if (token && bearer.length === token.length && timingSafeEqual(Buffer.from(bearer), Buffer.from(token))) return;
  const p = authenticate(deps.db, deps.clock, bearer, deps.config.adminApiKey);
  if (!p) throw unauthorized('The metrics token or API key is unknown or revoked.');
  if (p.role !== 'admin') throw forbidden(`Role ${p.role} may not read metrics: send METRICS_TOKEN or an admin key.`);
}
