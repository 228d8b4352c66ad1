import { and, asc, eq, gt, isNull, lte, max, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { events } from '../outbox/tables.js';
import { checkpoints, timers } from './tables.js';
import type { Deps } from '../deps.js';
import type { JobRegistry, JobRequest } from './types.js';

export const RELAY = 'relay';
const BATCH = 500;

/**
 * The relay's polling statements, built once per database: they run on every poke (after each
 * write and each delivery), and drizzle's per-call SQL build costs ~30× running them.
 */
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
const prepare = (db: Db) => {
  const P = sql.placeholder;
  return {
    checkpoint: db
      .select()
      .from(checkpoints)
      .where(eq(checkpoints.name, P('name')))
      .prepare(),
    after: db
      .select()
      .from(events)
      .where(gt(events.position, P('from')))
      .orderBy(asc(events.position))
      .limit(BATCH)
      .prepare(),
    due: db
      .select()
      .from(timers)
      .where(and(isNull(timers.firedAt), isNull(timers.cancelledAt), lte(timers.dueAt, P('now'))))
      .orderBy(asc(timers.dueAt))
      .limit(P('limit'))
      .prepare(),
  };
};
function statements(db: Db) {
  let q = prepared.get(db);
  if (!q) prepared.set(db, (q = prepare(db)));
  return q;
}

export function checkpoint(tx: Tx, name = RELAY): number {
  // The database handle itself (not a transaction object) may use the prepared statement.
  const q = prepared.get(tx as Db);
  if (q) return q.checkpoint.get({ name })?.position ?? 0;
  return tx.select().from(checkpoints).where(eq(checkpoints.name, name)).get()?.position ?? 0;
}

export function setCheckpoint(tx: Tx, position: number, name = RELAY) {
  tx.insert(checkpoints).values({ name, position }).onConflictDoUpdate({ target: checkpoints.name, set: { position } }).run();
}

export function lastPosition(tx: Tx): number {
  return (
    tx
      .select({ p: max(events.position) })
      .from(events)
      .get()?.p ?? 0
  );
}

/** Jobs caused by the next batch of outbox events after `from`. */
export function nextBatch(deps: Deps, registry: JobRegistry, from: number) {
  const rows = statements(deps.db).after.all({ from });
  const jobs: JobRequest[] = rows.flatMap((e) => registry.jobsFor(e, deps));
  return { jobs, to: rows.length ? rows[rows.length - 1].position : from, count: rows.length };
}

export function dueTimers(deps: Deps, registry: JobRegistry, limit = 500) {
  const now = deps.clock.now().toISOString();
  const rows = statements(deps.db).due.all({ now, limit });
  return rows.map((t) => ({ timer: t, job: timerJob(registry, t) }));
}

/** The job a timer fires: its id derives from the timer id and due time (a re-scheduled timer fires anew). */
export function timerJob(registry: JobRegistry, t: Pick<typeof timers.$inferSelect, 'id' | 'name' | 'payload' | 'dueAt'>): JobRequest {
  const def = registry.handlers.get(t.name);
  if (!def) throw new Error(`timer ${t.id} names unknown job ${t.name}`);
  return { queue: def.queue, name: t.name, id: `timer-${t.id}-${t.dueAt.replace(/[:.]/g, '')}`, payload: t.payload, priority: 3 };
}

/** `reconciled`: the job was committed with the firing (embedded), so the reconciler can skip it. */
export function markFired(tx: Tx, id: string, at: Date, reconciled: boolean) {
  const firedAt = at.toISOString();
  tx.update(timers)
    .set({ firedAt, reconciledAt: reconciled ? firedAt : null })
    .where(eq(timers.id, id))
    .run();
}

export const safeJobId = (s: string) => s.replace(/:/g, '_');
