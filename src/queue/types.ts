import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { StoredEvent } from '../outbox/index.js';

/**
 * Queues: one for routing, one per side for the work that lands on a side's teams (so each side's
 * workers can be scaled and paused independently), notifications, webhook delivery, deadlines.
 */
export const QUEUES = ['route', 'work-region', 'work-corps', 'notify', 'deliver', 'deadline'] as const;
export type QueueName = (typeof QUEUES)[number];
export const sideQueue = (side: string | null | undefined): QueueName => (side === 'corps' ? 'work-corps' : 'work-region');

export interface JobRequest {
  queue: QueueName;
  name: string;
  /** Derived from the causing event/timer id so duplicates collapse. No ':' (BullMQ). */
  id: string;
  payload: unknown;
  /** 1 = most urgent; default 5. */
  priority?: number;
}

export interface JobContext {
  jobId: string;
  attempt: number;
  deps: Deps;
  /**
   * Runs `fn` in one transaction at most once per job id (the job id is recorded with the
   * effects), so a retried or duplicated job changes nothing twice.
   */
  once: (fn: (tx: Tx) => void) => boolean;
}

/** A job handler: `P` is the payload its jobs carry (what the reactor or timer that made them put in). */
export interface HandlerDef<P = unknown> {
  queue: QueueName;
  run: (payload: P, ctx: JobContext) => void | Promise<void>;
  /** Attempts before the job goes to the dead-letter list (default 5). */
  attempts?: number;
  /** Base of the exponential backoff between attempts (default 1000 ms). */
  backoffMs?: number;
}

/** Maps an outbox event to the jobs it causes. Pure: runs in the relay. */
export type Reactor = (event: StoredEvent, deps: Deps) => JobRequest[];

export class JobRegistry {
  // Payload types are checked where each handler is registered; the registry only routes by name.
  readonly handlers = new Map<string, HandlerDef<any>>();
  /** Reactors by the event type they handle; `*` for those that look at every event (webhook fan-out). */
  private readonly reactors = new Map<string, Reactor[]>();
  handle<P>(name: string, def: HandlerDef<P>): this {
    if (this.handlers.has(name)) throw new Error(`job handler ${name} registered twice`);
    this.handlers.set(name, def);
    return this;
  }
  /** Registers a reactor for the event types it handles (so the relay never asks it about others). */
  react(types: readonly string[] | '*', r: Reactor): this {
    for (const t of types === '*' ? ['*'] : types) this.reactors.set(t, [...(this.reactors.get(t) ?? []), r]);
    return this;
  }
  jobsFor(event: StoredEvent, deps: Deps): JobRequest[] {
    const rs = [...(this.reactors.get(event.type) ?? []), ...(this.reactors.get('*') ?? [])];
    return rs.flatMap((r) => r(event, deps));
  }
}

export interface FailedJob {
  id: string;
  queue: QueueName;
  name: string;
  attempts: number;
  error: string | null;
  failedAt: string | null;
  payload: unknown;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** The job bus: BullMQ on Redis, or the embedded SQLite runner. Same handlers either way. */
export interface Runtime {
  readonly mode: 'embedded' | 'redis';
  /** Starts the outbox relay, the deadline sweeper and (if `workers`) the workers. */
  start(opts: { workers: boolean }): Promise<void>;
  close(): Promise<void>;
  poke(): void;
  /** Fires due timers now (tests call it after moving the clock). */
  sweep(): Promise<number>;
  /** Resolves when the outbox is relayed, no timer is due and no job is ready or running. */
  settle(timeoutMs?: number): Promise<void>;
  counts(): Promise<Record<QueueName, QueueCounts>>;
  failed(limit: number): Promise<FailedJob[]>;
  retry(id: string): Promise<boolean>;
  /**
   * Stops handing out the queue's jobs (running ones finish); they wait, and run after resume().
   * Kept across restarts (Redis: BullMQ's paused flag; embedded: a row in SQLite).
   */
  pause(queue: QueueName): Promise<void>;
  resume(queue: QueueName): Promise<void>;
  paused(): Promise<QueueName[]>;
  /** Redis reachable (always true when embedded). */
  healthy(): Promise<boolean>;
  /**
   * Age (ms) of the oldest outbox event or fired timer whose derived work is not yet known to be
   * safe (done, or committed with it in SQLite); null when there is none.
   */
  unreconciledAgeMs(): number | null;
}

/** Deadlines: a timer row written in the caller's transaction; fires as job `name` on `queue`. */
export interface TimerSpec {
  id: string;
  name: string;
  dueAt: Date;
  payload: unknown;
}
