import type { Deps } from '../deps.js';
import type { JobRegistry } from '../queue/types.js';
import { MONTHLY_JOB, WEEKLY_JOB, runReports } from './service.js';

/** The two recurring runs (durable timers set at start-up and after each run). */
export function reportJobs(registry: JobRegistry, _deps: Deps) {
  registry.handle(WEEKLY_JOB, { queue: 'deadline', run: (_p: unknown, ctx) => void ctx.once((tx) => runReports(tx, ctx.deps, 'weekly_dispatch')) });
  registry.handle(MONTHLY_JOB, { queue: 'deadline', run: (_p: unknown, ctx) => void ctx.once((tx) => runReports(tx, ctx.deps, 'monthly_bulletin')) });
}
