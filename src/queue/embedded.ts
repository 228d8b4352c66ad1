import { and, asc, desc, eq, lte, lt, sql, count } from 'drizzle-orm';
import { inGroupTx, inTx } from '../db/client.js';
import { checkpoints, jobs } from './tables.js';
import { checkpoint, dueTimers, lastPosition, markFired, nextBatch, setCheckpoint } from './relay.js';
import { backoff, jobContext, recordDone } from './context.js';
import { oldestUnreconciledMs } from './reconcile.js';
import { Pump, settleLoop } from './pump.js';
import { QUEUES, type FailedJob, type JobRegistry, type JobRequest, type QueueCounts, type QueueName, type Runtime } from './types.js';
import type { Deps } from '../deps.js';

const POLL_MS = 250;
const CONCURRENCY = 8;
/**
 * Webhook sends wait on the network, not the CPU: the deliver queue has its own, larger pool of
 * slots (the other queues keep theirs), so more results arrive per turn and commit together.
 */
export const DELIVER_CONCURRENCY = 32;
const KEEP_COMPLETED_MS = 7 * 86_400_000;
const PURGE_EVERY_MS = 60_000;
/**
 * A paused queue is a checkpoints row `pause:<queue>` (no table of its own for one flag per
 * queue); the ready-jobs query skips those queues, so their jobs wait and settle() ignores them.
 */
const PAUSE = 'pause:';
const pausedQueues = sql`select substr(${checkpoints.name}, ${PAUSE.length + 1}) from ${checkpoints} where ${checkpoints.name} like ${PAUSE + '%'}`;

/**
 * The embedded runner (no REDIS_URL): the outbox relay writes jobs into SQLite in the same
 * transaction that advances its checkpoint, and an in-process loop runs them with the same
 * handlers the BullMQ workers use. Retries wait on the injected clock.
 */
export class EmbeddedRuntime implements Runtime {
  readonly mode = 'embedded' as const;
  private pump = new Pump(
    () => this.pass(),
    (err) => this.deps.log.error({ err }, 'embedded runtime pump failed'),
  );
  private workers = false;
  private closed = false;

  constructor(
    private deps: Deps,
    private registry: JobRegistry,
  ) {}

  async start(opts: { workers: boolean }) {
    this.workers = opts.workers;
    this.pump.start(POLL_MS);
  }

  /**
   * Coalesced to one pass per turn of the event loop: every finished job and every delivery
   * pokes, and a pass (relay, sweep, ready query) per poke cost more than the jobs.
   */
  private pokeQueued = false;
  poke() {
    if (this.pokeQueued) return;
    this.pokeQueued = true;
    setImmediate(() => {
      this.pokeQueued = false;
      this.pump.poke();
    });
  }

  private enqueue(list: JobRequest[]) {
    const now = this.deps.clock.now().toISOString();
    for (const j of list) {
      const def = this.registry.handlers.get(j.name);
      if (!def) throw new Error(`no handler for job ${j.name}`);
      this.stmts.insert.run({ id: j.id, queue: j.queue, name: j.name, payload: j.payload, priority: j.priority ?? 5, maxAttempts: def.attempts ?? 5, now });
    }
  }

  /** Outbox → jobs, exactly once: job rows and the checkpoint commit together. */
  relayOnce(): number {
    return inTx(this.deps.db, () => {
      const from = checkpoint(this.deps.db);
      const b = nextBatch(this.deps, this.registry, from);
      if (b.count === 0) return 0;
      this.enqueue(b.jobs);
      setCheckpoint(this.deps.db, b.to);
      return b.count;
    });
  }

  async sweep(): Promise<number> {
    const now = this.deps.clock.now();
    const fired = inTx(this.deps.db, () => {
      const due = dueTimers(this.deps, this.registry);
      this.enqueue(due.map((d) => d.job));
      for (const d of due) markFired(this.deps.db, d.timer.id, now, true);
      return due.length;
    });
    if (fired) this.poke();
    return fired;
  }

  /** Hot statements (each job runs them), built once: drizzle's per-call SQL build costs ~30× running them. */
  private q?: ReturnType<EmbeddedRuntime['prepare']>;
  private prepare() {
    const P = sql.placeholder;
    const db = this.deps.db;
    return {
      ready: db
        .select()
        .from(jobs)
        .where(and(eq(jobs.status, 'waiting'), lte(jobs.runAt, P('now')), sql`${jobs.queue} not in (${pausedQueues})`))
        .orderBy(asc(jobs.priority), asc(jobs.createdAt))
        .limit(P('limit'))
        .prepare(),
      /** Ready jobs not running now, in the ready index's order. */
      readyIdle: db
        .select()
        .from(jobs)
        .where(
          and(
            eq(jobs.status, 'waiting'),
            lte(jobs.runAt, P('now')),
            // The running jobs (still `waiting` until they finish) are skipped in SQL: mapping them
            // into rows on every pass, to drop them again, cost more than the jobs with 32 slots.
            sql`${jobs.id} not in (select value from json_each(${P('running')}))`,
            sql`${jobs.queue} not in (${pausedQueues})`,
          ),
        )
        .orderBy(asc(jobs.priority), asc(jobs.createdAt))
        .limit(P('limit'))
        .prepare(),
      completed: db
        .update(jobs)
        .set({ status: 'completed', attempts: sql`${P('attempts')}`, finishedAt: sql`${P('finishedAt')}`, lastError: null })
        .where(eq(jobs.id, P('id')))
        .prepare(),
      insert: db
        .insert(jobs)
        .values({
          id: P('id'),
          queue: P('queue'),
          name: P('name'),
          payload: P('payload'),
          priority: P('priority'),
          status: 'waiting',
          maxAttempts: P('maxAttempts'),
          runAt: P('now'),
          createdAt: P('now'),
        })
        .onConflictDoNothing()
        .prepare(),
    };
  }
  private get stmts() {
    return (this.q ??= this.prepare());
  }

  private readyJobs(limit: number) {
    const now = this.deps.clock.now().toISOString();
    return this.stmts.ready.all({ now, limit });
  }

  private async runJob(row: typeof jobs.$inferSelect) {
    const def = this.registry.handlers.get(row.name);
    const attempt = row.attempts + 1;
    const db = this.deps.db;
    try {
      if (!def) throw new Error(`no handler for job ${row.name}`);
      const ctx = jobContext(this.deps, row.id, attempt);
      await def.run(row.payload, ctx);
      const completed = { attempts: attempt, finishedAt: this.deps.clock.now().toISOString(), id: row.id };
      // Grouped with the other jobs (and delivery results) finishing in this turn: one commit.
      await inGroupTx(db, () => {
        recordDone(ctx);
        this.stmts.completed.run(completed);
      });
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      const unrecoverable = (err as Error).name === 'UnrecoverableError';
      const now = this.deps.clock.now();
      if (unrecoverable || attempt >= row.maxAttempts) {
        this.deps.log.warn({ jobId: row.id, job: row.name, attempt, err: msg }, 'job failed for good');
        db.update(jobs).set({ status: 'failed', attempts: attempt, lastError: msg, finishedAt: now.toISOString() }).where(eq(jobs.id, row.id)).run();
      } else {
        const runAt = new Date(now.getTime() + backoff(def?.backoffMs ?? 1000, attempt)).toISOString();
        db.update(jobs).set({ attempts: attempt, lastError: msg, runAt }).where(eq(jobs.id, row.id)).run();
      }
    }
  }

  /**
   * Jobs running now, by id (their rows stay `waiting` until they finish). A slot is refilled as
   * soon as its job ends, rather than a batch waiting for its slowest job: one hanging webhook
   * receiver holds one slot, not the runner.
   */
  private inflight = new Map<string, Promise<void>>();

  /** Running jobs per pool: the deliver queue's, and the others'. */
  private running = { deliver: 0, other: 0 };

  /**
   * Starts ready jobs in the free slots of both pools (not awaited); returns how many started.
   * One query in the ready index's order (a query per pool walked the whole deliver backlog to
   * find the other queues' jobs); a job whose pool is full waits its turn, as in one pool.
   */
  private startReady(): number {
    const free = { deliver: DELIVER_CONCURRENCY - this.running.deliver, other: CONCURRENCY - this.running.other };
    if (free.deliver <= 0 && free.other <= 0) return 0;
    const now = this.deps.clock.now().toISOString();
    const rows = this.stmts.readyIdle.all({
      now,
      limit: Math.max(0, free.deliver) + Math.max(0, free.other),
      running: JSON.stringify([...this.inflight.keys()]),
    });
    let started = 0;
    for (const r of rows) {
      const pool = r.queue === 'deliver' ? 'deliver' : 'other';
      if (free[pool] <= 0) continue;
      free[pool]--;
      this.running[pool]++;
      started++;
      const run = this.runJob(r).finally(() => {
        this.running[pool]--;
        this.inflight.delete(r.id);
        this.poke();
      });
      this.inflight.set(r.id, run);
    }
    return started;
  }

  /** Clock time of the last purge of old completed jobs (at most one a minute). */
  private purgedAt = -Infinity;

  /**
   * Read-only checks come first: a pass runs per turn with a finished job, and an empty relay
   * transaction, sweep transaction and purge on every pass cost more than the jobs themselves.
   */
  private async pass() {
    const db = this.deps.db;
    for (;;) {
      let work = 0;
      while (lastPosition(db) > checkpoint(db) && this.relayOnce() > 0) work++;
      if (dueTimers(this.deps, this.registry, 1).length) work += await this.sweep();
      if (this.workers) work += this.startReady();
      if (work === 0 || this.closed) break;
    }
    const now = this.deps.clock.now().getTime();
    if (now - this.purgedAt < PURGE_EVERY_MS) return;
    this.purgedAt = now;
    const cutoff = new Date(now - KEEP_COMPLETED_MS).toISOString();
    db.delete(jobs)
      .where(and(eq(jobs.status, 'completed'), lt(jobs.finishedAt, cutoff)))
      .run();
  }

  async settle(timeoutMs = 20_000) {
    await settleLoop(
      this.pump,
      async () => {
        const relayed = checkpoint(this.deps.db) >= lastPosition(this.deps.db);
        if (this.inflight.size) {
          // Let the running jobs progress (their sockets need the event loop), then look again.
          await Promise.race(this.inflight.values());
          return false;
        }
        const ready = this.workers ? this.readyJobs(1).length : 0;
        return relayed && dueTimers(this.deps, this.registry, 1).length === 0 && ready === 0;
      },
      { timeoutMs, rounds: 1, pauseMs: 0 },
    );
  }

  async counts() {
    const rows = this.deps.db.select({ queue: jobs.queue, status: jobs.status, n: count() }).from(jobs).groupBy(jobs.queue, jobs.status).all();
    const out = Object.fromEntries(QUEUES.map((q) => [q, { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 }])) as Record<QueueName, QueueCounts>;
    for (const r of rows) out[r.queue as QueueName][r.status] = r.n;
    return out;
  }

  async failed(limit: number): Promise<FailedJob[]> {
    return this.deps.db
      .select()
      .from(jobs)
      .where(eq(jobs.status, 'failed'))
      .orderBy(desc(jobs.finishedAt))
      .limit(limit)
      .all()
      .map((j) => ({
        id: j.id,
        queue: j.queue as QueueName,
        name: j.name,
        attempts: j.attempts,
        error: j.lastError,
        failedAt: j.finishedAt,
        payload: j.payload,
      }));
  }

  async retry(id: string) {
    const r = this.deps.db
      .update(jobs)
      .set({ status: 'waiting', attempts: 0, runAt: this.deps.clock.now().toISOString(), finishedAt: null, maxAttempts: sql`${jobs.maxAttempts}` })
      .where(and(eq(jobs.id, id), eq(jobs.status, 'failed')))
      .run();
    if (r.changes) this.poke();
    return r.changes > 0;
  }

  async healthy() {
    return true;
  }

  async pause(queue: QueueName) {
    this.deps.db
      .insert(checkpoints)
      .values({ name: PAUSE + queue, position: 1 })
      .onConflictDoNothing()
      .run();
  }

  async resume(queue: QueueName) {
    this.deps.db
      .delete(checkpoints)
      .where(eq(checkpoints.name, PAUSE + queue))
      .run();
    this.poke();
  }

  async paused() {
    return this.deps.db
      .select({ name: checkpoints.name })
      .from(checkpoints)
      .all()
      .filter((r) => r.name.startsWith(PAUSE))
      .map((r) => r.name.slice(PAUSE.length) as QueueName);
  }

  /** Jobs commit with the relay's checkpoint and with their timer's firing: only the unrelayed outbox is at risk. */
  unreconciledAgeMs() {
    return oldestUnreconciledMs(this.deps, checkpoint(this.deps.db));
  }

  async close() {
    this.closed = true;
    await this.pump.close();
    await Promise.allSettled(this.inflight.values());
  }
}
