import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Sealer } from '../auth/seal.js';

/** Reporter personal data: never in events, webhooks, logs or error bodies. */
export interface Reporter {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
}

/**
 * The reporter-data cipher: the infrastructure's AES-256-GCM sealing (src/auth/seal.ts, keyed by
 * PII_KEY; the complaint id is the bound data), plus the query-code HMAC under a key derived with HKDF.
 */
declare module '../deps.js' {
  interface Services {
    /** The reporter-data cipher (set by the intake capability). */
    pii: PiiCipher;
  }
}

export class PiiCipher extends Sealer {
  private readonly codeKey: Buffer;

  constructor(hexKey: string) {
    super(hexKey);
    this.codeKey = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), 'query-code', 32));
  }

  encrypt(value: Reporter, aad: string): string {
    return this.seal(value, aad);
  }

  decrypt(blob: string, aad: string): Reporter {
    return this.open<Reporter>(blob, aad);
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
