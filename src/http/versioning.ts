import { Type } from 'typebox';
import { Problem } from './problem.js';

/**
 * Optimistic concurrency for reference resources: every row has an integer `version`, sent as a
 * strong ETag `"<version>"`; a PATCH must carry `If-Match` with it.
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
    'version-mismatch',
    'Precondition failed',
    `${what} ${id} has changed: its current version is ${current} (ETag ${etagOf(current)}). Re-read it and retry.`,
    { currentVersion: current, currentEtag: etagOf(current) },
  );

/** Throws 428/412 unless `expected` (from If-Match) matches `current`. */
export function checkVersion(expected: Expected | undefined, current: number, what: string, id: string): void {
  if (!expected) throw preconditionRequired(what);
  if (expected.any) return;
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
