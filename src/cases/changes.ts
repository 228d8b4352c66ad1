/**
 * Sync change log for field apps (GET /v1/cases?updatedSince=<cursor>).
 *
 * Every transaction that changes a case calls `recordChange` in the same transaction. The log keeps
 * one row per case — its latest change — under a global AUTOINCREMENT `seq` (older rows of that
 * case are deleted in the same transaction). SQLite has one writer at a time and seqs are handed
 * out under the write lock, so seqs become visible in increasing order: a reader that has seen
 * seq N will never later find a committed seq < N. A cursor is therefore just "the last seq I
 * have", and reading `seq > cursor ORDER BY seq` never skips a change and, because each case
 * appears once at its latest seq, never sends the same change twice.
 *
 * Cases that leave an agency's view (a transfer to another lead) are recorded in
 * case_former_agencies with the seq of the change that took them away; sync sends that agency a
 * tombstone `{ id, deleted: true }` for the case when its latest change is after the cursor and
 * the agency no longer sees it (and no tombstone when the client's cursor is already past it).
 */
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { caseAccess, caseChanges, caseCoHandling, caseFormerAgencies, cases } from './tables.js';

/** The case's fields that its case_co_handling and case_access rows keep a copy of (search filters, sort keys). */
export const caseCopy = (c: typeof cases.$inferSelect) => ({
  leadAgencyCode: c.leadAgencyCode,
  side: c.side,
  status: c.status,
  suspendedFrom: c.suspendedFrom,
  category: c.category,
  joint: c.joint,
  sourceId: c.sourceId,
  overdueAt: c.overdueAt,
  registeredAt: c.registeredAt,
  updatedAt: c.updatedAt,
});

/**
 * Records that the case changed; returns the new seq. Call it after the case row (and its
 * co-handling and access rows) are written in the transaction: it copies the lead agency into
 * the log, the case's fields and the seq into those rows, and the seq into its former-agency rows
 * (the indexes search and sync walk).
 */
export function recordChange(tx: Tx, caseId: string, at: string): number {
  const c = tx.select().from(cases).where(eq(cases.id, caseId)).get();
  if (!c) throw new Error(`case ${caseId} does not exist`);
  tx.delete(caseChanges).where(eq(caseChanges.caseId, caseId)).run();
  const seq = tx.insert(caseChanges).values({ caseId, at, leadAgencyCode: c.leadAgencyCode }).returning({ seq: caseChanges.seq }).get().seq;
  const copy = { ...caseCopy(c), changeSeq: seq };
  tx.update(caseCoHandling).set(copy).where(eq(caseCoHandling.caseId, caseId)).run();
  tx.update(caseAccess).set(copy).where(eq(caseAccess.caseId, caseId)).run();
  tx.update(caseFormerAgencies).set({ changeSeq: seq }).where(eq(caseFormerAgencies.caseId, caseId)).run();
  return seq;
}

/** Notes that `agencyCode` no longer sees the case through `relation` as of change `seq` (the case's latest). */
export function recordLeft(tx: Tx, caseId: string, agencyCode: string, relation: 'lead' | 'co_handling' | 'access', seq: number) {
  tx.insert(caseFormerAgencies)
    .values({ caseId, agencyCode, relation, leftSeq: seq, changeSeq: seq })
    .onConflictDoUpdate({
      target: [caseFormerAgencies.caseId, caseFormerAgencies.agencyCode, caseFormerAgencies.relation],
      set: { leftSeq: seq, changeSeq: seq },
    })
    .run();
}

/** A relation came back (e.g. transferred back): no tombstone for it any more. */
export function clearLeft(tx: Tx, caseId: string, agencyCode: string, relation: 'lead' | 'co_handling' | 'access') {
  tx.delete(caseFormerAgencies)
    .where(and(eq(caseFormerAgencies.caseId, caseId), eq(caseFormerAgencies.agencyCode, agencyCode), eq(caseFormerAgencies.relation, relation)))
    .run();
}

export const isSyncCursor = (v: any): v is { s: number } => v && typeof v === 'object' && Number.isSafeInteger(v.s) && v.s >= 0;
