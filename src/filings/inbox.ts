/**
 * The inbox queries behind /v1/inbox (the items themselves are written by src/notifications) and
 * the filing-specific status updates of a filing's and an information request's items.
 */
import { and, desc, eq, isNull, isNotNull, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import { inboxItems, type InboxKind, type InboxStatus } from '../notifications/tables.js';

import type { InboxRow } from '../notifications/index.js';
import { afterKey } from '../db/keyset.js';

/** Keeps the inbox item of a filing in step with the filing's status. */
export function setFilingItemStatus(tx: Tx, filingId: string, status: InboxStatus) {
  tx.update(inboxItems)
    .set({ status })
    .where(and(eq(inboxItems.filingId, filingId), eq(inboxItems.kind, 'filing')))
    .run();
}

/** Marks the inbox item of an information request answered. */
export function setQuestionItemAnswered(tx: Tx, questionId: string) {
  tx.update(inboxItems)
    .set({ status: 'answered' })
    .where(and(eq(inboxItems.refId, questionId), eq(inboxItems.kind, 'info_request')))
    .run();
}

export interface InboxQuery {
  kind?: InboxKind;
  status?: InboxStatus;
  unread?: boolean;
  limit: number;
  after?: { c: string; i: string };
}

/** An agency's items, newest first (keyset on createdAt, id). */
export function listInbox(tx: Tx, agencyCode: string, q: InboxQuery): InboxRow[] {
  const conds: (SQL | undefined)[] = [eq(inboxItems.agencyCode, agencyCode)];
  if (q.kind) conds.push(eq(inboxItems.kind, q.kind));
  if (q.status) conds.push(eq(inboxItems.status, q.status));
  if (q.unread === true) conds.push(isNull(inboxItems.readAt));
  if (q.unread === false) conds.push(isNotNull(inboxItems.readAt));
  if (q.after) conds.push(afterKey(inboxItems.createdAt, inboxItems.id, { value: q.after.c, id: q.after.i }, 'desc'));
  return tx
    .select()
    .from(inboxItems)
    .where(and(...conds))
    .orderBy(desc(inboxItems.createdAt), desc(inboxItems.id))
    .limit(q.limit)
    .all();
}

export function getInboxItem(tx: Tx, id: string): InboxRow | undefined {
  return tx.select().from(inboxItems).where(eq(inboxItems.id, id)).get();
}

/** Marks an item read (the first read stays recorded). */
export function markRead(tx: Tx, clock: Clock, item: InboxRow, keyId: string): InboxRow {
  if (item.readAt) return item;
  return tx.update(inboxItems).set({ readAt: clock.now().toISOString(), readBy: keyId }).where(eq(inboxItems.id, item.id)).returning().get();
}

/** API link of a subject path (`cases/<id>` → `/v1/cases/<id>`). */
export const linkOf = (subject: string) => `/v1/${subject}`;

export function publicInboxItem(r: InboxRow) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    agencyCode: r.agencyCode,
    subject: r.subject,
    link: linkOf(r.subject),
    filingId: r.filingId,
    notificationKind: r.notificationKind,
    message: r.message,
    data: r.data,
    createdAt: r.createdAt,
    read: r.readAt !== null,
    readAt: r.readAt,
    readBy: r.readBy,
  };
}
