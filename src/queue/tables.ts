import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** How far each outbox consumer (the relay) has read. */
export const checkpoints = sqliteTable('checkpoints', {
  name: text('name').primaryKey(),
  position: integer('position').notNull(),
});

/**
 * The embedded queue (no REDIS_URL): jobs derived from the outbox, run in-process.
 * With Redis the same rows are not used; BullMQ holds the jobs.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    queue: text('queue').notNull(),
    name: text('name').notNull(),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    priority: integer('priority').notNull().default(0),
    status: text('status', { enum: ['waiting', 'completed', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    runAt: text('run_at').notNull(),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull(),
    finishedAt: text('finished_at'),
  },
  // jobs_ready serves readyJobs (status = waiting, run_at <= now, ORDER BY priority, created_at) by
  // walking the index in order: no sort of the whole backlog per batch (run_at is filtered in-index).
  (t) => [index('jobs_ready').on(t.status, t.priority, t.createdAt, t.runAt), index('jobs_failed').on(t.status, t.finishedAt)],
);

/**
 * Durable deadlines. The sweeper fires due timers (by the injected clock) into the job queues.
 * `reconciled_at`: the fired timer's job can no longer be lost — set at firing when the job row
 * commits with it (embedded), or by the reconciler once the job's run is recorded (Redis).
 * timers_unreconciled holds only fired timers still waiting for that, which is all it scans.
 */
export const timers = sqliteTable(
  'timers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    dueAt: text('due_at').notNull(),
    firedAt: text('fired_at'),
    cancelledAt: text('cancelled_at'),
    reconciledAt: text('reconciled_at'),
  },
  (t) => [
    index('timers_due').on(t.firedAt, t.cancelledAt, t.dueAt),
    index('timers_unreconciled')
      .on(t.firedAt)
      .where(sql`${t.firedAt} IS NOT NULL AND ${t.reconciledAt} IS NULL AND ${t.cancelledAt} IS NULL`),
  ],
);

/**
 * Effects-once guard: a handler records its job id in the same transaction as its effects
 * (`once`); the runtime records every other successful job after its handler returns. A job id
 * here is done: the reconciler never re-adds it.
 */
export const jobRuns = sqliteTable('job_runs', {
  jobId: text('job_id').primaryKey(),
  doneAt: text('done_at').notNull(),
});

/**
 * Redis mode: jobs BullMQ finished without success (failed for good, dead-lettered), as the
 * reconciler found them. Accounted for like job_runs, so they are not re-added after Redis
 * loses them; POST /v1/admin/jobs/{id}/retry is how one runs again.
 */
export const jobFailures = sqliteTable('job_failures', {
  jobId: text('job_id').primaryKey(),
  failedAt: text('failed_at').notNull(),
});
