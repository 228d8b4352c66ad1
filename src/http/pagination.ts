import { Type, type TSchema } from 'typebox';
import { fieldError } from './problem.js';

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (1–500)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page’s nextCursor' })),
};

export const Page = <T extends TSchema>(item: T, description = 'A page of results') =>
  Type.Object(
    {
      items: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as ?cursor= for the next page; null at the end' }),
    },
    { description },
  );

/** Cursors are opaque base64url JSON of the last row's sort key. */
export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor<T>(s: string | undefined, check: (v: any) => v is T, field = 'querystring/cursor'): T | undefined {
  if (s === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through to the problem below
  }
  throw fieldError(field, 'is not a cursor issued by this service');
}

/** Keyset page helper: fetch limit+1 rows, emit nextCursor from the last row kept. */
export function pageOf<R, O>(rows: R[], limit: number, key: (r: R) => unknown, map: (r: R) => O) {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(map), nextCursor: more ? encodeCursor(key(kept[kept.length - 1])) : null };
}

export const isCreatedCursor = (v: any): v is { c: string; i: string } => v && typeof v === 'object' && typeof v.c === 'string' && typeof v.i === 'string';
