import { v7 as uuidv7 } from 'uuid';
import { randomBytes } from 'node:crypto';

/** Time-ordered resource id (UUIDv7). */
export const newId = (): string => uuidv7();

/** URL-safe random token of `bytes` bytes of entropy. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
