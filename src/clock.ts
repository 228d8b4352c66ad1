/** Every rule that depends on "now" takes a Clock; tests move a FakeClock instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-03-02T02:00:00.000Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
  advanceHours(h: number): void {
    this.advance(h * 3_600_000);
  }
  advanceDays(d: number): void {
    this.advance(d * 86_400_000);
  }
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
