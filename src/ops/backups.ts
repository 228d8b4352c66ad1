import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { backupDatabase, backupName, pruneBackups } from '../db/backup.js';
import { Problem } from '../http/problem.js';
import type { Deps } from '../deps.js';

export interface BackupRun {
  file: string;
  bytes: number;
  startedAt: string;
  finishedAt: string;
  removed: string[];
}

let running: Promise<BackupRun> | null = null;

/** One backup into BACKUP_DIR, then the oldest beyond BACKUP_KEEP removed. One at a time per process. */
export async function backupNow(deps: Deps, opts: { rate?: number } = {}): Promise<BackupRun> {
  const dir = deps.config.backupDir;
  if (!dir)
    throw new Problem(409, 'backups-not-configured', 'Backups not configured', 'Set BACKUP_DIR to where backups go (or run npm run cli -- backup <file>).');
  if (running) throw new Problem(409, 'backup-running', 'A backup is running', 'Another backup is being written; try again when it finishes.');
  const run = async (): Promise<BackupRun> => {
    const started = deps.clock.now();
    let file = join(dir, backupName(started));
    for (let i = 1; existsSync(file); i++) file = join(dir, backupName(started).replace(/\.db$/, `-${i}.db`));
    const r = await backupDatabase(deps.db, deps.config.databasePath, file, opts);
    const removed = pruneBackups(dir, deps.config.backupKeep);
    const out = { file: r.file, bytes: r.bytes, startedAt: started.toISOString(), finishedAt: deps.clock.now().toISOString(), removed };
    deps.log.info({ file: out.file, bytes: out.bytes, removed }, 'backup written');
    return out;
  };
  running = run();
  try {
    return await running;
  } finally {
    running = null;
  }
}

/** BACKUP_INTERVAL_MINUTES > 0 and BACKUP_DIR set: a backup every so many minutes (wall clock). */
export function scheduleBackups(app: FastifyInstance, deps: Deps) {
  const minutes = deps.config.backupIntervalMinutes;
  if (!minutes || !deps.config.backupDir) return;
  const timer = setInterval(() => {
    backupNow(deps).catch((err) => deps.log.error({ err }, 'scheduled backup failed'));
  }, minutes * 60_000);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
