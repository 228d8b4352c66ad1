import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { inTx } from '../db/client.js';
import { checkpoint, dueTimers, lastPosition, markFired, nextBatch, safeJobId, setCheckpoint } from './relay.js';
import { jobContext } from './context.js';
import { QUEUES, type FailedJob, type JobRegistry, type JobRequest, type QueueCounts, type QueueName, type Runtime } from './types.js';
import { type Deps } from '../deps.js';

const POLL_MS = 250;

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
 * the two re-adds the same ids, so nothing is lost or doubled. While Redis is down the relay
 * simply does not advance and the API keeps committing to SQLite.
 */
export class RedisRuntime implements Runtime {
  readonly mode = 'redis' as const;
  private producer: Redis;
  private workerConn?: Redis;
  readonly queues = new Map<QueueName, Queue>();
  private workers: Worker[] = [];
  private interval?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(
    private deps: Deps,
    private registry: JobRegistry,
  ) {
    const url = deps.config.redisUrl!;
    // Producer fails fast so an outage never hangs a request or the relay.
    this.producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.producer.on('error', () => {});
    for (const q of QUEUES) {
      const queue = new Queue(q, { connection: this.producer, prefix: deps.config.redisPrefix });
      queue.on('error', () => {});
      this.queues.set(q, queue);
    }
  }

  async start(opts: { workers: boolean }) {
    if (opts.workers) {
      this.workerConn = new Redis(this.deps.config.redisUrl!, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
      this.workerConn.on('error', () => {});
      for (const q of QUEUES) {
        const w = new Worker(q, (job: Job) => this.process(job), {
          connection: this.workerConn,
          prefix: this.deps.config.redisPrefix,
          concurrency: q === 'deliver' ? 16 : 4,
        });
        w.on('error', (err) => this.deps.log.debug({ err: err.message }, 'bullmq worker error'));
        w.on('failed', (job, err) => {
          if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) this.deps.log.warn({ jobId: job.id, job: job.name, err: err.message }, 'job failed for good');
        });
        this.workers.push(w);
      }
    }
    this.interval = setInterval(() => this.poke(), POLL_MS);
    this.interval.unref();
    this.poke();
  }

  private async process(job: Job) {
    const def = this.registry.handlers.get(job.name);
    if (!def) throw new Error(`no handler for job ${job.name}`);
    await def.run(job.data, jobContext(this.deps, job.id!, job.attemptsMade + 1));
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
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err) => this.deps.log.warn({ err: (err as Error).message }, 'relay could not reach Redis; will retry'))
      .finally(() => {
        this.pumping = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.poke();
        }
      });
  }

  private async pump() {
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
  }

  async sweep(): Promise<number> {
    const due = dueTimers(this.deps, this.registry);
    if (!due.length) return 0;
    await this.add(due.map((d) => d.job));
    const now = this.deps.clock.now();
    inTx(this.deps.db, (tx) => due.forEach((d) => markFired(tx, d.timer.id, now)));
    return due.length;
  }

  async settle(timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    for (;;) {
      this.poke();
      while (this.pumping) await this.pumping;
      const relayed = checkpoint(this.deps.db) >= lastPosition(this.deps.db);
      const due = dueTimers(this.deps, this.registry, 1).length;
      let busy = 0;
      for (const q of this.queues.values()) {
        const c = await q.getJobCounts('waiting', 'active', 'prioritized', 'delayed', 'waiting-children');
        busy += Object.values(c).reduce((a, b) => a + b, 0);
      }
      quiet = relayed && due === 0 && busy === 0 ? quiet + 1 : 0;
      if (quiet >= 2) return;
      if (Date.now() > deadline) throw new Error('runtime did not settle');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async counts() {
    const out = {} as Record<QueueName, QueueCounts>;
    for (const [name, q] of this.queues) {
      const c = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
      out[name] = { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, completed: c.completed ?? 0 };
    }
    return out;
  }

  async failed(limit: number): Promise<FailedJob[]> {
    const all: FailedJob[] = [];
    for (const [name, q] of this.queues) {
      for (const j of await q.getFailed(0, limit - 1)) {
        all.push({ id: j.id!, queue: name, name: j.name, attempts: j.attemptsMade, error: j.failedReason ?? null, failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null, payload: j.data });
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
    this.closed = true;
    if (this.interval) clearInterval(this.interval);
    while (this.pumping) await this.pumping.catch(() => {});
    // Workers first (they finish their current job), then queues, then connections. Each step is
    // bounded: after a Redis restart a worker's blocking connection can fail to notice the close.
    await Promise.all(
      this.workers.map(async (w) => {
        if (!(await bounded(w.close(), 5_000))) void w.close(true).catch(() => {});
      }),
    );
    await Promise.all([...this.queues.values()].map((q) => bounded(q.close().catch(() => {}), 3_000)));
    this.workerConn?.disconnect();
    this.producer.disconnect();
  }
}
