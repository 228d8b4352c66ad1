import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { wasAssigned } from '../assignments/service.js';
import type { Category } from '../domain/index.js';
import { complaints, piiReads, type Channel, type ComplaintStatus } from './tables.js';
import type { ComplaintRow } from './service.js';
import { visibleWhere } from './visibility.js';
import { afterKey } from '../db/keyset.js';

export interface ComplaintFilter {
  status?: ComplaintStatus;
  category?: Category;
  channel?: Channel;
  side?: 'region' | 'corps';
  agencyCode?: string;
  teamId?: string;
  overdue?: boolean;
  duplicateOf?: string;
  receivedFrom?: string;
  receivedTo?: string;
  q?: string;
  /** Open311: several ids / statuses / creation window. */
  ids?: string[];
  statuses?: ComplaintStatus[];
  categories?: Category[];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Visible complaints matching the filter, newest first, keyset after (receivedAt, id). */
export function listComplaints(tx: Tx, p: Principal, f: ComplaintFilter, limit: number, after?: { c: string; i: string }) {
  const conds: (SQL | undefined)[] = [visibleWhere(tx, p)];
  if (f.status) conds.push(eq(complaints.status, f.status));
  if (f.statuses?.length) conds.push(inArray(complaints.status, f.statuses));
  if (f.ids?.length) conds.push(inArray(complaints.id, f.ids));
  if (f.category) conds.push(eq(complaints.category, f.category));
  if (f.categories?.length) conds.push(inArray(complaints.category, f.categories));
  if (f.channel) conds.push(eq(complaints.channel, f.channel));
  if (f.side) conds.push(eq(complaints.side, f.side));
  if (f.agencyCode) conds.push(eq(complaints.agencyCode, f.agencyCode));
  if (f.teamId) conds.push(wasAssigned(tx, 'complaint', complaints.id, { teamId: f.teamId }));
  if (f.overdue !== undefined) conds.push(eq(complaints.overdue, f.overdue));
  if (f.duplicateOf) conds.push(eq(complaints.duplicateOf, f.duplicateOf));
  if (f.receivedFrom) conds.push(gte(complaints.receivedAt, new Date(f.receivedFrom).toISOString()));
  if (f.receivedTo) conds.push(lt(complaints.receivedAt, new Date(f.receivedTo).toISOString()));
  if (f.q) {
    const pat = `%${escapeLike(f.q)}%`;
    conds.push(
      or(
        sql`${complaints.description} LIKE ${pat} ESCAPE '\\'`,
        sql`${complaints.address} LIKE ${pat} ESCAPE '\\'`,
        sql`${complaints.number} LIKE ${pat} ESCAPE '\\'`,
      ),
    );
  }
  if (after) conds.push(afterKey(complaints.receivedAt, complaints.id, { value: after.c, id: after.i }, 'desc'));
  return tx
    .select()
    .from(complaints)
    .where(and(...conds))
    .orderBy(desc(complaints.receivedAt), desc(complaints.id))
    .limit(limit)
    .all();
}

/** Complaints by number or id (Open311 names them either way). */
export function complaintsByNumberOrId(tx: Tx, refs: string[]): ComplaintRow[] {
  if (!refs.length) return [];
  return tx
    .select()
    .from(complaints)
    .where(or(inArray(complaints.number, refs), inArray(complaints.id, refs)))
    .all();
}

export function complaintByNumber(tx: Tx, number: string): ComplaintRow | undefined {
  return tx.select().from(complaints).where(eq(complaints.number, number)).get();
}

/** The audit of reporter-field reads, newest first. */
export function listPiiReads(tx: Tx, f: { complaintId?: string; keyId?: string }, limit: number, after?: { c: string; i: string }) {
  const conds: (SQL | undefined)[] = [];
  if (f.complaintId) conds.push(eq(piiReads.complaintId, f.complaintId));
  if (f.keyId) conds.push(eq(piiReads.keyId, f.keyId));
  conds.push(afterKey(piiReads.at, piiReads.id, after && { value: after.c, id: after.i }, 'desc'));
  return tx
    .select()
    .from(piiReads)
    .where(and(...conds))
    .orderBy(desc(piiReads.at), desc(piiReads.id))
    .limit(limit)
    .all();
}
