import { eq, sql } from 'drizzle-orm';
import { inTx, type Db, type Tx } from '../db/client.js';
import { jobRuns } from './tables.js';
import type { Deps } from '../deps.js';
import type { JobContext } from './types.js';

/** The effects-once guard's two statements, built once per database (every job runs them; see events/prepared.ts). */
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
const prepare = (db: Db) => ({
  done: db.select().from(jobRuns).where(eq(jobRuns.jobId, sql.placeholder('jobId'))).prepare(),
  record: db.insert(jobRuns).values({ jobId: sql.placeholder('jobId'), doneAt: sql.placeholder('doneAt') }).prepare(),
});

export function jobContext(deps: Deps, jobId: string, attempt: number): JobContext {
  let q = prepared.get(deps.db);
  if (!q) prepared.set(deps.db, (q = prepare(deps.db)));
  const runs = q;
  return {
    jobId,
    attempt,
    deps,
    once: (fn: (tx: Tx) => void) =>
      inTx(deps.db, (tx) => {
        if (runs.done.get({ jobId })) return false;
        fn(tx);
        runs.record.run({ jobId, doneAt: deps.clock.now().toISOString() });
        return true;
      }),
  };
}

/** Exponential backoff with full jitter, capped. */
export function backoff(base: number, attempt: number, cap = 6 * 3_600_000): number {
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
