import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { inTx } from '../db/client.js';
import { checkpoint, dueTimers, lastPosition, markFired, nextBatch, safeJobId, setCheckpoint } from './relay.js';
import { jobContext, recordDone } from './context.js';
import { Pump, settleLoop } from './pump.js';
import { RECONCILED, initReconciled, oldestUnreconciledMs, recordReconciled, scanUnreconciled, type Unfinished } from './reconcile.js';
import { QUEUES, type FailedJob, type JobRegistry, type JobRequest, type QueueCounts, type QueueName, type Runtime } from './types.js';
import type { Deps } from '../deps.js';

const POLL_MS = 250;
/** BullMQ worker concurrency of the deliver queue (webhook sends wait on the network). */
export const DELIVER_CONCURRENCY = 32;
/** How often the reconciler runs besides at start, on reconnect and in settle(). */
const RECONCILE_EVERY_MS = 5_000;
const ERROR_LOG_EVERY_MS = 10_000;

/**
 * A logger for one source's errors: at most one line per `everyMs`, counting the ones it held
 * back (an outage repeats the same error on every retry and every relay pass).
 */
export function throttledErrors(log: Deps['log'], source: string, opts: { msg?: string; everyMs?: number; now?: () => number } = {}) {
  const { msg = 'redis error', everyMs = ERROR_LOG_EVERY_MS, now = Date.now } = opts;
  let last = -Infinity;
  let suppressed = 0;
  return (err: unknown) => {
    const t = now();
    if (t - last < everyMs) {
      suppressed++;
      return;
    }
    log.warn({ source, err: (err as Error).message ?? String(err), suppressed }, msg);
    last = t;
    suppressed = 0;
  };
}

/** Resolves true when `p` settles within `ms`, false otherwise. */
const bounded = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => (clearTimeout(t), resolve(true)),
      () => (clearTimeout(t), resolve(true)),
    );
  });

/**
 * BullMQ on Redis. The relay reads the SQLite outbox and adds jobs with ids derived from the
 * event (BullMQ ignores an add whose id exists), then advances its checkpoint; a crash between
 * the two re-adds the same ids. While Redis is down the relay does not advance and the API keeps
 * committing to SQLite. Once added, a job lives only in Redis until it runs, so a Redis that
 * comes back empty (no persistence, failover) would lose it: the reconciler re-adds, with the
 * same ids, every derived job not recorded done in SQLite that Redis no longer holds.
 */
export class RedisRuntime implements Runtime {
  readonly mode = 'redis' as const;
  private producer: Redis;
  private workerConn?: Redis;
  readonly queues = new Map<QueueName, Queue>();
  private workers: Worker[] = [];
  private pump: Pump;
  private reconcileAsked = false;
  private lastReconcile = -Infinity;
  /** Jobs the last reconciler pass re-added (settle() waits for a pass that re-adds none). */
  private readded = 0;
  private resumeAt: number | null = null;

  constructor(
    private deps: Deps,
    private registry: JobRegistry,
  ) {
    this.pump = new Pump(() => this.pass(), throttledErrors(deps.log, 'relay', { msg: 'relay could not reach Redis; will retry' }));
    const url = deps.config.redisUrl!;
    // Producer fails fast so an outage never hangs a request or the relay.
    this.producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.producer.on('error', throttledErrors(deps.log, 'producer'));
    let readies = 0;
    this.producer.on('ready', () => {
      if (readies++ === 0) void this.checkEvictionPolicy();
      else this.reconcileSoon(); // back after an outage, maybe empty
    });
    for (const q of QUEUES) {
      const queue = new Queue(q, { connection: this.producer, prefix: deps.config.redisPrefix });
      queue.on('error', throttledErrors(deps.log, `queue ${q}`));
      this.queues.set(q, queue);
    }
  }

  /** Evicting keys would drop jobs (and BullMQ's bookkeeping) silently. */
  private async checkEvictionPolicy() {
    try {
      const [, policy] = (await this.producer.config('GET', 'maxmemory-policy')) as string[];
      if (policy && policy !== 'noeviction')
        this.deps.log.warn({ policy }, 'Redis maxmemory-policy is not noeviction: Redis may evict queued jobs; set maxmemory-policy noeviction');
    } catch (err) {
      this.deps.log.debug({ err: (err as Error).message }, 'could not read Redis maxmemory-policy (CONFIG disabled?)');
    }
  }

  async start(opts: { workers: boolean }) {
    initReconciled(this.deps.db);
    if (opts.workers) {
      this.workerConn = new Redis(this.deps.config.redisUrl!, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
      this.workerConn.on('error', throttledErrors(this.deps.log, 'worker connection'));
      for (const q of QUEUES) {
        const w = new Worker(q, (job: Job) => this.process(job), {
          connection: this.workerConn,
          prefix: this.deps.config.redisPrefix,
          concurrency: q === 'deliver' ? DELIVER_CONCURRENCY : 4,
        });
        w.on('error', throttledErrors(this.deps.log, `worker ${q}`));
        w.on('failed', (job, err) => {
          if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
            this.deps.log.warn({ jobId: job.id, job: job.name, err: err.message }, 'job failed for good');
        });
        this.workers.push(w);
      }
    }
    this.reconcileAsked = true;
    this.pump.start(POLL_MS);
  }

  private async process(job: Job) {
    const def = this.registry.handlers.get(job.name);
    if (!def) throw new Error(`no handler for job ${job.name}`);
    const ctx = jobContext(this.deps, job.id!, job.attemptsMade + 1);
    await def.run(job.data, ctx);
    recordDone(ctx);
  }

  private async add(list: JobRequest[]) {
    const byQueue = new Map<QueueName, JobRequest[]>();
    for (const j of list) byQueue.set(j.queue, [...(byQueue.get(j.queue) ?? []), j]);
    for (const [q, js] of byQueue) {
      await this.queues.get(q)!.addBulk(
        js.map((j) => {
          const def = this.registry.handlers.get(j.name);
          return {
            name: j.name,
            data: j.payload,
            opts: {
              jobId: safeJobId(j.id),
              priority: j.priority ?? 5,
              attempts: def?.attempts ?? 5,
              backoff: { type: 'exponential', delay: def?.backoffMs ?? 1000 },
              removeOnComplete: { age: 86_400, count: 50_000 },
              removeOnFail: { age: 30 * 86_400 },
            },
          };
        }),
      );
    }
  }

  poke() {
    this.pump.poke();
  }

  private reconcileSoon() {
    this.reconcileAsked = true;
    this.pump.poke();
  }

  private async pass() {
    for (;;) {
      const from = checkpoint(this.deps.db);
      const b = nextBatch(this.deps, this.registry, from);
      if (b.count === 0) break;
      await this.add(b.jobs);
      inTx(this.deps.db, (tx) => {
        // Monotonic: several relays (API and worker processes) may run at once.
        if (checkpoint(tx) < b.to) setCheckpoint(tx, b.to);
      });
    }
    await this.sweep();
    if (this.reconcileAsked || Date.now() - this.lastReconcile >= RECONCILE_EVERY_MS) {
      this.reconcileAsked = false;
      this.lastReconcile = Date.now();
      this.readded = await this.reconcile();
    }
  }

  async sweep(): Promise<number> {
    const due = dueTimers(this.deps, this.registry);
    if (!due.length) return 0;
    await this.add(due.map((d) => d.job));
    const now = this.deps.clock.now();
    inTx(this.deps.db, (tx) => due.forEach((d) => markFired(tx, d.timer.id, now, false)));
    return due.length;
  }

  /**
   * One reconciler pass: of the derived jobs past the grace period and not done in SQLite, asks
   * Redis which it still holds (one pipeline: each job's hash, and whether it is in the failed
   * set). Held and unfinished — waiting, delayed or running: left alone (never run twice). Held
   * and failed for good: recorded in job_failures, not re-added. Held and completed (only a
   * worker that does not record its runs, i.e. an older version, leaves that): recorded in
   * job_runs. Not held: lost, re-added with its id. Returns how many it re-added.
   */
  async reconcile(): Promise<number> {
    const scan = scanUnreconciled(this.deps, this.registry, this.deps.config.reconcileGraceMs, safeJobId, this.resumeAt);
    this.resumeAt = scan.resumeAt;
    const lost: Unfinished[] = [];
    const finished = { failed: [] as string[], completed: [] as string[] };
    if (scan.unfinished.length) {
      const pipe = this.producer.pipeline();
      for (const u of scan.unfinished) {
        const q = this.queues.get(u.job.queue)!;
        pipe.hmget(q.toKey(safeJobId(u.job.id)), 'timestamp', 'finishedOn');
        pipe.zscore(q.toKey('failed'), safeJobId(u.job.id));
      }
      const replies = (await pipe.exec()) ?? [];
      const reply = (i: number) => {
        const [err, value] = replies[i] ?? [new Error('no reply from Redis')];
        if (err) throw err;
        return value;
      };
      scan.unfinished.forEach((u, i) => {
        const [created, finishedOn] = reply(2 * i) as (string | null)[];
        if (created === null) lost.push(u);
        else if (finishedOn !== null) finished[reply(2 * i + 1) === null ? 'completed' : 'failed'].push(safeJobId(u.job.id));
      });
    }
    if (lost.length) {
      await this.add(lost.map((u) => u.job));
      const oldest = Math.min(...lost.map((u) => Date.parse(u.since)));
      this.deps.log.warn({ count: lost.length, oldestAgeMs: this.deps.clock.now().getTime() - oldest }, 'reconciler re-added jobs Redis no longer held');
      if (scan.resumeAt !== null) this.reconcileAsked = true; // recovering: the next window on the next pass
    }
    recordReconciled(this.deps, scan, finished);
    return lost.length;
  }

  unreconciledAgeMs() {
    return oldestUnreconciledMs(this.deps, checkpoint(this.deps.db, RECONCILED));
  }

  async settle(timeoutMs = 20_000) {
    this.reconcileAsked = true;
    await settleLoop(
      this.pump,
      async () => {
        const readded = this.readded;
        this.reconcileAsked = true; // every round reconciles
        const relayed = checkpoint(this.deps.db) >= lastPosition(this.deps.db);
        const due = dueTimers(this.deps, this.registry, 1).length;
        let busy = 0;
        for (const q of this.queues.values()) {
          // A paused queue's jobs wait for an admin, not for the runtime.
          if (await q.isPaused()) continue;
          const c = await q.getJobCounts('waiting', 'active', 'prioritized', 'delayed', 'waiting-children');
          busy += Object.values(c).reduce((a, b) => a + b, 0);
        }
        return readded === 0 && relayed && due === 0 && busy === 0;
      },
      { timeoutMs, rounds: 2, pauseMs: 10 },
    );
  }

  async counts() {
    const out = {} as Record<QueueName, QueueCounts>;
    for (const [name, q] of this.queues) {
      const c = await q.getJobCounts('waiting', 'prioritized', 'paused', 'active', 'delayed', 'failed', 'completed');
      out[name] = {
        // A paused queue's jobs wait in BullMQ's `paused` list.
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
        completed: c.completed ?? 0,
      };
    }
    return out;
  }

  async failed(limit: number): Promise<FailedJob[]> {
    const all: FailedJob[] = [];
    for (const [name, q] of this.queues) {
      for (const j of await q.getFailed(0, limit - 1)) {
        all.push({
          id: j.id!,
          queue: name,
          name: j.name,
          attempts: j.attemptsMade,
          error: j.failedReason ?? null,
          failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
          payload: j.data,
        });
      }
    }
    return all.sort((a, b) => String(b.failedAt).localeCompare(String(a.failedAt))).slice(0, limit);
  }

  async retry(id: string) {
    for (const q of this.queues.values()) {
      const j = await q.getJob(id);
      if (j && (await j.isFailed())) {
        await j.retry('failed');
        return true;
      }
    }
    return false;
  }

  async pause(queue: QueueName) {
    await this.queues.get(queue)!.pause();
  }

  async resume(queue: QueueName) {
    await this.queues.get(queue)!.resume();
  }

  async paused() {
    const out: QueueName[] = [];
    for (const [name, q] of this.queues) if (await q.isPaused()) out.push(name);
    return out;
  }

  async healthy() {
    try {
      if (this.producer.status !== 'ready') {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('not connected')), 1000);
          this.producer.once('ready', () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return (await Promise.race([this.producer.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000))])) === 'PONG';
    } catch {
      return false;
    }
  }

  async close() {
    await this.pump.close();
    // Workers first (they finish their current job), then queues, then connections. Each step is
    // bounded: after a Redis restart a worker's blocking connection can fail to notice the close.
    await Promise.all(
      this.workers.map(async (w) => {
        if (!(await bounded(w.close(), 5_000))) void w.close(true).catch(() => {});
      }),
    );
    await Promise.all(
      [...this.queues.values()].map((q) =>
        bounded(
          q.close().catch(() => {}),
          3_000,
        ),
      ),
    );
    this.workerConn?.disconnect();
    this.producer.disconnect();
  }
}
