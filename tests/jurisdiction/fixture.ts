import { inTx, type Db } from '../../src/db/client.js';
import { agencies, areas, teams } from '../../src/reference/tables.js';
import { polygonArea, polygonsOf, ringsBBox } from '../../src/jurisdiction/geo.js';
import { appendEvent } from '../../src/outbox/index.js';
import { ROUTE_JOB, registerSubject, type RoutableSubject, type RoutingOutcome, type SubjectHooks } from '../../src/domain/routing.js';
import type { TestApp } from '../support/app.js';
import { assignmentsOf, eventsOfType, expectOne, registryOf } from '../support/factories.js';

/**
 * A small map around Shihezi for routing tests (lng, lat). Region county CJS (86.00–86.10) sits
 * west of corps division D8 (86.10–86.20); regiment R121 is inside D8; a region grid G1 inside
 * CJS; a corps enclave grid inside CJS; a second D8 part with a hole further east; a protected
 * corps area inside CJS. At 44.05° N one degree of longitude is ≈ 79.95 km.
 */
export const box = (minLng: number, minLat: number, maxLng: number, maxLat: number) => [
  [minLng, minLat],
  [maxLng, minLat],
  [maxLng, maxLat],
  [minLng, maxLat],
  [minLng, minLat],
];

export const P = {
  region: { lat: 44.05, lng: 86.03 },
  grid: { lat: 44.03, lng: 86.03 },
  corps: { lat: 44.05, lng: 86.13 },
  regiment: { lat: 44.07, lng: 86.17 },
  /** 300 m west of the region/corps seam at 86.10. */
  seam: { lat: 44.05, lng: 86.1 - 300 / 79_950 },
  enclave: { lat: 44.0125, lng: 86.0625 },
  hole: { lat: 44.025, lng: 86.325 },
  partB: { lat: 44.01, lng: 86.305 },
  protectedArea: { lat: 44.07, lng: 86.05 },
  nowhere: { lat: 44.5, lng: 85.5 },
};

export const TEAM = {
  cjsAir: 'team-cjs-air',
  cjWater: 'team-cj-water',
  xjSoil: 'team-xj-soil',
  cjsSpecial: 'team-cjs-special',
  d8All: 'team-d8-all',
  r121Air: 'team-r121-air',
  cjGrid: 'team-cj-grid',
};

export function seedMap(t: TestApp) {
  const db: Db = t.app.deps.db;
  const now = t.clock.now().toISOString();
  const stamp = { createdAt: now, updatedAt: now };
  inTx(db, (tx) => {
    const ag = (
      code: string,
      name: string,
      side: 'region' | 'corps',
      level: (typeof agencies.$inferInsert)['level'],
      parentCode: string | null,
      adminCode: string | null,
    ) =>
      tx
        .insert(agencies)
        .values({ code, name, side, level, parentCode, adminCode, ...stamp })
        .onConflictDoNothing()
        .run();
    ag('XJ', 'Xinjiang EEB', 'region', 'autonomous_region', null, '650000');
    ag('CJ', 'Changji prefecture', 'region', 'prefecture', 'XJ', '652300');
    ag('CJS', 'Changji city', 'region', 'county', 'CJ', '652301');
    ag('XPCC', 'XPCC EEB', 'corps', 'corps', null, null);
    ag('XPCC-D8', '8th division', 'corps', 'division', 'XPCC', '659001');
    ag('XPCC-D8-R121', '121st regiment', 'corps', 'regiment', 'XPCC-D8', null);
    const team = (id: string, agencyCode: string, categories: string[]) =>
      tx
        .insert(teams)
        .values({ id, agencyCode, name: id, categories, ...stamp })
        .onConflictDoNothing()
        .run();
    team(TEAM.cjsAir, 'CJS', ['air', 'noise']);
    team(TEAM.cjsSpecial, 'CJS', []);
    team(TEAM.cjWater, 'CJ', ['water']);
    team(TEAM.cjGrid, 'CJ', ['air', 'noise']);
    team(TEAM.xjSoil, 'XJ', ['soil']);
    team(TEAM.d8All, 'XPCC-D8', ['air', 'water', 'noise', 'soil']);
    team(TEAM.r121Air, 'XPCC-D8-R121', ['air']);
    const area = (
      id: string,
      side: 'region' | 'corps',
      agencyCode: string,
      kind: 'jurisdiction' | 'grid' | 'protected',
      geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown },
    ) => {
      const polys = polygonsOf(geometry)!;
      const bb = polys.map(ringsBBox);
      tx.insert(areas)
        .values({
          id,
          name: id,
          side,
          agencyCode,
          kind,
          geometry,
          minLng: Math.min(...bb.map((b) => b.minLng)),
          minLat: Math.min(...bb.map((b) => b.minLat)),
          maxLng: Math.max(...bb.map((b) => b.maxLng)),
          maxLat: Math.max(...bb.map((b) => b.maxLat)),
          areaSize: polys.reduce((s, p) => s + polygonArea(p), 0),
          ...stamp,
        })
        .onConflictDoNothing()
        .run();
    };
    area('area-cjs', 'region', 'CJS', 'jurisdiction', { type: 'Polygon', coordinates: [box(86.0, 44.0, 86.1, 44.1)] });
    area('area-g1', 'region', 'CJ', 'grid', { type: 'Polygon', coordinates: [box(86.02, 44.02, 86.04, 44.04)] });
    area('area-d8', 'corps', 'XPCC-D8', 'jurisdiction', {
      type: 'MultiPolygon',
      coordinates: [[box(86.1, 44.0, 86.2, 44.1)], [box(86.3, 44.0, 86.35, 44.05), box(86.32, 44.02, 86.33, 44.03)]],
    });
    area('area-r121', 'corps', 'XPCC-D8-R121', 'jurisdiction', { type: 'Polygon', coordinates: [box(86.15, 44.05, 86.19, 44.09)] });
    area('area-enclave', 'corps', 'XPCC-D8', 'grid', { type: 'Polygon', coordinates: [box(86.06, 44.01, 86.065, 44.015)] });
    area('area-reserve', 'corps', 'XPCC-D8', 'protected', { type: 'Polygon', coordinates: [box(86.04, 44.06, 86.06, 44.08)] });
  });
  t.app.deps.services.onAreasChanged?.();
}

/** Keys bound to the fixture's agencies and teams. */
export function keys(t: TestApp) {
  return {
    admin: t.admin,
    intake: t.key({ role: 'intake' }),
    partner: t.key({ role: 'partner' }),
    cjsAir: t.key({ role: 'inspector', side: 'region', agencyCode: 'CJS', teamId: TEAM.cjsAir }),
    cjWater: t.key({ role: 'inspector', side: 'region', agencyCode: 'CJ', teamId: TEAM.cjWater }),
    d8All: t.key({ role: 'inspector', side: 'corps', agencyCode: 'XPCC-D8', teamId: TEAM.d8All }),
    r121Air: t.key({ role: 'inspector', side: 'corps', agencyCode: 'XPCC-D8-R121', teamId: TEAM.r121Air }),
    supCJ: t.key({ role: 'supervisor', side: 'region', agencyCode: 'CJ' }),
    supCJS: t.key({ role: 'supervisor', side: 'region', agencyCode: 'CJS' }),
    supD8: t.key({ role: 'supervisor', side: 'corps', agencyCode: 'XPCC-D8' }),
  };
}

export const TEST_EVENT = 'test.subject.accepted';

/**
 * A stand-in routed subject, the way a subject capability plugs in: hooks registered under
 * `routing:complaint`, and a reactor that turns its "accepted" event into a route.subject job
 * (id derived from the event id). Subjects live in a Map; onRouted calls are recorded.
 */
export function testSubjects(t: TestApp) {
  const subjects = new Map<string, RoutableSubject>();
  const routed: { id: string; outcome: RoutingOutcome }[] = [];
  let seq = 0;
  const hooks: SubjectHooks = {
    load: (_tx, id) => subjects.get(id) ?? null,
    onRouted: (_tx, _deps, id, outcome) => {
      routed.push({ id, outcome });
    },
  };
  registerSubject(t.app.deps, 'complaint', hooks);
  registryOf(t).react([TEST_EVENT], (e) => [
    { queue: 'route', name: ROUTE_JOB, id: `route-${e.id}`, payload: { kind: 'complaint', id: e.data.id }, priority: e.data.urgent ? 1 : 5 },
  ]);
  return {
    subjects,
    routed,
    /** Registers a subject and appends its accepted event (routing happens on settle). */
    accept(s: Omit<RoutableSubject, 'kind' | 'id'> & { id?: string }): string {
      const id = s.id ?? `subj-${Date.now().toString(36)}-${++seq}`;
      subjects.set(id, { kind: 'complaint', ...s, id });
      inTx(t.app.deps.db, (tx) => appendEvent(tx, t.clock, { type: TEST_EVENT, subject: `complaints/${id}`, data: { id, urgent: !!s.urgent } }));
      t.app.runtime.poke();
      return id;
    },
    async route(s: Omit<RoutableSubject, 'kind' | 'id'> & { id?: string }) {
      const id = this.accept(s);
      await t.app.runtime.settle();
      return { id, rows: assignmentsOf(t, id) };
    },
  };
}

export { assignmentsOf, eventsOfType, expectOne, registryOf };
