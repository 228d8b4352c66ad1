import { eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { sideQueue, type JobRegistry } from '../queue/types.js';
import { registerSubject } from '../domain/routing.js';
import { ASSIGN_JOB, assignInspection, assignJob, markPublicationOverdue, openPeriod, PERIOD_START_JOB, PUBLICATION_DUE_JOB } from './service.js';
import { inspections } from './tables.js';

/**
 * Drawn inspections are assignments' subjects of kind `inspection`. They are not routed by place
 * (their teams are the drawn officers'), so they are never routable: a declined inspection
 * assignment is not re-routed anywhere.
 */
export function inspectionServices(deps: Deps) {
  registerSubject(deps, 'inspection', {
    load(tx, id) {
      const i = tx.select({ id: inspections.id }).from(inspections).where(eq(inspections.id, id)).get();
      return i ? { kind: 'inspection', id, category: 'other', location: null } : null;
    },
    routable: () => false,
    onRouted: () => {},
  });
}

export function inspectionJobs(registry: JobRegistry, _deps: Deps) {
  // The period started: open the plan's inspections (a stale or early timer does nothing).
  registry.handle(PERIOD_START_JOB, {
    queue: 'deadline',
    run: (payload: { planId: string }, ctx) => {
      ctx.once((tx) => openPeriod(tx, ctx.deps, payload.planId));
    },
  });
  registry.handle(PUBLICATION_DUE_JOB, {
    queue: 'deadline',
    run: (payload: { inspectionId: string }, ctx) => {
      ctx.once((tx) => markPublicationOverdue(tx, ctx.deps, payload.inspectionId));
    },
  });
  // Each opened inspection is assigned to its officers' teams on the lead team's side queue.
  for (const side of ['region', 'corps'] as const)
    registry.handle(assignJob(side), {
      queue: sideQueue(side),
      run: (payload: Parameters<typeof assignInspection>[2], ctx) => {
        ctx.once((tx) => assignInspection(tx, ctx.deps, payload));
      },
    });
  registry.react(['inspection.opened'], (e) => {
    const d = e.data as { id: string; side: string; teams: unknown[]; dueAt: string };
    const side = d.side === 'corps' ? 'corps' : 'region';
    return [
      {
        queue: sideQueue(side),
        name: assignJob(side),
        id: `${ASSIGN_JOB.replace('.', '-')}-${e.id}`,
        payload: { inspectionId: d.id, teams: d.teams, dueAt: d.dueAt },
      },
    ];
  });
}
