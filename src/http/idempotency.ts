import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { inGroupTx, inTx, sqliteOf, type Db, type Tx } from '../db/client.js';
import type { Clock } from '../clock.js';
import { unprocessable } from './problem.js';
import { canonicalJson } from '../json.js';
import { etagOf } from './versioning.js';

/**
 * Idempotency-Key for creating POSTs (any capability). Usage in a route:
 *
 *   schema: { headers: IdempotencyHeaders, ... }
 *   const r = idempotent(deps.db, deps.clock, { keyId: req.principal.keyId, route: 'POST /v1/things',
 *     key: req.headers['idempotency-key'], body: req.body }, (tx) => ({ status: 201, body, location }));
 *   return sendIdempotent(reply, r);
 *
 * The lookup, the work and the insert of the key row run in ONE IMMEDIATE transaction: a second
 * request with the same key waits on the SQLite write lock and then finds the row, so two
 * concurrent requests create one resource. Same key + same body → the stored status and body with
 * `Idempotent-Replayed: true`; same key + another body → 422. A thrown error stores nothing (a
 * retry re-runs). Keys are scoped per API key id and route and kept IDEMPOTENCY_TTL_HOURS (≥ 24 h).
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Makes the POST safe to retry: the same key with the same body returns the original response (header Idempotent-Replayed: true); with another body → 422. Scoped per API key, kept at least 24 h.',
    }),
  ),
});

export interface StoredResponse {
  status: number;
  body: unknown;
  location?: string | null;
}

export interface IdempotentResult extends StoredResponse {
  replayed: boolean;
}

export interface IdempotencyScope {
  /** The caller's API key id (keys are scoped per key). */
  keyId: string;
  /** A stable label of the operation, e.g. `POST /v1/complaints`. */
  route: string;
  /** The Idempotency-Key header; undefined = no idempotency, just run. */
  key: string | undefined;
  /** The request body (hashed canonically: key order does not matter). */
  body: unknown;
}

export const bodyHash = (body: unknown) =>
  createHash('sha256')
    .update(canonicalJson(body ?? null))
    .digest('hex');

export const DEFAULT_TTL_HOURS = 24;

/**
 * How a response body is kept for replays: e.g. encrypt a secret the response shows once, so the
 * idempotency table does not hold it in the clear. Default: as is.
 */
export interface ResponseCodec {
  seal(body: unknown): unknown;
  open(stored: unknown): unknown;
}

export interface IdempotencyOptions {
  ttlHours?: number;
  codec?: ResponseCodec;
}

const PRUNE = 'DELETE FROM idempotency_keys WHERE created_at < ?';
const PRIOR = 'SELECT body_hash AS bodyHash, status, response, location FROM idempotency_keys WHERE key_id = ? AND route = ? AND key = ?';
const RECORD = 'INSERT INTO idempotency_keys (key_id, key, route, body_hash, status, response, location, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

export function idempotent(db: Db, clock: Clock, scope: IdempotencyScope, fn: (tx: Tx) => StoredResponse, opts: IdempotencyOptions = {}): IdempotentResult {
  return inTx(db, idempotentWork(clock, scope, fn, opts));
}

/**
 * The same, committed together with the other creates of this event-loop turn (inGroupTx): each
 * still all or nothing, each answered after the commit that holds it.
 */
export function idempotentGrouped(
  db: Db,
  clock: Clock,
  scope: IdempotencyScope,
  fn: (tx: Tx) => StoredResponse,
  opts: IdempotencyOptions = {},
): Promise<IdempotentResult> {
  return inGroupTx(db, idempotentWork(clock, scope, fn, opts));
}

/** The unit of work of an idempotent create: the key's prior answer, or the work and its record. */
function idempotentWork(clock: Clock, scope: IdempotencyScope, fn: (tx: Tx) => StoredResponse, opts: IdempotencyOptions): (tx: Tx) => IdempotentResult {
  if (scope.key === undefined) return (tx) => ({ ...fn(tx), replayed: false });
  const ttlHours = opts.ttlHours ?? DEFAULT_TTL_HOURS;
  const hash = bodyHash(scope.body);
  return (tx) => {
    const now = clock.now();
    const cutoff = new Date(now.getTime() - Math.max(ttlHours, DEFAULT_TTL_HOURS) * 3_600_000).toISOString();
    // On every create: the three statements are written out once (see sqliteOf).
    const sqlite = sqliteOf(tx);
    // Prune expired keys (indexed on created_at); an expired key is a new key.
    sqlite.prepare(PRUNE).run(cutoff);
    const prior = sqlite.prepare(PRIOR).get(scope.keyId, scope.route, scope.key) as
      { bodyHash: string; status: number; response: string; location: string | null } | undefined;
    if (prior) {
      if (prior.bodyHash !== hash)
        throw unprocessable('idempotency-key-reused', 'This Idempotency-Key was already used with a different request body; use a new key for a new request.');
      const stored: unknown = JSON.parse(prior.response);
      return { status: prior.status, body: opts.codec ? opts.codec.open(stored) : stored, location: prior.location, replayed: true };
    }
    const res = fn(tx);
    const response = opts.codec ? opts.codec.seal(res.body) : res.body;
    sqlite.prepare(RECORD).run(scope.keyId, scope.key, scope.route, hash, res.status, JSON.stringify(response), res.location ?? null, now.toISOString());
    return { ...res, replayed: false };
  };
}

/** A cipher that keeps a value sealed at rest (the PII cipher satisfies it). */
export interface Sealer {
  seal(value: unknown, aad: string): string;
  open<T>(blob: string, aad: string): T;
}

/** Responses that show a secret once (query codes, API keys, signing secrets) are kept sealed for replays. */
export const sealedResponses = (cipher: Sealer): ResponseCodec => ({
  seal: (body) => ({ sealed: cipher.seal(body, 'idempotency-response') }),
  open: (stored) => cipher.open((stored as { sealed: string }).sealed, 'idempotency-response'),
});

/** The sealed codec over the service's at-rest cipher (set up at start; absent is a wiring bug). */
export function sealedWith(cipher: Sealer | undefined): ResponseCodec {
  if (!cipher) throw new Error('at-rest cipher not initialised');
  return sealedResponses(cipher);
}

/** What the one create path reads off a request. */
export interface CreateRequest {
  principal: { keyId: string };
  headers: Record<string, unknown>;
  body?: unknown;
  method: string;
  url: string;
}

/**
 * The one create path of every creating POST: its Idempotency-Key is scoped to the caller's key and
 * the request's method and path (so one key on two different parents is two requests), and the work
 * runs in the same transaction as the key row.
 */
export function createOnce(
  deps: { db: Db; clock: Clock },
  req: CreateRequest,
  fn: (tx: Tx) => StoredResponse,
  opts: IdempotencyOptions = {},
): IdempotentResult {
  const key = req.headers[IDEMPOTENCY_HEADER];
  const path = req.url.split('?')[0];
  return idempotent(
    deps.db,
    deps.clock,
    { keyId: req.principal.keyId, route: `${req.method} ${path}`, key: typeof key === 'string' ? key : undefined, body: req.body },
    fn,
    opts,
  );
}

/** Sends an idempotent result: status, Location, and `Idempotent-Replayed: true` on a replay. */
export function sendIdempotent(reply: FastifyReply, r: IdempotentResult, opts: { versioned?: boolean } = {}) {
  if (r.location) reply.header('location', r.location);
  if (r.replayed) reply.header('idempotent-replayed', 'true');
  // A created resource with a version: its ETag, on the first answer and on replays alike.
  if (opts.versioned && r.status < 300) reply.header('etag', etagOf((r.body as { version: number }).version));
  return reply.status(r.status).send(r.body);
}
