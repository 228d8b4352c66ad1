/**
 * Per-agency inboxes: filings received, notifications (通报) and information requests.
 *
 * Items are written in the transaction that causes them: a filing's item when the filing is made,
 * a notification's item by notify() (src/assignments/notify.ts) for every notification with an
 * agency, an information request's item when it is asked. This module imports only tables, so
 * notify() can use it without a dependency cycle.
 */
import { and, desc, eq, isNull, isNotNull, lt, or, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import { inboxItems, type InboxKind, type InboxStatus } from './schema.js';

export type InboxRow = typeof inboxItems.$inferSelect;

export interface NewInboxItem {
  agencyCode: string;
  kind: InboxKind;
  status: InboxStatus;
  subject: string;
  message: string;
  filingId?: string | null;
  refId?: string | null;
  notificationKind?: string | null;
  data?: Record<string, unknown>;
}

export function addInboxItem(tx: Tx, clock: Clock, item: NewInboxItem): InboxRow {
  return tx
    .insert(inboxItems)
    .values({
      id: newId(),
      agencyCode: item.agencyCode,
      kind: item.kind,
      status: item.status,
      subject: item.subject,
      filingId: item.filingId ?? null,
      refId: item.refId ?? null,
      notificationKind: item.notificationKind ?? null,
      message: item.message,
      data: item.data ?? {},
      createdAt: clock.now().toISOString(),
      readAt: null,
      readBy: null,
    })
    .returning()
    .get();
}

/** Called by notify() for a notification addressed to an agency (its supervisors). */
export function addNotificationItem(
  tx: Tx,
  clock: Clock,
  n: { id: string; agencyCode: string; kind: string; subject: string; message: string; data?: Record<string, unknown> },
): InboxRow {
  const filingId = n.subject.startsWith('filings/') ? n.subject.slice('filings/'.length) : null;
  return addInboxItem(tx, clock, {
    agencyCode: n.agencyCode,
    kind: 'notification',
    status: 'info',
    subject: n.subject,
    message: n.message,
    filingId,
    refId: n.id,
    notificationKind: n.kind,
    data: n.data ?? {},
  });
}

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
  if (q.after)
    conds.push(or(lt(inboxItems.createdAt, q.after.c), and(eq(inboxItems.createdAt, q.after.c), lt(inboxItems.id, q.after.i))));
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
  return tx
    .update(inboxItems)
    .set({ readAt: clock.now().toISOString(), readBy: keyId })
    .where(eq(inboxItems.id, item.id))
    .returning()
    .get();
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
