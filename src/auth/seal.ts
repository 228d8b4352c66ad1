import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';

const VERSION = 'v1';

declare module '../deps.js' {
  interface Services {
    /** Secrets at rest (reporter data, webhook custom headers), keyed by PII_KEY (set by the app). */
    sealer: Sealer;
  }
}

/**
 * AES-256-GCM sealing of any JSON value, keyed by PII_KEY (64 hex). Each value is bound to an
 * `aad` (e.g. its row id), so a ciphertext copied onto another row does not open.
 */
export class Sealer {
  protected readonly key: Buffer;

  constructor(readonly hexKey: string) {
    if (!/^[0-9a-fA-F]{64}$/.test(hexKey)) throw new Error('PII key must be 64 hex characters');
    this.key = Buffer.from(hexKey, 'hex');
  }

  seal(value: unknown, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
    return [VERSION, iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open<T>(blob: string, aad: string): T {
    const [v, iv, tag, ct] = blob.split('.');
    if (v !== VERSION || !iv || !tag || ct === undefined) throw new Error('unknown sealed value format');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8')) as T;
  }
}

/**
 * The sealing key: PII_KEY, else (demo) a key generated once into `<db>.pii-key` (mode 0600) beside
 * the database, with a warning. An in-memory database gets a throwaway key.
 */
export function loadPiiKey(config: Config, log: FastifyBaseLogger): string {
  if (config.piiKey) return config.piiKey;
  if (config.databasePath === ':memory:') {
    log.warn('PII_KEY is not set: using a throwaway key for the in-memory database');
    return randomBytes(32).toString('hex');
  }
  const file = `${resolve(config.databasePath)}.pii-key`;
  if (existsSync(file)) {
    const k = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(k)) throw new Error(`${file} does not hold a 64-hex PII key`);
    log.warn({ file }, 'PII_KEY is not set: using the generated key file beside the database (demo mode; set PII_KEY in production)');
    return k;
  }
  const k = randomBytes(32).toString('hex');
  writeFileSync(file, k + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  log.warn({ file }, 'PII_KEY is not set: generated a key file beside the database (demo mode; set PII_KEY in production and keep it safe)');
  return k;
}
