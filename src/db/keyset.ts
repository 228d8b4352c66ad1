import { and, eq, gt, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * The keyset-pagination condition, written once: rows strictly after the cursor in the order
 * (`sort`, `id`), both ascending or both descending. The id breaks ties, so a page boundary on
 * equal sort values neither repeats nor skips a row.
 */
export function afterKey(sort: SQLiteColumn, id: SQLiteColumn, cursor: { value: unknown; id: string } | undefined, order: 'asc' | 'desc'): SQL | undefined {
  if (!cursor) return undefined;
  const beyond = order === 'desc' ? lt : gt;
  return or(beyond(sort, cursor.value), and(eq(sort, cursor.value), beyond(id, cursor.id)));
}

/**
 * A page of the rows a caller may see when visibility is decided per row in code: reads the
 * keyset in chunks from `after` until `limit` visible rows are found or the rows run out.
 */
export function visiblePage<R, C>(
  read: (after: C | undefined, n: number) => R[],
  visible: (r: R) => boolean,
  keyOf: (r: R) => C,
  limit: number,
  after?: C,
  chunk = 200,
): R[] {
  const out: R[] = [];
  for (let cursor = after; ;) {
    const rows = read(cursor, chunk);
    for (const r of rows) if (visible(r)) out.push(r);
    if (out.length >= limit || rows.length < chunk) return out.slice(0, limit);
    cursor = keyOf(rows[rows.length - 1]);
  }
}
