import { EventEmitter } from 'node:events';
import type { Deps } from '../deps.js';
import { lastEventPosition } from './feed.js';

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

  constructor(
    private deps: Pick<Deps, 'db'>,
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
      this.last = p;
      this.emit('position', p);
    }
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

/** The notifier registered by the events capability (for writers that want to wake streams now). */
export function eventNotifier(deps: Pick<Deps, 'services'>): EventNotifier | undefined {
  return deps.services.eventNotifier;
}
