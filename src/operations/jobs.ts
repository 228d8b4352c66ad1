import { eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { sideQueue, type JobRegistry } from '../queue/types.js';
import { registerSubject } from '../domain/routing.js';
import { ASSIGN_JOB, WINDOW_END_JOB, assignJob, assignTasks, endOperationWindow } from './service.js';
import { operationTasks } from './tables.js';

/**
 * Operation tasks are assignments' subjects of kind `operation_task`. Their teams are chosen by the
 * operation, not by place, so they are never routable: a declined task assignment is not re-routed.
 */
export function operationServices(deps: Deps) {
  registerSubject(deps, 'operation_task', {
    load(tx, id) {
      const t = tx.select({ id: operationTasks.id }).from(operationTasks).where(eq(operationTasks.id, id)).get();
      return t ? { kind: 'operation_task', id, category: 'other', location: null } : null;
    },
    routable: () => false,
    onRouted: () => {},
  });
}

export function operationJobs(registry: JobRegistry, _deps: Deps) {
  // The confirmed operation's tasks go to their teams' work lists, on each side's queue.
  for (const side of ['region', 'corps'] as const)
    registry.handle(assignJob(side), {
      queue: sideQueue(side),
      run: (payload: { operationId: string; side: 'region' | 'corps' }, ctx) => {
        ctx.once((tx) => assignTasks(tx, ctx.deps, payload.operationId, payload.side));
      },
    });
  registry.handle(WINDOW_END_JOB, {
    queue: 'deadline',
    run: (payload: { operationId: string }, ctx) => {
      ctx.once((tx) => void endOperationWindow(tx, ctx.deps, payload.operationId));
    },
  });
  registry.react(['joint_operation.confirmed'], (e) => {
    const d = e.data as { id: string };
    return (['region', 'corps'] as const).map((side) => ({
      queue: sideQueue(side),
      name: assignJob(side),
      id: `${ASSIGN_JOB.replace('.', '-')}-${side}-${e.id}`,
      payload: { operationId: d.id, side },
    }));
  });
}
