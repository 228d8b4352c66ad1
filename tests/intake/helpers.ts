import { expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { inTx } from '../../src/db/client.js';
import { agencies, areas, teams } from '../../src/reference/tables.js';
import { complaints } from '../../src/intake/tables.js';
import type { TestApp } from '../support/app.js';
import { assignmentsOf as sharedAssignmentsOf, eventsOfSubject, eventsOfType } from '../support/factories.js';

/**
 * A small map for intake tests (lng, lat): region county CJS (86.00–86.10) west of corps division
 * D8 (86.10–86.20), both 44.00–44.10. At 44.05° N a degree of longitude is ≈ 80 km, so a point at
 * 86.03 is far from the seam and routes to one side only.
 */
export const AT = {
  region: { lat: 44.05, lng: 86.03 },
  corps: { lat: 44.05, lng: 86.17 },
  /** ≈ 240 m from AT.region: a duplicate by default (500 m). */
  nearRegion: { lat: 44.052, lng: 86.031 },
  /** ≈ 2.4 km from AT.region: not a duplicate. */
  farRegion: { lat: 44.05, lng: 86.06 },
};
export const TEAM = { cjsAir: 'team-cjs-air', d8All: 'team-d8-all' };

const box = (minLng: number, minLat: number, maxLng: number, maxLat: number) => [
  [minLng, minLat],
  [maxLng, minLat],
  [maxLng, maxLat],
  [minLng, maxLat],
  [minLng, minLat],
];

export function seedMap(t: TestApp) {
  const now = t.clock.now().toISOString();
  const stamp = { createdAt: now, updatedAt: now };
  inTx(t.app.deps.db, (tx) => {
    const ag = (code: string, side: 'region' | 'corps', level: (typeof agencies.$inferInsert)['level'], parentCode: string | null) =>
      tx
        .insert(agencies)
        .values({ code, name: code, side, level, parentCode, adminCode: null, ...stamp })
        .onConflictDoNothing()
        .run();
    ag('XJ', 'region', 'autonomous_region', null);
    ag('CJ', 'region', 'prefecture', 'XJ');
    ag('CJS', 'region', 'county', 'CJ');
    ag('XPCC', 'corps', 'corps', null);
    ag('XPCC-D8', 'corps', 'division', 'XPCC');
    tx.insert(teams)
      .values({ id: TEAM.cjsAir, agencyCode: 'CJS', name: 'CJS air', categories: ['air', 'noise', 'water'], ...stamp })
      .onConflictDoNothing()
      .run();
    tx.insert(teams)
      .values({ id: TEAM.d8All, agencyCode: 'XPCC-D8', name: 'D8', categories: ['air', 'water', 'noise', 'soil'], ...stamp })
      .onConflictDoNothing()
      .run();
    const area = (id: string, side: 'region' | 'corps', agencyCode: string, b: [number, number, number, number]) =>
      tx
        .insert(areas)
        .values({
          id,
          name: id,
          side,
          agencyCode,
          kind: 'jurisdiction',
          geometry: { type: 'Polygon', coordinates: [box(...b)] },
          minLng: b[0],
          minLat: b[1],
          maxLng: b[2],
          maxLat: b[3],
          areaSize: (b[2] - b[0]) * (b[3] - b[1]),
          ...stamp,
        })
        .onConflictDoNothing()
        .run();
    area('area-cjs', 'region', 'CJS', [86.0, 44.0, 86.1, 44.1]);
    area('area-d8', 'corps', 'XPCC-D8', [86.1, 44.0, 86.2, 44.1]);
  });
  t.app.deps.services.onAreasChanged?.();
}

export function keys(t: TestApp) {
  return {
    admin: t.admin,
    intake: t.key({ role: 'intake' }),
    partner: t.key({ role: 'partner' }),
    partner2: t.key({ role: 'partner' }),
    cjsAir: t.key({ role: 'inspector', side: 'region', agencyCode: 'CJS', teamId: TEAM.cjsAir }),
    d8All: t.key({ role: 'inspector', side: 'corps', agencyCode: 'XPCC-D8', teamId: TEAM.d8All }),
    supCJ: t.key({ role: 'supervisor', side: 'region', agencyCode: 'CJ' }),
    supD8: t.key({ role: 'supervisor', side: 'corps', agencyCode: 'XPCC-D8' }),
  };
}

let seq = 0;
export const body = (over: Record<string, unknown> = {}) => ({
  channel: 'phone',
  category: 'air',
  description: `Black smoke from a chimney (${++seq})`,
  location: AT.farRegion,
  ...over,
});

export async function post(t: TestApp, key: string, url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, headers: { ...t.auth(key), ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

export async function get(t: TestApp, key: string, url: string) {
  return t.app.inject({ method: 'GET', url, headers: t.auth(key) });
}

/** Creates a complaint (201 asserted) and returns the create response body. */
export async function create(t: TestApp, key: string, over: Record<string, unknown> = {}) {
  const r = await post(t, key, '/v1/complaints', body(over));
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; number: string; status: string; receivedAt: string; acceptanceDueAt: string; queryCode: string; duplicateOf: string | null };
}

export async function act(t: TestApp, key: string, id: string, action: string, payload?: unknown) {
  const r = await post(t, key, `/v1/complaints/${id}/${action}`, payload);
  return r;
}

export async function ok(t: TestApp, key: string, id: string, action: string, payload?: unknown) {
  const r = await act(t, key, id, action, payload);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

export const row = (t: TestApp, id: string) => t.app.deps.db.select().from(complaints).where(eq(complaints.id, id)).get()!;
export const countComplaints = (t: TestApp) => t.app.deps.db.select().from(complaints).all().length;

export const assignmentsOf = (t: TestApp, id: string) => sharedAssignmentsOf(t, id, 'complaint');

export const eventsOf = (t: TestApp, id: string) => eventsOfSubject(t, `complaints/${id}`);

export { eventsOfType };
