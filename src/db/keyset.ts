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
