import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Db } from './client.js';

/**
 * Online backups of the SQLite database. In the service: SQLite's backup API on the service's own
 * connection (better-sqlite3 `backup()`), which copies pages in steps between which requests keep
 * running; writes made on that connection meanwhile are carried into the copy, so the file is one
 * consistent state that holds every write committed before the backup began. From another
 * process (the CLI): `VACUUM INTO`, one read transaction, so writers in the service never make it
 * restart. Neither includes PII_KEY: without it the reporter data and webhook headers of a backup
 * cannot be read (a generated key file, demo mode, is copied beside the backup).
 */
export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
}

const keyFile = (dbFile: string) => `${resolve(dbFile)}.pii-key`;

function copyKeyFile(fromDb: string, toDb: string) {
  if (existsSync(keyFile(fromDb))) copyFileSync(keyFile(fromDb), keyFile(toDb));
}

/** Backs up the open database to `file` (written beside it as `.partial`, then renamed). */
export async function backupDatabase(db: Db, dbPath: string, file: string, opts: { rate?: number } = {}): Promise<BackupResult> {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  let pages = 0;
  await db.$client.backup(partial, {
    progress: ({ totalPages }) => {
      pages = totalPages;
      return opts.rate ?? 100;
    },
  });
  renameSync(partial, file);
  copyKeyFile(dbPath, file);
  return { file, bytes: statSync(file).size, pages };
}

/** Backs up a database file another process may be writing (the CLI). */
export function vacuumInto(dbPath: string, file: string): BackupResult {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  if (existsSync(file)) throw new Error(`${file} exists: give a new file name`);
  const src = new Database(dbPath, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    src.prepare('VACUUM INTO ?').run(file);
  } finally {
    src.close();
  }
  copyKeyFile(dbPath, file);
  return { file, bytes: statSync(file).size, pages: 0 };
}

export const BACKUP_PREFIX = 'enforcement-';

/** A file name for a scheduled backup at `at` (sortable, no ':'). */
export const backupName = (at: Date) => `${BACKUP_PREFIX}${at.toISOString().replace(/[:.]/g, '-')}.db`;

/** Keeps the newest `keep` backups in `dir` (only files this service named), removing the rest. */
export function pruneBackups(dir: string, keep: number): string[] {
  const ours = readdirSync(dir)
    .filter((f) => f.startsWith(BACKUP_PREFIX) && f.endsWith('.db'))
    .sort();
  const gone = ours.slice(0, Math.max(0, ours.length - keep));
  for (const f of gone) {
    rmSync(join(dir, f), { force: true });
    rmSync(join(dir, `${f}.pii-key`), { force: true });
  }
  return gone;
}

export class RestoreError extends Error {}

/**
 * Replaces the database at `target` with the backup `file`. Refuses while any process has the
 * target open: leaving WAL mode needs every other connection closed, so `journal_mode = DELETE`
 * failing with SQLITE_BUSY is the test (a running service would otherwise keep writing to the
 * file it has open, or to a WAL that no longer matches it).
 */
export function restoreDatabase(file: string, target: string): void {
  const check = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const ok = check.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') throw new RestoreError(`${file} is not a sound SQLite database (integrity_check: ${String(ok)})`);
  } finally {
    check.close();
  }
  if (existsSync(keyFile(file)) && existsSync(keyFile(target)) && readFileSync(keyFile(file), 'utf8') !== readFileSync(keyFile(target), 'utf8'))
    throw new RestoreError(`${keyFile(target)} holds another PII key than the backup's: move it away first (the backup's data needs its own key)`);
  if (existsSync(target)) {
    const t = new Database(target, { fileMustExist: true });
    try {
      t.pragma('busy_timeout = 0');
      t.pragma('journal_mode = DELETE');
    } catch (err) {
      throw new RestoreError(
        `${target} is in use (${(err as { code?: string }).code ?? (err as Error).message}): stop the service and its workers, then restore`,
      );
    } finally {
      t.close();
    }
  }
  mkdirSync(dirname(resolve(target)), { recursive: true });
  const tmp = join(dirname(resolve(target)), `.${basename(target)}.restoring`);
  copyFileSync(file, tmp);
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(tmp, target);
  copyKeyFile(file, target);
}
