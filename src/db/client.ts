import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// Queries name their tables directly (no relational `db.query`), so the handle carries no schema
// and the kernel imports no capability; src/tables.ts gathers the tables for drizzle-kit.
export type Db = BetterSQLite3Database & { $client: Database.Database };
/** A drizzle handle usable inside or outside a transaction. */
export type Tx = Omit<Db, '$client'>;

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Opens (creating the folder), sets pragmas and applies committed migrations. */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // 64 MiB page cache (default 2 MiB): at a million cases a list request touches more pages than
  // 2 MiB holds and re-reads them from the OS on every request (bench/cases.ts).
  sqlite.pragma('cache_size = -65536');
  cacheStatements(sqlite);
  const db = drizzle(sqlite) as Db;
  migrate(db, { migrationsFolder: MIGRATIONS });
  return db;
}

const STATEMENT_CACHE_SIZE = 1000;

/**
 * drizzle prepares a new better-sqlite3 statement for every query it runs; preparing costs more
 * than running a small query. Reuse statements by SQL text. drizzle switches a statement to raw
 * mode when it maps columns itself and never switches it back, so a reused reader is reset.
 */
function cacheStatements(sqlite: Database.Database) {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      if (stmt.reader) stmt.raw(false);
      return stmt;
    }
    stmt = prepare(source);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
    cache.set(source, stmt);
    return stmt;
  }) as typeof sqlite.prepare;
}

/**
 * The better-sqlite3 connection under a drizzle handle or transaction. The hottest statements
 * (the outbox append, timers, the complaint counter) run on it directly: their SQL is written once
 * and the statement cached, where drizzle would rebuild the SQL on every call (its largest cost
 * on the intake path, bench/profile.ts). Same connection, so the same transaction.
 */
export function sqliteOf(tx: Tx): Database.Database {
  return (tx as { $client?: Database.Database }).$client ?? (tx as unknown as { session: { client: Database.Database } }).session.client;
}

/**
 * A drizzle query built and prepared once per connection, its values bound by `sql.placeholder`
 * at each run (drizzle still maps columns both ways). For the queries every request runs, where
 * building the SQL again each time was the largest cost (bench/profile.ts). The statement belongs
 * to the connection, so it runs inside whatever transaction the connection is in.
 */
export function preparedOnce<Q>(build: (db: Tx) => Q): (tx: Tx) => Q {
  const byConnection = new WeakMap<Database.Database, Q>();
  return (tx) => {
    const conn = sqliteOf(tx);
    let q = byConnection.get(conn);
    if (q === undefined) {
      q = build(tx);
      byConnection.set(conn, q);
    }
    return q;
  };
}

/**
 * Runs one unit of work in one IMMEDIATE transaction (the write lock is taken up front, so two
 * writers never deadlock upgrading). The callback is synchronous: better-sqlite3 is.
 */
export function inTx<T>(db: Db, fn: (tx: Tx) => T): T {
  try {
    return db.transaction((tx) => fn(tx as unknown as Tx), { behavior: 'immediate' });
  } catch (err) {
    if (isBusy(err)) busy.set(db.$client, (busy.get(db.$client) ?? 0) + 1);
    throw err;
  }
}

interface Queued {
  fn: (tx: Tx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  ok?: boolean;
  value?: unknown;
  error?: unknown;
}
const groups = new WeakMap<Database.Database, Queued[]>();
const groupStats = new WeakMap<Database.Database, { commits: number; units: number }>();
/** Group commits and the units they carried, per connection (GET /metrics). */
export const groupCommits = (db: Db) => groupStats.get(db.$client) ?? { commits: 0, units: 0 };

/**
 * Group commit: the units of work queued in this event-loop turn run in one IMMEDIATE
 * transaction, each in its own savepoint — a unit that throws is rolled back alone and its caller
 * gets its error; the others commit together, and every caller is answered only after that
 * commit. Under load most requests of a turn share one commit instead of paying one each
 * (complaint creates, webhook delivery claims and results, the embedded runner's job rows).
 */
export function inGroupTx<T>(db: Db, fn: (tx: Tx) => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const conn = db.$client;
    let q = groups.get(conn);
    if (!q) {
      q = [];
      groups.set(conn, q);
      setImmediate(() => flushGroup(db));
    }
    q.push({ fn, resolve: resolve as (v: unknown) => void, reject });
  });
}

function flushGroup(db: Db): void {
  const q = groups.get(db.$client) ?? [];
  groups.delete(db.$client);
  const stats = groupStats.get(db.$client) ?? { commits: 0, units: 0 };
  groupStats.set(db.$client, { commits: stats.commits + 1, units: stats.units + q.length });
  if (q.length === 1) {
    const [one] = q;
    try {
      one.resolve(inTx(db, one.fn));
    } catch (err) {
      one.reject(err);
    }
    return;
  }
  const unit = db.$client.transaction((u: Queued) => u.fn(db)); // nested: a savepoint
  try {
    inTx(db, () => {
      for (const u of q) {
        try {
          u.value = unit(u);
          u.ok = true;
        } catch (err) {
          u.error = err;
        }
      }
    });
  } catch (err) {
    // The commit (or BEGIN) failed: nothing of the group was written.
    for (const u of q) {
      if (!u.ok) continue;
      u.ok = false;
      u.error = err;
    }
  }
  for (const u of q) {
    if (u.ok) u.resolve(u.value);
    else u.reject(u.error);
  }
}

/** The write lock was not had within busy_timeout (another process or connection held it). */
export const isBusy = (err: unknown): boolean => /^SQLITE_BUSY/.test(String((err as { code?: unknown })?.code ?? ''));

/**
 * SQLITE_BUSY errors per connection (there is no retry wrapper: busy_timeout waits, then the
 * write fails with 503). GET /metrics exports the count.
 */
const busy = new WeakMap<Database.Database, number>();
export const busyErrors = (db: Db): number => busy.get(db.$client) ?? 0;
