/** For other capabilities: measures and fines of a set of cases (a joint operation's summary), time-bounded read grants. */
import { and, eq, inArray } from 'drizzle-orm';
import { addSubjectAudience, removeSubjectAudience } from '../outbox/index.js';
import type { Tx } from '../db/client.js';
import { caseMeasures, caseReadGrants } from './tables.js';

export interface MeasureTotals {
  /** Measures taken (active or lifted), by type. */
  measures: number;
  byType: Record<string, number>;
  /** Fines and daily continuous penalties, and their total in fen. */
  fines: number;
  fineTotalFen: number;
}

export function measureTotals(tx: Tx, caseIds: string[]): MeasureTotals {
  const out: MeasureTotals = { measures: 0, byType: {}, fines: 0, fineTotalFen: 0 };
  if (!caseIds.length) return out;
  const rows = tx
    .select({ type: caseMeasures.type, amountFen: caseMeasures.amountFen })
    .from(caseMeasures)
    .where(inArray(caseMeasures.caseId, [...new Set(caseIds)]))
    .all();
  for (const r of rows) {
    out.measures++;
    out.byType[r.type] = (out.byType[r.type] ?? 0) + 1;
    if (r.type === 'fine' || r.type === 'daily_penalty') {
      out.fines++;
      out.fineTotalFen += r.amountFen ?? 0;
    }
  }
  return out;
}

/** Read access (GET) to cases for the inspectors of these teams until `until` (revoked by `revokeCaseReads`). */
export function grantCaseReads(tx: Tx, g: { caseId: string; teamIds: string[]; grantedBy: string; until: string; at: string }): void {
  for (const teamId of new Set(g.teamIds)) {
    tx.insert(caseReadGrants).values({ caseId: g.caseId, teamId, grantedBy: g.grantedBy, until: g.until, createdAt: g.at }).onConflictDoNothing().run();
    // The team now GETs the case: it sees the case's events too (emitCase addresses later ones to it).
    addSubjectAudience(tx, `cases/${g.caseId}`, `team:${teamId}`);
  }
}

/** Ends every grant of one owner; returns how many. */
export function revokeCaseReads(tx: Tx, grantedBy: string): number {
  const ended = tx.delete(caseReadGrants).where(eq(caseReadGrants.grantedBy, grantedBy)).returning().all();
  for (const g of ended) {
    const still = tx
      .select({ t: caseReadGrants.teamId })
      .from(caseReadGrants)
      .where(and(eq(caseReadGrants.caseId, g.caseId), eq(caseReadGrants.teamId, g.teamId)))
      .get();
    // Case events are addressed to agencies; `team:` keys on them come only from grants.
    if (!still) removeSubjectAudience(tx, `cases/${g.caseId}`, `team:${g.teamId}`);
  }
  return ended.length;
}
