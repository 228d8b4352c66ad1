import { encodeEventCursor } from './feed.js';
import { maskedHeaders, type Subscription } from './subscriptions.js';
import type { Sealer } from '../auth/seal.js';
import type { Delivery } from './delivery.js';
import type { deliveryAttempts } from './tables.js';

export function publicSubscription(s: Subscription, sealer: Sealer) {
  return {
    id: s.id,
    url: s.url,
    types: s.types,
    filter: s.filter ?? null,
    description: s.description,
    headers: maskedHeaders(sealer, s),
    status: s.status,
    disabledReason: s.disabledReason,
    disabledAt: s.disabledAt,
    failingSince: s.failingSince,
    ownerKeyId: s.ownerKeyId,
    previousSecretExpiresAt: s.previousSecretExpiresAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

type Attempt = typeof deliveryAttempts.$inferSelect;

/** A delivery with its attempt log (`attempts`: every attempt row of the given deliveries). */
export function deliveryView(d: Delivery, attempts: Attempt[]) {
  return {
    id: d.id,
    kind: d.kind,
    eventId: d.eventId,
    cursor: d.eventPosition === null ? null : encodeEventCursor(d.eventPosition),
    type: d.type,
    subject: d.subject,
    status: d.status,
    attempts: d.attempts,
    maxAttempts: d.maxAttempts,
    nextAttemptAt: d.nextAttemptAt,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    replayId: d.replayId,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
    attemptLog: attempts
      .filter((a) => a.deliveryId === d.id)
      .map((a) => ({ attempt: a.attempt, at: a.at, statusCode: a.statusCode, durationMs: a.durationMs, error: a.error, nextAttemptAt: a.nextAttemptAt })),
  };
}
