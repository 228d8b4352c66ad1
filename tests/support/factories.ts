/**
 * Test factories shared by every folder: reading what a test caused (events, assignments),
 * polling for a condition without sleeping, and the job registry of a running app. Folder
 * helpers (tests/intake/helpers.ts, tests/jurisdiction/fixture.ts, …) build their worlds on these.
 */
import { expect } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import type { TestApp } from './app.js';
import { events } from '../../src/outbox/tables.js';
import { assignments } from '../../src/assignments/tables.js';
import type { JobRegistry } from '../../src/queue/types.js';

/** Polls a condition (no fixed sleeps): resolves as soon as it holds, fails after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition') {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Outbox events of one type, in commit order. */
export function eventsOfType(t: TestApp, type: string) {
  return t.app.deps.db.select().from(events).where(eq(events.type, type)).orderBy(asc(events.position)).all();
}

/** Outbox events of one subject (`complaints/<id>`, `cases/<id>`…), in sequence. */
export function eventsOfSubject(t: TestApp, subject: string) {
  return t.app.deps.db.select().from(events).where(eq(events.subject, subject)).orderBy(asc(events.sequence)).all();
}

/** Assignments of a subject (of the given kind, or any), oldest first. */
export function assignmentsOf(t: TestApp, subjectId: string, kind?: 'complaint' | 'case' | 'inspection') {
  return t.app.deps.db
    .select()
    .from(assignments)
    .where(and(eq(assignments.subjectId, subjectId), kind ? eq(assignments.subjectKind, kind) : undefined))
    .orderBy(asc(assignments.createdAt), asc(assignments.id))
    .all();
}

/** The job registry of a running app (tests add reactors and handlers to it). */
export const registryOf = (t: TestApp) => (t.app.runtime as unknown as { registry: JobRegistry }).registry;

export function expectOne<T>(xs: T[]): T {
  expect(xs).toHaveLength(1);
  return xs[0];
}

/** Files a complaint as the given intake key and, when asked, accepts it; returns its id. */
export async function fileComplaint(t: TestApp, intakeKey: string, location: { lat: number; lng: number }, accept = true): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/complaints',
    headers: t.auth(intakeKey),
    payload: { channel: 'phone', category: 'air', description: 'smoke', location },
  });
  expect(r.statusCode).toBe(201);
  const id = r.json().id as string;
  if (accept) expect((await t.app.inject({ method: 'POST', url: `/v1/complaints/${id}/accept`, headers: t.auth(intakeKey) })).statusCode).toBe(200);
  return id;
}
