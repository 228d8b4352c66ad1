import { eq } from 'drizzle-orm';
import { inTx, type Tx } from '../db/client.js';
import { jobRuns } from './schema.js';
import type { Deps, JobContext } from './types.js';

export function jobContext(deps: Deps, jobId: string, attempt: number): JobContext {
  return {
    jobId,
    attempt,
    deps,
    once: (fn: (tx: Tx) => void) =>
      inTx(deps.db, (tx) => {
        if (tx.select().from(jobRuns).where(eq(jobRuns.jobId, jobId)).get()) return false;
        fn(tx);
        tx.insert(jobRuns).values({ jobId, doneAt: deps.clock.now().toISOString() }).run();
        return true;
      }),
  };
}

/** Exponential backoff with full jitter, capped. */
export function backoff(base: number, attempt: number, cap = 6 * 3_600_000): number {
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
