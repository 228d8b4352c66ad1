import type { Deps } from '../deps.js';
import type { JobRegistry } from '../queue/types.js';
import { DECISION_DUE_JOB, onDecisionDue } from './service.js';

/** The consultations' clock: each decision's due date. */
export function consultationJobs(registry: JobRegistry, _deps: Deps) {
  registry.handle(DECISION_DUE_JOB, { queue: 'deadline', run: (p: { id: string }, ctx) => void ctx.once((tx) => onDecisionDue(tx, ctx.deps, p.id)) });
}
