import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { seedDemo, DEMO_AGENCIES, DEMO_AREAS, DEMO_POINTS, DEMO_TEAMS } from '../../src/reference/demo.js';
import { polygonsOf, validateGeometry, type AreaGeometry } from '../../src/reference/geojson.js';
import { walkPages } from './helpers.js';

function inRing([x, y]: number[], r: number[][]) {
  let c = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i];
    const [xj, yj] = r[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
const contains = (g: AreaGeometry, p: { lng: number; lat: number }) =>
  polygonsOf(g).some(([outer, ...holes]) => inRing([p.lng, p.lat], outer) && !holes.some((h) => inRing([p.lng, p.lat], h)));

/** Distance in metres from a point to the nearest edge of any area of `side` (local equirectangular). */
function metresToSide(p: { lng: number; lat: number }, side: string) {
  const kx = Math.cos((p.lat * Math.PI) / 180) * 111_320;
  const ky = 110_540;
  let best = Infinity;
  for (const a of DEMO_AREAS.filter((x) => x.side === side))
    for (const poly of polygonsOf(a.geometry as AreaGeometry))
      for (const r of poly)
        for (let i = 0; i < r.length - 1; i++) {
          const [ax, ay] = [(r[i][0] - p.lng) * kx, (r[i][1] - p.lat) * ky];
          const [bx, by] = [(r[i + 1][0] - p.lng) * kx, (r[i + 1][1] - p.lat) * ky];
          const dx = bx - ax;
          const dy = by - ay;
          const s = Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy)));
          best = Math.min(best, Math.hypot(ax + s * dx, ay + s * dy));
        }
  return best;
}

describe('reference: demo data', () => {
  let t: TestApp;
  const counts = async () => ({
    agencies: (await walkPages(t, '/v1/agencies', 500)).length,
    teams: (await walkPages(t, '/v1/teams', 500)).length,
    areas: (await walkPages(t, '/v1/areas', 500)).length,
  });

  beforeAll(async () => {
    t = await makeApp({ env: { SEED_DEMO: 'true' } });
  });
  afterAll(() => t.close());

  it('loads every demo agency, team and area at start (SEED_DEMO=true)', async () => {
    expect(await counts()).toEqual({ agencies: DEMO_AGENCIES.length, teams: DEMO_TEAMS.length, areas: DEMO_AREAS.length });
  });

  it('is idempotent: running it twice more changes nothing', async () => {
    const before = await walkPages(t, '/v1/areas', 500);
    const agenciesBefore = await walkPages(t, '/v1/agencies', 500);
    t.clock.advanceHours(1);
    seedDemo(t.app.deps.db, t.clock);
    seedDemo(t.app.deps.db, t.clock);
    expect(await walkPages(t, '/v1/areas', 500)).toEqual(before);
    expect(await walkPages(t, '/v1/agencies', 500)).toEqual(agenciesBefore);
    expect(await counts()).toEqual({ agencies: DEMO_AGENCIES.length, teams: DEMO_TEAMS.length, areas: DEMO_AREAS.length });
  });

  it('does not overwrite an admin edit when run again', async () => {
    const h = { ...t.auth(t.admin), 'if-match': '"1"' };
    expect((await t.app.inject({ method: 'PATCH', url: '/v1/teams/team-650100-air', headers: h, payload: { name: '大气组（改）' } })).statusCode).toBe(200);
    seedDemo(t.app.deps.db, t.clock);
    expect((await t.app.inject({ url: '/v1/teams/team-650100-air', headers: t.auth(t.admin) })).json()).toMatchObject({ name: '大气组（改）', version: 2 });
  });

  it('has both sides with their hierarchy and real codes', async () => {
    const get = async (code: string) => (await t.app.inject({ url: `/v1/agencies/${code}`, headers: t.auth(t.admin) })).json();
    expect(await get('650000')).toMatchObject({ side: 'region', level: 'autonomous_region', parentCode: null });
    expect(await get('652301')).toMatchObject({ side: 'region', level: 'county', parentCode: '652300' });
    expect(await get('654003')).toMatchObject({ side: 'region', level: 'county', parentCode: '654000' });
    expect(await get('650202')).toMatchObject({ side: 'region', level: 'county', parentCode: '650200' });
    expect(await get('654202')).toMatchObject({ side: 'region', level: 'county', parentCode: '654200' });
    expect(await get('XPCC')).toMatchObject({ side: 'corps', level: 'corps', parentCode: null });
    expect(await get('XPCC-D8')).toMatchObject({ side: 'corps', level: 'division', parentCode: 'XPCC', adminCode: '659001' });
    expect(await get('XPCC-D6')).toMatchObject({ adminCode: '659004' });
    expect(await get('XPCC-D7')).toMatchObject({ adminCode: '659010' });
    expect(await get('XPCC-D12')).toMatchObject({ side: 'corps', level: 'division' });
    for (const side of ['region', 'corps']) {
      expect((await walkPages(t, `/v1/areas?side=${side}&kind=jurisdiction`, 100)).length).toBeGreaterThan(3);
      expect((await walkPages(t, `/v1/areas?side=${side}&kind=grid`, 100)).length).toBeGreaterThan(0);
    }
    // the top agency of each side has a team handling every category
    const top = await walkPages(t, '/v1/teams?agencyCode=XPCC', 10);
    expect(top[0].categories).toHaveLength(8);
    expect((await walkPages(t, '/v1/teams?agencyCode=650000', 10))[0].categories).toHaveLength(8);
    // every demo agency has at least one team
    const teams = await walkPages(t, '/v1/teams', 500);
    for (const a of DEMO_AGENCIES)
      expect(
        teams.some((x) => x.agencyCode === a.code),
        a.code,
      ).toBe(true);
  });

  it('demo polygons are valid, and the demo points land where their comments say', () => {
    for (const a of DEMO_AREAS) expect(validateGeometry(a.geometry), a.id).toEqual([]);
    const at = (p: { lng: number; lat: number }) => DEMO_AREAS.filter((a) => contains(a.geometry as AreaGeometry, p)).map((a) => a.id);
    expect(at(DEMO_POINTS.shiheziCenter)).toEqual(expect.arrayContaining(['area-xpcc-d8', 'area-xpcc-d8-grid-01']));
    expect(at(DEMO_POINTS.urumqiCenter)).toEqual(expect.arrayContaining(['area-650100', 'area-650100-grid-01']));
    expect(at(DEMO_POINTS.wujiaquCenter)).toContain('area-xpcc-d6');
    expect(at(DEMO_POINTS.huyangheCenter)).toContain('area-xpcc-d7');
    expect(at(DEMO_POINTS.d12Center)).toEqual(['area-xpcc-d12']);
    expect(at(DEMO_POINTS.kuytunCenter)).toContain('area-654003');
    expect(at(DEMO_POINTS.dushanziCenter)).toContain('area-650202');
    expect(at(DEMO_POINTS.wusuCenter)).toContain('area-654202');
    expect(at(DEMO_POINTS.changjiCenter)).toContain('area-652301');
    expect(at(DEMO_POINTS.regiment121Center)).toContain('area-xpcc-d8-r121');
    expect(at(DEMO_POINTS.ulungurLake)).toContain('area-ulungur-lake');
    expect(at(DEMO_POINTS.nowhere)).toEqual([]);
    // corps points are in no region area (corps ground is cut out of the region's), and vice versa
    const sides = (p: { lng: number; lat: number }) => new Set(DEMO_AREAS.filter((a) => contains(a.geometry as AreaGeometry, p)).map((a) => a.side));
    for (const k of ['shiheziCenter', 'wujiaquCenter', 'huyangheCenter', 'd12Center', 'regiment121Center'] as const)
      expect([...sides(DEMO_POINTS[k])]).toEqual(['corps']);
    for (const k of [
      'urumqiCenter',
      'changjiCenter',
      'kuytunCenter',
      'dushanziCenter',
      'wusuCenter',
      'seamNearShihezi',
      'seamNearHuyanghe',
      'seamNearD12',
    ] as const)
      expect([...sides(DEMO_POINTS[k])]).toEqual(['region']);
    // the seam points are region points within ~300 m of corps ground
    for (const k of ['seamNearShihezi', 'seamNearHuyanghe', 'seamNearD12'] as const) {
      const d = metresToSide(DEMO_POINTS[k], 'corps');
      expect(d, k).toBeGreaterThan(50);
      expect(d, k).toBeLessThan(300);
    }
  });

  it('region and corps areas touch but never overlap in the key zones', () => {
    const zoneAreas = DEMO_AREAS.filter((a) => a.kind !== 'protected');
    let overlaps = 0;
    for (let lng = 84.3; lng <= 88.2; lng += 0.015)
      for (let lat = 43.4; lat <= 45.0; lat += 0.015) {
        const s = new Set(zoneAreas.filter((a) => contains(a.geometry as AreaGeometry, { lng, lat })).map((a) => a.side));
        if (s.size > 1) overlaps++;
      }
    expect(overlaps).toBe(0);
    // Shihezi's east edge is Changji prefecture's west edge: points 0.001° either side are corps / region
    expect(DEMO_AREAS.filter((a) => contains(a.geometry as AreaGeometry, { lng: 86.179, lat: 44.3 })).map((a) => a.side)).toContain('corps');
    expect(DEMO_AREAS.filter((a) => contains(a.geometry as AreaGeometry, { lng: 86.181, lat: 44.3 })).map((a) => a.id)).toContain('area-652300');
  });
});
