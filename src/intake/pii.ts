import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';

/** Reporter personal data: never in events, webhooks, logs or error bodies. */
export interface Reporter {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
}

const VERSION = 'v1';

/**
 * AES-256-GCM for reporter fields, keyed by PII_KEY (64 hex). The complaint id is bound as
 * additional authenticated data, so a ciphertext copied onto another row does not decrypt.
 * A second key derived with HKDF keys the query-code HMAC.
 */
declare module '../deps.js' {
  interface Services {
    /** The reporter-data cipher (set by the intake capability). */
    pii: PiiCipher;
  }
}

export class PiiCipher {
  private readonly key: Buffer;
  private readonly codeKey: Buffer;

  constructor(hexKey: string) {
    if (!/^[0-9a-fA-F]{64}$/.test(hexKey)) throw new Error('PII key must be 64 hex characters');
    this.key = Buffer.from(hexKey, 'hex');
    this.codeKey = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), 'query-code', 32));
  }

  encrypt(value: Reporter, aad: string): string {
    return this.seal(value, aad);
  }

  decrypt(blob: string, aad: string): Reporter {
    return this.open<Reporter>(blob, aad);
  }

  /** Encrypts any JSON value, bound to `aad`. */
  seal(value: unknown, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
    return [VERSION, iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open<T>(blob: string, aad: string): T {
    const [v, iv, tag, ct] = blob.split('.');
    if (v !== VERSION || !iv || !tag || ct === undefined) throw new Error('unknown PII ciphertext format');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8')) as T;
  }

  /** Keyed hash of a complaint's query code (bound to its number). */
  codeHash(number: string, code: string): string {
    return createHmac('sha256', this.codeKey).update(`${number}\n${code.toUpperCase()}`).digest('hex');
  }

  codeMatches(number: string, code: string, stored: string): boolean {
    const a = Buffer.from(this.codeHash(number, code), 'hex');
    const b = Buffer.from(stored, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/**
 * The PII key: PII_KEY, else (demo) a key generated once into `<db>.pii-key` (mode 0600) beside
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

/** Unambiguous alphabet (no 0/O, 1/I/L): 31 symbols, ≈ 39.6 bits for 8 characters. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function newQueryCode(length = 8): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    // rejection sampling keeps the distribution uniform
    const v = bytes[i] & 0x1f;
    if (v < CODE_ALPHABET.length) out += CODE_ALPHABET[v];
  }
  return out.length === length ? out : newQueryCode(length);
}
