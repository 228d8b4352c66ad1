import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inject, describe } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { FakeClock } from '../../src/clock.js';
import { inTx } from '../../src/db/client.js';
import { createKey, type NewKey } from '../../src/auth/keys.js';
import { randomUUID } from 'node:crypto';
import { instrument } from './contract.js';

export type Mode = 'embedded' | 'redis';

export interface TestApp {
  app: FastifyInstance;
  clock: FakeClock;
  config: Config;
  dir: string;
  logs: string[];
  admin: string;
  /** Creates a key directly in the database and returns the bearer header. */
  key(k: NewKey): string;
  auth(key: string): { authorization: string };
  close(opts?: { keepDir?: boolean }): Promise<void>;
}

export const redisUrl = (): string | null => inject('redisUrl');

/** Runs the suite in embedded mode and, when a Redis is available, on Redis too. */
export function describeModes(name: string, fn: (mode: Mode) => void) {
  describe(`${name} [embedded]`, () => fn('embedded'));
  (redisUrl() ? describe : describe.skip)(`${name} [redis]`, () => fn('redis'));
}

/** Builds the real app on a temporary SQLite file with a fake clock; workers started. */
export async function makeApp(
  opts: {
    mode?: Mode;
    env?: Record<string, string>;
    clock?: FakeClock;
    dir?: string;
    workers?: boolean;
    start?: boolean;
    /** Extra test-only routes, added before the app is ready. */
    routes?: (app: FastifyInstance) => void;
  } = {},
): Promise<TestApp> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'enf-test-'));
  const env: Record<string, string> = {
    DATABASE_PATH: join(dir, 'test.db'),
    LOG_LEVEL: 'info',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    REDIS_PREFIX: `t${randomUUID().replace(/-/g, '').slice(0, 12)}`,
    ...opts.env,
  };
  if (opts.mode === 'redis') {
    const url = redisUrl();
    if (!url) throw new Error('redis mode requested but no Redis is available');
    env.REDIS_URL = url;
  }
  const config = loadConfig(env);
  const clock = opts.clock ?? new FakeClock();
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const app = await buildApp(config, { clock, logStream, instrument });
  opts.routes?.(app);
  await app.ready();
  if (opts.start !== false) await app.runtime.start({ workers: opts.workers ?? true });
  const k = (nk: NewKey) => inTx(app.deps.db, (tx) => createKey(tx, clock, nk)).key;
  const admin = k({ role: 'admin', name: 'test admin' });
  return {
    app,
    clock,
    config,
    dir,
    logs,
    admin,
    key: k,
    auth: (key: string) => ({ authorization: `Bearer ${key}` }),
    async close(o = {}) {
      if (app.runtime.mode === 'redis') {
        const rt = app.runtime as unknown as { queues: Map<string, { obliterate(o: { force: boolean }): Promise<void> }> };
        for (const q of rt.queues.values()) await q.obliterate({ force: true }).catch(() => {});
      }
      await app.close();
      if (!o.keepDir && !opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
