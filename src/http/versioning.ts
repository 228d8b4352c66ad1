import { Type, type TSchema } from 'typebox';
import { Problem } from './problem.js';

/**
 * Optimistic concurrency, the one implementation for every resource: each row has an integer
 * `version`, sent as a strong ETag `"<version>"`. A PATCH must carry `If-Match` (428 without it);
 * an action may (when sent and stale: 412, problem type `precondition-failed`).
 */
export const etagOf = (version: number) => `"${version}"`;

/** What an If-Match header asks for: a set of versions, or `*` (any current version). */
export type Expected = { any: true } | { any: false; versions: number[] };

/** Parses `If-Match: "3"`, `W/"3"`, `"2", "3"` or `*`; undefined when the header is absent. */
export function parseIfMatch(header: string | undefined): Expected | undefined {
  if (header === undefined) return undefined;
  const h = header.trim();
  if (h === '*') return { any: true };
  const versions: number[] = [];
  for (const part of h.split(',')) {
    const m = /^(?:W\/)?"?(\d{1,12})"?$/.exec(part.trim());
    if (m) versions.push(Number(m[1]));
  }
  return { any: false, versions };
}

export const preconditionRequired = (what: string) =>
  new Problem(428, 'if-match-required', 'Precondition required', `Send If-Match with the ETag of the ${what} you read (GET returns it), e.g. If-Match: "1".`);

export const preconditionFailed = (what: string, id: string, current: number) =>
  new Problem(
    412,
    'precondition-failed',
    'Precondition failed',
    `${what} ${id} has changed: its current version is ${current} (ETag ${etagOf(current)}). Re-read it and retry.`,
    { currentVersion: current, currentEtag: etagOf(current) },
  );

/** Throws 428/412 unless `expected` (from If-Match) matches `current`: for PATCH, where If-Match is required. */
export function checkVersion(expected: Expected | undefined, current: number, what: string, id: string): void {
  if (!expected) throw preconditionRequired(what);
  checkIfMatch(expected, current, what, id);
}

/** Throws 412 when an If-Match was sent and does not match `current`: for actions, where it is optional. */
export function checkIfMatch(expected: Expected | undefined, current: number, what: string, id: string): void {
  if (!expected || expected.any) return;
  if (!expected.versions.includes(current)) throw preconditionFailed(what, id, current);
}

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 200, description: 'ETag from the last read, e.g. "3" (required on PATCH: 428 without it, 412 when stale)' }),
  ),
});

export const IfMatchOptionalHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 200, description: 'Optional ETag: when sent and stale, 412 and nothing is deleted' })),
});

export const ETagHeader = { etag: Type.String({ description: 'Current version of the resource, e.g. "3": send it back in If-Match' }) };

/** A response that also carries the resource's ETag header (documented in OpenAPI). */
export const withEtag = <T extends TSchema>(s: T): T => ({ ...s, headers: ETagHeader }) as T;
