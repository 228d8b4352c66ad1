import type { Tx } from '../db/client.js';
import { sideQueue, type JobContext, type JobRegistry } from '../queue/types.js';
import { type Deps } from '../deps.js';
import { ROUTE_JOB, TRANSFER_JOB, subjectHooks, type RouteJob, type TransferJob } from '../domain/routing.js';
import { claimDeadlineJob, markOverdue, rerouteAfterDecline, rerouteAfterTransfer, routeSubject } from './service.js';

/** Re-routing after a lead assignment was declined (queue `route`, id `reroute-<event id>`). */
export const REROUTE_JOB = 'route.reroute';

/** The route.subject job body: load the subject, route it, tell it where it went. */
export function runRouteJob(tx: Tx, deps: Deps, job: RouteJob): void {
  if (!job || (job.kind !== 'complaint' && job.kind !== 'case') || typeof job.id !== 'string') throw new Error(`bad ${ROUTE_JOB} payload`);
  const hooks = subjectHooks(deps, job.kind);
  if (hooks.routable && !hooks.routable(tx, job.id)) return;
  const subject = hooks.load(tx, job.id);
  if (!subject) {
    deps.log.warn({ kind: job.kind, id: job.id }, 'routing: subject not found; nothing routed');
    return;
  }
  const outcome = routeSubject(tx, deps, subject);
  if (outcome) hooks.onRouted(tx, deps, subject.id, outcome);
}

export function assignmentJobs(registry: JobRegistry, _deps: Deps): void {
  registry.handle(ROUTE_JOB, {
    queue: 'route',
    run: (payload: RouteJob, ctx) => {
      ctx.once((tx) => runRouteJob(tx, ctx.deps, payload));
    },
  });
  registry.handle(REROUTE_JOB, {
    queue: 'route',
    run: (payload: { assignmentId: string }, ctx) => {
      ctx.once((tx) => rerouteAfterDecline(tx, ctx.deps, payload.assignmentId));
    },
  });
  // A subject transferred to another lead agency (enqueued by its capability, id transfer-<event id>).
  registry.handle(TRANSFER_JOB, {
    queue: 'route',
    run: (payload: TransferJob, ctx) => {
      ctx.once((tx) => rerouteAfterTransfer(tx, ctx.deps, payload));
    },
  });
  // Claim deadlines run on the side's work queue (region and corps scale and pause apart);
  // the center's triage deadlines on the deadline queue.
  const overdue = (payload: { assignmentId: string }, ctx: JobContext) => {
    ctx.once((tx) => markOverdue(tx, ctx.deps, payload.assignmentId));
  };
  for (const side of ['region', 'corps'] as const) registry.handle(claimDeadlineJob(side), { queue: sideQueue(side), run: overdue });
  registry.handle(claimDeadlineJob(null), { queue: 'deadline', run: overdue });

  registry.react(['assignment.declined'], (e) =>
    e.data.role === 'lead' ? [{ queue: 'route', name: REROUTE_JOB, id: `reroute-${e.id}`, payload: { assignmentId: e.data.id as string }, priority: 3 }] : [],
  );
}
