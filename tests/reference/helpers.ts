import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../support/app.js';

/** Asserts a problem+json response with the status (and, if given, a field named in `errors`). */
export function expectProblem(r: LightMyRequestResponse, status: number, field?: string) {
  expect(r.statusCode, r.body).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = r.json();
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  if (field)
    expect(
      body.errors?.map((e: { field: string }) => e.field),
      r.body,
    ).toContain(field);
  return body;
}

/** Walks every page of a list with the given page size; returns all items in order. */
export async function walkPages(t: TestApp, url: string, limit: number, key = t.admin): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const sep = url.includes('?') ? '&' : '?';
    const r: LightMyRequestResponse = await t.app.inject({
      url: `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers: t.auth(key),
    });
    expect(r.statusCode, r.body).toBe(200);
    const page: { items: any[]; nextCursor: string | null } = r.json();
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('pagination did not end');
}

/** A closed square ring around (lng, lat), `d` degrees on a side. */
export const square = (lng: number, lat: number, d = 0.01) => [
  [lng, lat],
  [lng + d, lat],
  [lng + d, lat + d],
  [lng, lat + d],
  [lng, lat],
];

export const polygonAt = (lng: number, lat: number, d = 0.01) => ({ type: 'Polygon', coordinates: [square(lng, lat, d)] });
