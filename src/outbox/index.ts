import { and, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { sqliteOf, type Tx } from '../db/client.js';
import { events, eventAudience } from './tables.js';
import { newId } from '../ids.js';
import type { Clock } from '../clock.js';

export interface DomainEvent {
  type: string;
  /** e.g. `complaints/<id>`, `cases/<id>`, `assignments/<id>`, `filings/<id>` */
  subject: string;
  data: Record<string, unknown>;
  /** Owning side and agency of the subject; drive visibility and the CloudEvents extensions. */
  side?: string | null;
  agencyCode?: string | null;
  category?: string | null;
  /** The acting agency, for `source`; defaults to the owning agency. */
  actorAgencyCode?: string | null;
  /** Extra audience beyond side/agency: `agency:<code>` (co-handling, filed-to), `team:<id>`. */
  audience?: string[];
  /**
   * The resource kind partners read these events as (e.g. `complaints`): every side/agency/team
   * key is also written qualified by it (`complaints@side:region`), plus `complaints@*`, so a
   * partner's audience (side, agency subtree, all) reaches exactly the kinds its scopes allow.
   * Keys `key:<id>` (a key's own resources) are not qualified.
   */
  readableAs?: string;
}

export type StoredEvent = typeof events.$inferSelect;

/**
 * Appends a domain event in the caller's transaction (the transactional outbox): if the change
 * rolls back, so does the event. The per-subject sequence is max+1 under the write lock.
 */
// The outbox append runs on every write: its three statements are written out (see sqliteOf).
const LAST_SEQUENCE = 'SELECT sequence AS s FROM events WHERE subject = ? ORDER BY sequence DESC LIMIT 1';
const INSERT_EVENT = 'INSERT INTO events (id, type, subject, sequence, time, source, side, agency_code, category, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_AUDIENCE = 'INSERT INTO event_audience (key, position) VALUES (?, ?)';

export function appendEvent(tx: Tx, clock: Clock, e: DomainEvent): StoredEvent {
  assertNoReporterData(e.data);
  const db = sqliteOf(tx);
  const last = db.prepare(LAST_SEQUENCE).get(e.subject) as { s: number } | undefined;
  const actor = e.actorAgencyCode ?? e.agencyCode ?? 'center';
  const row: StoredEvent = {
    position: 0,
    id: newId(),
    type: e.type,
    subject: e.subject,
    sequence: (last?.s ?? 0) + 1,
    time: clock.now().toISOString(),
    source: `/enforcement/agencies/${actor}`,
    side: e.side ?? null,
    agencyCode: e.agencyCode ?? null,
    category: e.category ?? null,
    data: e.data,
  };
  row.position = Number(
    db
      .prepare(INSERT_EVENT)
      .run(row.id, row.type, row.subject, row.sequence, row.time, row.source, row.side, row.agencyCode, row.category, JSON.stringify(row.data)).lastInsertRowid,
  );
  const keys = new Set<string>(e.audience ?? []);
  if (e.side) keys.add(`side:${e.side}`);
  if (e.agencyCode) keys.add(`agency:${e.agencyCode}`);
  if (e.readableAs) {
    for (const k of [...keys]) if (!k.startsWith('key:')) keys.add(`${e.readableAs}@${k}`);
    keys.add(`${e.readableAs}@*`);
  }
  const audience = db.prepare(INSERT_AUDIENCE);
  for (const key of keys) audience.run(key, row.position);
  return row;
}

/**
 * Widens or narrows who sees a subject's events already written, when who may GET the subject
 * changes later (a time-bounded read grant): a caller sees an event iff it may GET its subject.
 */
export function addSubjectAudience(tx: Tx, subject: string, key: string): void {
  tx.run(sql`INSERT OR IGNORE INTO event_audience (key, position) SELECT ${key}, position FROM events WHERE subject = ${subject}`);
}
export function removeSubjectAudience(tx: Tx, subject: string, key: string): void {
  tx.run(sql`DELETE FROM event_audience WHERE key = ${key} AND position IN (SELECT position FROM events WHERE subject = ${subject})`);
}

export function eventsForSubject(tx: Tx, subject: string): StoredEvent[] {
  return tx
    .select()
    .from(events)
    .where(and(eq(events.subject, subject)))
    .orderBy(events.sequence)
    .all();
}

/**
 * Keys that hold reporter personal data (or the reporter's query code). An event carrying one is
 * a bug: appendEvent throws, so the whole change rolls back instead of publishing it.
 */
export const FORBIDDEN_EVENT_KEYS = new Set([
  'reporter',
  'reportername',
  'reporterphone',
  'reporteremail',
  'phone',
  'mobile',
  'email',
  'idnumber',
  'idcard',
  'querycode',
]);

export function assertNoReporterData(data: unknown, path = 'data'): void {
  if (Array.isArray(data)) return data.forEach((v, i) => assertNoReporterData(v, `${path}[${i}]`));
  if (!data || typeof data !== 'object') return;
  for (const [k, v] of Object.entries(data)) {
    if (FORBIDDEN_EVENT_KEYS.has(k.toLowerCase())) throw new Error(`event ${path}.${k}: reporter personal data must never be in an event`);
    assertNoReporterData(v, `${path}.${k}`);
  }
}

/**
 * SQL condition for a resource query: some event of the subject `<prefix><id>` (id a column of
 * the caller's table) was addressed to one of `keys` — the resource-side half of "a caller sees
 * an event if and only if it may GET the event's subject".
 */
export function addressedTo(prefix: string, id: SQLWrapper, keys: string[]): SQL {
  if (!keys.length) return sql`0`;
  return sql`exists (select 1 from ${events} e join ${eventAudience} a on a.position = e.position where e.subject = ${prefix} || ${id} and a.key in (${sql.join(
    keys.map((k) => sql`${k}`),
    sql`, `,
  )}))`;
}
