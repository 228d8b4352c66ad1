/**
 * CSV export of list endpoints (`Accept: text/csv` or `?format=csv`): the route's own page
 * function is called page after page (the same filters, the same visibility), each page written
 * as it is read, so an export of any size runs in bounded memory. UTF-8 with a BOM, so Excel opens
 * Chinese text correctly; RFC 4180 quoting; cells that a spreadsheet would run as a formula are
 * prefixed with an apostrophe (CSV injection).
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';

export const CSV_MEDIA_TYPE = 'text/csv';
const BOM = '\uFEFF';
/** Rows read per page while exporting (one short read transaction each). */
export const CSV_PAGE_SIZE = 500;

export const FormatQuery = {
  format: Type.Optional(
    Type.Enum(['json', 'csv'] as const, {
      description: 'csv: the whole filtered list as CSV (UTF-8 with BOM; limit and cursor start it but do not cut it), the same as Accept: text/csv',
    }),
  ),
};

/** The 200 answer of a list that also exports as CSV. */
export const pageOrCsv = (page: TSchema, example: string) => ({
  description: 'A page of results (application/json), or the whole filtered list as CSV (text/csv)',
  content: {
    'application/json': { schema: page },
    [CSV_MEDIA_TYPE]: { schema: Type.String({ description: 'CSV with a header row, UTF-8 with BOM', examples: [example] }) },
  },
});

/** `?format=csv`, or an Accept header that prefers text/csv over JSON. */
export function wantsCsv(req: FastifyRequest): boolean {
  const f = (req.query as { format?: string } | undefined)?.format;
  if (f) return f === 'csv';
  const accept = req.headers.accept;
  if (!accept || !accept.includes(CSV_MEDIA_TYPE)) return false;
  let csv = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const q = Number(
      params
        .map((p) => p.trim())
        .find((p) => p.startsWith('q='))
        ?.slice(2) ?? 1,
    );
    if (type === CSV_MEDIA_TYPE) csv = Math.max(csv, q);
    else if (type === 'application/json' || type === '*/*' || type === 'application/*') json = Math.max(json, q);
  }
  return csv > 0 && csv >= json;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) s = v.every((x) => x === null || typeof x !== 'object') ? v.join('; ') : JSON.stringify(v);
  else if (typeof v === 'object') s = JSON.stringify(v);
  else s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const at = (v: unknown, path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), v);

export const csvLine = (values: readonly unknown[]) => values.map(cell).join(',') + '\r\n';

export interface CsvExport<V> {
  /** Download name without extension, e.g. `complaints`. */
  filename: string;
  /** The view's fields in column order (the header row); `a.b` reads a nested field. */
  columns: readonly string[];
  /** One page of the list as the JSON route answers it, from a cursor (undefined: the start). */
  page: (cursor: string | undefined, limit: number) => { items: V[]; nextCursor: string | null };
}

/** Streams the whole list from `cursor` on: header, then each page as it is read. */
export function sendCsv<V>(reply: FastifyReply, e: CsvExport<V>, cursor?: string) {
  const paths = e.columns.map((c) => c.split('.'));
  // The first page is read before the answer starts, so a bad cursor or filter is still a clean 4xx.
  const first = e.page(cursor, CSV_PAGE_SIZE);
  async function* lines() {
    yield BOM + csvLine(e.columns);
    let p = first;
    for (;;) {
      yield p.items.map((v) => csvLine(paths.map((path) => at(v, path)))).join('');
      if (!p.nextCursor) return;
      // Let the socket drain between pages: other requests run, memory stays one page deep.
      await new Promise<void>((r) => setImmediate(r));
      p = e.page(p.nextCursor, CSV_PAGE_SIZE);
    }
  }
  return reply
    .type(`${CSV_MEDIA_TYPE}; charset=utf-8`)
    .header('content-disposition', `attachment; filename="${e.filename}.csv"`)
    .header('vary', 'accept')
    .send(Readable.from(lines(), { objectMode: false }));
}

/** The document's example of an export: the header and one row. */
export const csvExample = (columns: readonly string[], row: readonly unknown[]) => csvLine(columns) + csvLine(row);
