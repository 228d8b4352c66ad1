import { eq, sql } from 'drizzle-orm';
import { inTx, type Db, type Tx } from '../db/client.js';
import { jobRuns } from './tables.js';
import type { Deps } from '../deps.js';
import type { JobContext } from './types.js';

/** The effects-once guard's two statements, built once per database (every job runs them; see events/prepared.ts). */
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
const prepare = (db: Db) => ({
  done: db
    .select()
    .from(jobRuns)
    .where(eq(jobRuns.jobId, sql.placeholder('jobId')))
    .prepare(),
  record: db
    .insert(jobRuns)
    .values({ jobId: sql.placeholder('jobId'), doneAt: sql.placeholder('doneAt') })
    .prepare(),
  recordDone: db
    .insert(jobRuns)
    .values({ jobId: sql.placeholder('jobId'), doneAt: sql.placeholder('doneAt') })
    .onConflictDoNothing()
    .prepare(),
});
function statements(db: Db) {
  let q = prepared.get(db);
  if (!q) prepared.set(db, (q = prepare(db)));
  return q;
}

/** A job's context as the runtime holds it: it also knows whether `once` recorded the run. */
export interface RunContext extends JobContext {
  readonly recorded: boolean;
}

export function jobContext(deps: Deps, jobId: string, attempt: number): RunContext {
  const runs = statements(deps.db);
  let recorded = false;
  return {
    jobId,
    attempt,
    deps,
    get recorded() {
      return recorded;
    },
    once: (fn: (tx: Tx) => void) =>
      inTx(deps.db, (tx) => {
        if (runs.done.get({ jobId })) {
          recorded = true; // by an earlier run
          return false;
        }
        fn(tx);
        runs.record.run({ jobId, doneAt: deps.clock.now().toISOString() });
        recorded = true;
        return true;
      }),
  };
}

/**
 * Records a job whose handler returned (in the caller's transaction, if any), unless `once`
 * already did: every successful run is in job_runs, which is what the reconciler counts as done.
 */
export function recordDone(ctx: RunContext) {
  if (!ctx.recorded) statements(ctx.deps.db).recordDone.run({ jobId: ctx.jobId, doneAt: ctx.deps.clock.now().toISOString() });
}

/** Exponential backoff with full jitter, capped. */
export function backoff(base: number, attempt: number, cap = 6 * 3_600_000): number {
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
