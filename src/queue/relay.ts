import { and, asc, eq, gt, isNull, lte, max } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { events } from '../events/schema.js';
import { checkpoints, timers } from './schema.js';
import type { Deps, JobRegistry, JobRequest } from './types.js';

export const RELAY = 'relay';
const BATCH = 500;

export function checkpoint(tx: Tx, name = RELAY): number {
  return tx.select().from(checkpoints).where(eq(checkpoints.name, name)).get()?.position ?? 0;
}

export function setCheckpoint(tx: Tx, position: number, name = RELAY) {
  tx.insert(checkpoints)
    .values({ name, position })
    .onConflictDoUpdate({ target: checkpoints.name, set: { position } })
    .run();
}

export function lastPosition(tx: Tx): number {
  return tx.select({ p: max(events.position) }).from(events).get()?.p ?? 0;
}

/** Jobs caused by the next batch of outbox events after `from`. */
export function nextBatch(deps: Deps, registry: JobRegistry, from: number) {
  const rows = deps.db.select().from(events).where(gt(events.position, from)).orderBy(asc(events.position)).limit(BATCH).all();
  const jobs: JobRequest[] = rows.flatMap((e) => registry.jobsFor(e, deps));
  return { jobs, to: rows.length ? rows[rows.length - 1].position : from, count: rows.length };
}

export function dueTimers(deps: Deps, registry: JobRegistry, limit = 500) {
  const now = deps.clock.now().toISOString();
  const rows = deps.db
    .select()
    .from(timers)
    .where(and(isNull(timers.firedAt), isNull(timers.cancelledAt), lte(timers.dueAt, now)))
    .orderBy(asc(timers.dueAt))
    .limit(limit)
    .all();
  return rows.map((t) => {
    const def = registry.handlers.get(t.name);
    if (!def) throw new Error(`timer ${t.id} names unknown job ${t.name}`);
    const job: JobRequest = { queue: def.queue, name: t.name, id: `timer-${t.id}-${t.dueAt.replace(/[:.]/g, '')}`, payload: t.payload, priority: 3 };
    return { timer: t, job };
  });
}

export function markFired(tx: Tx, id: string, at: Date) {
  tx.update(timers).set({ firedAt: at.toISOString() }).where(eq(timers.id, id)).run();
}

export const safeJobId = (s: string) => s.replace(/:/g, '_');
