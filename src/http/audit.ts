import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import { afterKey } from '../db/keyset.js';
import type { Principal } from '../auth/principal.js';
import { auditLog } from './tables.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** allowed: the write succeeded (2xx/3xx); denied: 401/403; refused: another 4xx; failed: 5xx. */
export type AuditOutcome = 'allowed' | 'denied' | 'refused' | 'failed';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const outcomeOf = (status: number): AuditOutcome =>
  status === 401 || status === 403 ? 'denied' : status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'allowed';

/**
 * The subject a request acted on, as events name it (`complaints/<id>`, `cases/<id>`): from the
 * Location of a create, else the first two path segments after /v1 (three under /v1/admin).
 */
export function subjectOf(path: string, location: string | undefined): string | null {
  const p = (location && location.startsWith('/v1/') ? location : path).split('?')[0];
  const parts = p.split('/').filter(Boolean);
  if (parts[0] !== 'v1' || parts.length < 2) return parts.length ? parts.slice(0, 2).join('/') : null;
  const n = parts[1] === 'admin' || parts[1] === 'public' ? 3 : 2;
  return parts
    .slice(1, 1 + n)
    .map(decodeURIComponentSafe)
    .join('/');
}

const decodeURIComponentSafe = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Audit rows answered but not yet written, per connection (listAudit writes them first). */
const pendingAudit = new WeakMap<Db['$client'], () => void>();

/**
 * Records every write and every denied attempt after the response is sent (the write itself has
 * committed or rolled back by then). Rows of the same event-loop turn go in one transaction: one
 * commit per turn instead of one per request (under load, a commit per audit row was a third of
 * the commits). Reads are not recorded, except when denied.
 */
export function installAudit(app: FastifyInstance, deps: { db: Db; clock: Clock }) {
  // After every write: written out once rather than built per call (see sqliteOf).
  const stmt = deps.db.$client.prepare(
    'INSERT INTO audit_log (id, at, key_id, role, side, agency_code, team_id, method, route, path, subject, status, outcome, request_id) VALUES (@id, @at, @keyId, @role, @side, @agencyCode, @teamId, @method, @route, @path, @subject, @status, @outcome, @requestId)',
  );
  let batch: { row: AuditRow; log: FastifyRequest['log'] }[] = [];
  const writeAll = deps.db.$client.transaction((rows: AuditRow[]) => {
    for (const r of rows) stmt.run(r);
  });
  const flush = () => {
    const rows = batch;
    batch = [];
    if (!rows.length) return;
    try {
      writeAll(rows.map((r) => r.row));
    } catch {
      // One bad row (or a busy database) must not cost the others: one by one, each failure loud.
      for (const r of rows)
        try {
          stmt.run(r.row);
        } catch (err) {
          // The answer is already sent; a lost audit row must be loud in the log, not a second error.
          r.log.error({ err }, 'audit record failed');
        }
    }
  };
  pendingAudit.set(deps.db.$client, flush);
  app.addHook('onClose', async () => flush());
  const insert = (row: AuditRow, log: FastifyRequest['log']) => {
    if (batch.push({ row, log }) === 1) setImmediate(flush);
  };
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const status = reply.statusCode;
    const outcome = outcomeOf(status);
    if (!WRITES.has(req.method) && outcome !== 'denied') return;
    const p = req.principal as Principal | null;
    const path = req.url.split('?')[0];
    const location = reply.getHeader('location');
    insert(
      {
        id: newId(),
        at: deps.clock.now().toISOString(),
        keyId: p?.keyId ?? null,
        role: p?.role ?? null,
        side: p?.side ?? null,
        agencyCode: p?.agencyCode ?? null,
        teamId: p?.teamId ?? null,
        method: req.method,
        route: req.routeOptions?.url ?? null,
        path,
        subject: subjectOf(path, typeof location === 'string' ? location : undefined),
        status,
        outcome,
        requestId: String(req.id),
      },
      req.log,
    );
  });
}

export interface AuditFilter {
  actor?: string;
  subject?: string;
  from?: string;
  to?: string;
  outcome?: AuditOutcome;
}

/** Newest first, keyset-paged on (at, id). */
export function listAudit(db: Db, f: AuditFilter, limit: number, after?: { c: string; i: string }): AuditRow[] {
  pendingAudit.get(db.$client)?.();
  const conds: (SQL | undefined)[] = [];
  if (f.actor) conds.push(eq(auditLog.keyId, f.actor));
  if (f.subject) conds.push(eq(auditLog.subject, f.subject));
  if (f.from) conds.push(gte(auditLog.at, f.from));
  if (f.to) conds.push(lt(auditLog.at, f.to));
  if (f.outcome) conds.push(eq(auditLog.outcome, f.outcome));
  conds.push(afterKey(auditLog.at, auditLog.id, after && { value: after.c, id: after.i }, 'desc'));
  return db
    .select()
    .from(auditLog)
    .where(and(...conds))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit)
    .all();
}
