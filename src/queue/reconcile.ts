import { and, asc, eq, gt, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import { inTx, type Db } from '../db/client.js';
import { events } from '../outbox/tables.js';
import { checkpoint, RELAY, setCheckpoint, timerJob } from './relay.js';
import { checkpoints, jobFailures, jobRuns, timers } from './tables.js';
import type { Deps } from '../deps.js';
import type { JobRegistry, JobRequest } from './types.js';

/**
 * The reconciler's half that reads SQLite (the runtime asks its queue about what is left).
 *
 * Work derived from the outbox and from timers is done when its job's run is recorded
 * (job_runs) or the queue gave up on it (job_failures) — not when it was handed to the queue.
 * An event is reconciled when every job it derives (registry.jobsFor, as the relay derived them)
 * is done; the `reconciled` checkpoint is the position through which all events are, so each
 * pass reads a bounded window after it. Fired timers are reconciled one by one
 * (timers.reconciled_at; they fire out of creation order and many at one instant).
 */
export const RECONCILED = 'reconciled';
/** Bounds of one pass: events read after the checkpoint, fired timers, unfinished jobs. */
const EVENT_WINDOW = 500;
const TIMER_WINDOW = 500;
const JOB_WINDOW = 2_000;

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
const prepare = (db: Db) => {
  const P = sql.placeholder;
  const unreconciled = and(isNotNull(timers.firedAt), isNull(timers.reconciledAt), isNull(timers.cancelledAt));
  return {
    window: db
      .select()
      .from(events)
      .where(and(gt(events.position, P('from')), lte(events.position, P('to'))))
      .orderBy(asc(events.position))
      .limit(EVENT_WINDOW)
      .prepare(),
    fired: db
      .select()
      .from(timers)
      .where(and(unreconciled, lte(timers.firedAt, P('cutoff'))))
      .orderBy(asc(timers.firedAt))
      .limit(TIMER_WINDOW)
      .prepare(),
    oldestFired: db.select({ at: timers.firedAt }).from(timers).where(unreconciled).orderBy(asc(timers.firedAt)).limit(1).prepare(),
    firstAfter: db
      .select({ at: events.time })
      .from(events)
      .where(gt(events.position, P('from')))
      .orderBy(asc(events.position))
      .limit(1)
      .prepare(),
    run: db
      .select({ id: jobRuns.jobId })
      .from(jobRuns)
      .where(eq(jobRuns.jobId, P('id')))
      .prepare(),
    failure: db
      .select({ id: jobFailures.jobId })
      .from(jobFailures)
      .where(eq(jobFailures.jobId, P('id')))
      .prepare(),
  };
};
function statements(db: Db) {
  let q = prepared.get(db);
  if (!q) prepared.set(db, (q = prepare(db)));
  return q;
}

/** A derived job not yet done, and since when (its event's time, or when its timer fired). */
export interface Unfinished {
  job: JobRequest;
  since: string;
}

export interface Scan {
  unfinished: Unfinished[];
  /** The new reconciled-through position. */
  through: number;
  /** Fired timers whose job is done. */
  doneTimers: string[];
  /** Where the next pass goes on when this one filled its window; null: from the checkpoint. */
  resumeAt: number | null;
}

/** Starts the checkpoint where the relay is, the first time: earlier work was handed off as before. */
export function initReconciled(db: Db) {
  db.insert(checkpoints)
    .values({ name: RECONCILED, position: checkpoint(db, RELAY) })
    .onConflictDoNothing()
    .run();
}

/**
 * Relayed events and fired timers older than `graceMs` (by the injected clock) whose jobs are
 * not done. `key` maps a job id to the id its runtime runs it under. A pass reads one window
 * after the checkpoint, or after `resumeAt` (the previous pass's end), so that behind a backlog
 * still queued at the checkpoint, later windows are looked at too (after a Redis loss they hold
 * lost jobs as well).
 */
export function scanUnreconciled(deps: Deps, registry: JobRegistry, graceMs: number, key: (id: string) => string, resumeAt: number | null = null): Scan {
  const q = statements(deps.db);
  const done = (id: string) => q.run.get({ id: key(id) }) !== undefined || q.failure.get({ id: key(id) }) !== undefined;
  const cutoff = new Date(deps.clock.now().getTime() - graceMs).toISOString();
  const reconciled = checkpoint(deps.db, RECONCILED);
  const from = resumeAt !== null && resumeAt > reconciled ? resumeAt : reconciled;
  const unfinished: Unfinished[] = [];
  let through = reconciled;
  let complete = from === reconciled; // only a window that starts at the checkpoint moves it
  let last = from;
  let full = false;
  const rows = q.window.all({ from, to: checkpoint(deps.db, RELAY) });
  for (const e of rows) {
    if (e.time > cutoff) break;
    if (unfinished.length >= JOB_WINDOW) {
      full = true;
      break;
    }
    const open = registry.jobsFor(e, deps).filter((j) => !done(j.id));
    if (open.length === 0 && complete) through = e.position;
    else complete = false;
    for (const job of open) unfinished.push({ job, since: e.time });
    last = e.position;
  }
  if (rows.length === EVENT_WINDOW && last === rows[rows.length - 1].position) full = true;
  const doneTimers: string[] = [];
  for (const t of q.fired.all({ cutoff })) {
    const job = timerJob(registry, t);
    if (done(job.id)) doneTimers.push(t.id);
    else unfinished.push({ job, since: t.firedAt! });
  }
  return { unfinished, through, doneTimers, resumeAt: full ? last : null };
}

/** Records a pass: jobs the queue reports finished, reconciled timers, the checkpoint. */
export function recordReconciled(deps: Deps, scan: Scan, finished: { failed: string[]; completed: string[] }) {
  const now = deps.clock.now().toISOString();
  inTx(deps.db, (tx) => {
    for (const jobId of finished.failed) tx.insert(jobFailures).values({ jobId, failedAt: now }).onConflictDoNothing().run();
    for (const jobId of finished.completed) tx.insert(jobRuns).values({ jobId, doneAt: now }).onConflictDoNothing().run();
    for (const id of scan.doneTimers) tx.update(timers).set({ reconciledAt: now }).where(eq(timers.id, id)).run();
    // Monotonic: every relay process reconciles.
    if (checkpoint(tx, RECONCILED) < scan.through) setCheckpoint(tx, scan.through, RECONCILED);
  });
}

/**
 * Age (ms, injected clock) of the oldest work SQLite cannot yet call safe: the first event after
 * `through` and the oldest unreconciled fired timer; null when there is none.
 */
export function oldestUnreconciledMs(deps: Deps, through: number): number | null {
  const q = statements(deps.db);
  const times = [q.firstAfter.get({ from: through })?.at, q.oldestFired.get()?.at].filter((t): t is string => !!t);
  if (!times.length) return null;
  const oldest = Math.min(...times.map((t) => Date.parse(t)));
  return Math.max(0, deps.clock.now().getTime() - oldest);
}
