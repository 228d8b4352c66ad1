/**
 * The case timeline: append-only, hash-chained. Entry n carries prevHash = hash of entry n−1
 * (GENESIS for the first) and hash = sha256(prevHash + canonical JSON of the entry), where the
 * entry is { caseId, seq, kind, at, actor, actorAgencyCode, data } with keys sorted at every
 * level. Altering, inserting or deleting an entry breaks the chain at that point.
 */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { caseTimeline } from './tables.js';
import { canonicalJson } from '../json.js';

export const GENESIS = '0'.repeat(64);

export type TimelineRow = typeof caseTimeline.$inferSelect;
export type TimelineKind = TimelineRow['kind'];

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function entryHash(prevHash: string, e: Pick<TimelineRow, 'caseId' | 'seq' | 'kind' | 'at' | 'actor' | 'actorAgencyCode' | 'data'>): string {
  return sha256(
    prevHash + canonicalJson({ caseId: e.caseId, seq: e.seq, kind: e.kind, at: e.at, actor: e.actor, actorAgencyCode: e.actorAgencyCode, data: e.data }),
  );
}

export interface Actor {
  keyId: string | null;
  agencyCode: string | null;
}

export const SYSTEM: Actor = { keyId: null, agencyCode: null };

/** Appends one entry in the caller's transaction (which holds the write lock). */
export function appendTimeline(tx: Tx, caseId: string, kind: TimelineKind, at: string, actor: Actor, data: Record<string, unknown>): TimelineRow {
  const last = tx
    .select({ seq: caseTimeline.seq, hash: caseTimeline.hash })
    .from(caseTimeline)
    .where(eq(caseTimeline.caseId, caseId))
    .orderBy(desc(caseTimeline.seq))
    .limit(1)
    .get();
  const prevHash = last?.hash ?? GENESIS;
  // Normalise through JSON so what is hashed is exactly what is stored and read back.
  const stored = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  const entry = { caseId, seq: (last?.seq ?? 0) + 1, kind, at, actor: actor.keyId, actorAgencyCode: actor.agencyCode, data: stored };
  return tx
    .insert(caseTimeline)
    .values({ ...entry, prevHash, hash: entryHash(prevHash, entry) })
    .returning()
    .get();
}

export interface VerifyResult {
  valid: boolean;
  entries: number;
  /** seq of the first entry whose link or hash does not check out. */
  firstBrokenAt?: number;
  reason?: string;
}

/** Recomputes the chain from the first entry. */
export function verifyTimeline(tx: Tx, caseId: string): VerifyResult {
  const rows = tx.select().from(caseTimeline).where(eq(caseTimeline.caseId, caseId)).orderBy(asc(caseTimeline.seq)).all();
  let prev = GENESIS;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const broken = (reason: string): VerifyResult => ({ valid: false, entries: rows.length, firstBrokenAt: r.seq, reason });
    if (r.seq !== i + 1) return broken(`entry ${i + 1} is missing`);
    if (r.prevHash !== prev) return broken('prevHash does not match the previous entry');
    if (entryHash(prev, r) !== r.hash) return broken('hash does not match the entry content');
    prev = r.hash;
  }
  return { valid: true, entries: rows.length };
}

/** A page of a case's timeline after sequence `afterSeq`, oldest first. */
export function timelinePage(tx: Tx, caseId: string, afterSeq: number, limit: number): TimelineRow[] {
  return tx
    .select()
    .from(caseTimeline)
    .where(and(eq(caseTimeline.caseId, caseId), gt(caseTimeline.seq, afterSeq)))
    .orderBy(asc(caseTimeline.seq))
    .limit(limit)
    .all();
}
