/**
 * Read access for agencies outside the case's hierarchy (cross-filing: 互相备案). Call inside the
 * transaction that receives the filing:
 *
 *   grantCaseAccess(tx, clock, { caseId, agencyCode, reason: `filing:${filingId}` })
 *
 * It inserts the case_access row (idempotent; with a copy of the case's fields for search),
 * records a timeline entry, and writes the sync change log so the agency's field apps pick the
 * case up with `updatedSince`.
 */
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import { caseAccess, cases } from './tables.js';
import { caseCopy, clearLeft, recordChange, recordLeft } from './changes.js';
import { appendTimeline, SYSTEM, type Actor } from './timeline.js';

export function grantCaseAccess(tx: Tx, clock: Clock, g: { caseId: string; agencyCode: string; reason: string }, actor: Actor = SYSTEM): boolean {
  const c = tx.select().from(cases).where(eq(cases.id, g.caseId)).get();
  if (!c) throw new Error(`case ${g.caseId} does not exist`);
  const at = clock.now().toISOString();
  const r = tx
    .insert(caseAccess)
    .values({ caseId: g.caseId, agencyCode: g.agencyCode, reason: g.reason, createdAt: at, ...caseCopy(c) })
    .onConflictDoNothing()
    .run();
  if (r.changes === 0) return false;
  clearLeft(tx, g.caseId, g.agencyCode, 'access');
  appendTimeline(tx, g.caseId, 'change', at, actor, { action: 'access_granted', agencyCode: g.agencyCode, reason: g.reason });
  recordChange(tx, g.caseId, at);
  return true;
}

/** Withdraws access; the agency's apps get a tombstone on their next sync. */
export function revokeCaseAccess(tx: Tx, clock: Clock, g: { caseId: string; agencyCode: string }, actor: Actor = SYSTEM): boolean {
  const r = tx
    .delete(caseAccess)
    .where(and(eq(caseAccess.caseId, g.caseId), eq(caseAccess.agencyCode, g.agencyCode)))
    .run();
  if (r.changes === 0) return false;
  const at = clock.now().toISOString();
  appendTimeline(tx, g.caseId, 'change', at, actor, { action: 'access_revoked', agencyCode: g.agencyCode });
  recordLeft(tx, g.caseId, g.agencyCode, 'access', recordChange(tx, g.caseId, at));
  return true;
}
