import { eq } from 'drizzle-orm';
import { sqliteOf, type Tx } from '../db/client.js';
import { timers } from './tables.js';
import type { TimerSpec } from './types.js';

/** Schedules (or re-schedules) a durable deadline in the caller's transaction. */
export function scheduleTimer(tx: Tx, t: TimerSpec): void {
  // On every create (deadlines): written out once rather than built per call (see sqliteOf).
  sqliteOf(tx).prepare(UPSERT_TIMER).run(t.id, t.name, JSON.stringify(t.payload), t.dueAt.toISOString());
}
const UPSERT_TIMER =
  'INSERT INTO timers (id, name, payload, due_at, fired_at, cancelled_at) VALUES (?, ?, ?, ?, NULL, NULL) ' +
  'ON CONFLICT (id) DO UPDATE SET name = excluded.name, payload = excluded.payload, due_at = excluded.due_at, fired_at = NULL, cancelled_at = NULL';

export function cancelTimer(tx: Tx, id: string, at: Date): void {
  tx.update(timers).set({ cancelledAt: at.toISOString() }).where(eq(timers.id, id)).run();
}

/** Schedules a timer unless one with this id exists already (a recurring timer seeded at start-up keeps its next run). */
export function ensureTimer(tx: Tx, t: TimerSpec): void {
  const row = { id: t.id, name: t.name, payload: t.payload, dueAt: t.dueAt.toISOString(), firedAt: null, cancelledAt: null };
  tx.insert(timers).values(row).onConflictDoNothing({ target: timers.id }).run();
}
