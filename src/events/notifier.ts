import { EventEmitter } from 'node:events';
import { and, asc, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { Deps } from '../deps.js';
import { eventAudience, events } from '../outbox/tables.js';
import type { StoredEvent } from '../outbox/index.js';
import { lastEventPosition } from './feed.js';

/**
 * New events handed to every live stream at once: read once (events by position, audience rows
 * for the keys the streams hold — on the (key, position) primary key), filtered per stream.
 */
export interface FreshEvents {
  /** Exactly the events with from < position ≤ to, in position order. */
  from: number;
  to: number;
  rows: { ev: StoredEvent; keys: Set<string>; frame?: string }[];
}
/** Larger growth is left to each stream's own paged read (a burst: streams read at their pace). */
const FRESH_MAX = 500;

/**
 * Wakes live consumers (SSE streams) when the outbox grows. Emits `position` (the new max
 * position) at most once per change. It polls max(position) — one indexed read of a prepared
 * statement, a few µs — every `pollMs` while anyone listens, so events written by other processes
 * (a separate worker, a second API instance) are seen too; writers in this process may call
 * `check()` to skip the wait. The poll interval is the stream's latency floor (half of it on
 * average), hence 25 ms rather than 100.
 */
declare module '../deps.js' {
  interface Services {
    /** Wakes SSE streams when events commit (set by the events capability). */
    eventNotifier?: EventNotifier;
  }
}

export class EventNotifier extends EventEmitter {
  private last = 0;
  private timer?: NodeJS.Timeout;
  /** Audience keys of the open streams (counted), for the shared read. */
  private keys = new Map<string, number>();

  /** The last position announced: every event up to it is committed. */
  get position() {
    return this.last;
  }

  /** A stream's keys, while it is open: its events are among those the shared read fetches. */
  holdKeys(keys: string[] | 'all'): () => void {
    if (keys === 'all') return () => {};
    for (const k of keys) this.keys.set(k, (this.keys.get(k) ?? 0) + 1);
    return () => {
      for (const k of keys) {
        const n = (this.keys.get(k) ?? 1) - 1;
        if (n) this.keys.set(k, n);
        else this.keys.delete(k);
      }
    };
  }

  constructor(
    private deps: { db: Db },
    private pollMs = 25,
  ) {
    super();
    this.setMaxListeners(0);
    this.on('newListener', (name) => {
      if (name === 'position') this.ensurePolling();
    });
    this.on('removeListener', () => {
      if (this.listenerCount('position') === 0) this.stop();
    });
  }

  /** Looks at the outbox now; emits `position` if it grew. */
  check(): void {
    let p: number;
    try {
      p = lastEventPosition(this.deps.db);
    } catch {
      return; // database closed during shutdown
    }
    if (p > this.last) {
      const from = this.last;
      this.last = p;
      let fresh: FreshEvents | undefined;
      try {
        fresh = p - from <= FRESH_MAX && this.listenerCount('position') > 1 ? this.read(from, p) : undefined;
      } catch {
        fresh = undefined; // each stream reads for itself
      }
      this.emit('position', p, fresh);
    }
  }

  private stmts?: ReturnType<typeof prepareFresh>;
  private read(from: number, to: number): FreshEvents {
    const q = (this.stmts ??= prepareFresh(this.deps.db));
    const keys = new Map<number, Set<string>>();
    if (this.keys.size)
      for (const a of q.audience(from, to, [...this.keys.keys()])) {
        let k = keys.get(a.position);
        if (!k) keys.set(a.position, (k = new Set()));
        k.add(a.key);
      }
    return { from, to, rows: q.events.all({ from, to }).map((ev) => ({ ev, keys: keys.get(ev.position) ?? new Set() })) };
  }

  private ensurePolling() {
    if (this.timer) return;
    try {
      this.last = Math.max(this.last, lastEventPosition(this.deps.db));
    } catch {
      // ignore
    }
    this.timer = setInterval(() => this.check(), this.pollMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function prepareFresh(db: Db) {
  const P = sql.placeholder;
  return {
    events: db
      .select()
      .from(events)
      .where(and(gt(events.position, P('from')), lte(events.position, P('to'))))
      .orderBy(asc(events.position))
      .prepare(),
    /** Built per call: the key list varies; a few hundred keys at most (one per open stream's scope). */
    audience: (from: number, to: number, keys: string[]) =>
      db
        .select({ position: eventAudience.position, key: eventAudience.key })
        .from(eventAudience)
        .where(and(inArray(eventAudience.key, keys), gt(eventAudience.position, from), lte(eventAudience.position, to)))
        .all(),
  };
}

/** The notifier registered by the events capability (for writers that want to wake streams now). */
export function eventNotifier(deps: Pick<Deps, 'services'>): EventNotifier | undefined {
  return deps.services.eventNotifier;
}
