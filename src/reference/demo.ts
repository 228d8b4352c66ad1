import type { Db } from '../db/client.js';
import type { Clock } from '../clock.js';

/** Demo reference data (SEED_DEMO=true); idempotent. Filled in by the reference registry. */
export function seedDemo(_db: Db, _clock: Clock): void {}
