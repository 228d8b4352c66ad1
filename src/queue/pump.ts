/**
 * The one relay loop both runtimes use: `poke()` runs a pass now, or — when a pass is running —
 * once more after it, so writes never wait for a pass and passes never overlap. A timer pokes
 * too, so work that nobody poked for (a due deadline, a reconnect) is picked up.
 */
export class Pump {
  private running?: Promise<void>;
  private again = false;
  private closed = false;
  private interval?: NodeJS.Timeout;

  constructor(
    private pass: () => Promise<void>,
    private onError: (err: unknown) => void,
  ) {}

  start(pollMs: number) {
    this.interval = setInterval(() => this.poke(), pollMs);
    this.interval.unref();
    this.poke();
  }

  poke() {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      // Yield first: `running` must be set before any work, since a pass may poke (sweep does).
      await Promise.resolve();
      await this.pass();
    })()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Resolves when no pass runs, including the ones asked for meanwhile. */
  async idle() {
    while (this.running) await this.running;
  }

  async close() {
    this.closed = true;
    if (this.interval) clearInterval(this.interval);
    await this.idle();
  }
}

/**
 * Pokes, waits for the pass, and asks `quiet`; returns once it held `rounds` times in a row
 * (`pauseMs` apart), or throws after `timeoutMs`.
 */
export async function settleLoop(pump: Pump, quiet: () => boolean | Promise<boolean>, opts: { timeoutMs: number; rounds: number; pauseMs: number }) {
  const deadline = Date.now() + opts.timeoutMs;
  let held = 0;
  for (;;) {
    pump.poke();
    await pump.idle();
    held = (await quiet()) ? held + 1 : 0;
    if (held >= opts.rounds) return;
    if (Date.now() > deadline) throw new Error('runtime did not settle');
    if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
  }
}
