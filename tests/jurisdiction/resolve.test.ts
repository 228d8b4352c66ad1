import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeApp, type TestApp } from '../support/app.js';
import { P, box, keys, seedMap } from './fixture.js';
import { spatialService } from '../../src/jurisdiction/spatial-index.js';

describe('GET /v1/jurisdictions/resolve', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ workers: false });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  const resolve = async (q: string, key = k.d8All) => t.app.inject({ url: `/v1/jurisdictions/resolve?${q}`, headers: t.auth(key) });
  const at = (p: { lat: number; lng: number }, key?: string) => resolve(`lat=${p.lat}&lng=${p.lng}`, key);

  it('a point inside a corps area resolves to the corps (any role may ask)', async () => {
    for (const key of [k.d8All, k.partner, k.intake, k.supCJ]) {
      const r = await at(P.corps, key);
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ side: 'corps', agencyCode: 'XPCC-D8', areaId: 'area-d8', gridId: null, joint: false, neighbours: [] });
    }
  });

  it('a point inside a region area resolves to the region', async () => {
    expect((await at(P.region)).json()).toMatchObject({ side: 'region', agencyCode: 'CJS', areaId: 'area-cjs', gridId: null, joint: false });
  });

  it('a grid beats the jurisdiction around it', async () => {
    expect((await at(P.grid)).json()).toMatchObject({ side: 'region', agencyCode: 'CJ', areaId: 'area-g1', gridId: 'area-g1' });
  });

  it('between two jurisdictions the smaller wins', async () => {
    expect((await at(P.regiment)).json()).toMatchObject({ side: 'corps', agencyCode: 'XPCC-D8-R121', areaId: 'area-r121' });
  });

  it('a point 300 m from the other side is joint, with the neighbour and its distance', async () => {
    const body = (await at(P.seam)).json();
    expect(body).toMatchObject({ side: 'region', agencyCode: 'CJS', areaId: 'area-cjs', joint: true });
    expect(body.neighbours).toHaveLength(1);
    expect(body.neighbours[0]).toMatchObject({ side: 'corps', agencyCode: 'XPCC-D8', areaId: 'area-d8' });
    expect(body.neighbours[0].distanceMeters).toBeGreaterThan(290);
    expect(body.neighbours[0].distanceMeters).toBeLessThan(310);
  });

  it('a point inside areas of both sides is joint (corps enclave grid in region land)', async () => {
    const body = (await at(P.enclave)).json();
    expect(body).toMatchObject({ side: 'corps', agencyCode: 'XPCC-D8', areaId: 'area-enclave', gridId: 'area-enclave', joint: true });
    expect(body.neighbours).toContainEqual({ side: 'region', agencyCode: 'CJS', areaId: 'area-cjs', distanceMeters: 0 });
  });

  it('protected areas do not own and do not make a place joint', async () => {
    expect((await at(P.protectedArea)).json()).toEqual({ side: 'region', agencyCode: 'CJS', areaId: 'area-cjs', gridId: null, joint: false, neighbours: [] });
  });

  it('holes of a MultiPolygon part are not inside; the other part is', async () => {
    expect((await at(P.hole)).json()).toMatchObject({ side: null, agencyCode: null, areaId: null });
    expect((await at(P.partB)).json()).toMatchObject({ side: 'corps', agencyCode: 'XPCC-D8', areaId: 'area-d8' });
  });

  it('a point in no area resolves to triage, never an error', async () => {
    const r = await at(P.nowhere);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ side: null, agencyCode: null, areaId: null, gridId: null, joint: false, neighbours: [] });
  });

  it('JOINT_BUFFER_METERS is honoured', async () => {
    const narrow = await makeApp({ workers: false, env: { JOINT_BUFFER_METERS: '200' } });
    try {
      seedMap(narrow);
      const r = await narrow.app.inject({ url: `/v1/jurisdictions/resolve?lat=${P.seam.lat}&lng=${P.seam.lng}`, headers: narrow.auth(narrow.admin) });
      expect(r.json()).toMatchObject({ areaId: 'area-cjs', joint: false, neighbours: [] });
    } finally {
      await narrow.close();
    }
  });

  it.each([
    ['lat=91&lng=86', 'querystring/lat'],
    ['lat=-90.5&lng=86', 'querystring/lat'],
    ['lat=44&lng=180.1', 'querystring/lng'],
    ['lat=44', 'querystring/lng'],
    ['lng=86', 'querystring/lat'],
    ['lat=abc&lng=86', 'querystring/lat'],
  ])('%s → 400 naming %s', async (q, field) => {
    const r = await resolve(q);
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('needs a key', async () => {
    expect((await t.app.inject({ url: '/v1/jurisdictions/resolve?lat=44&lng=86' })).statusCode).toBe(401);
  });
});

describe('spatial index rebuild', () => {
  it('rebuilds after areas:changed, and when another process writes areas', async () => {
    const t = await makeApp({ workers: false });
    try {
      seedMap(t);
      const svc = spatialService(t.app.deps);
      const key = t.key({ role: 'intake' });
      const get = async () => (await t.app.inject({ url: '/v1/jurisdictions/resolve?lat=45.05&lng=87.05', headers: t.auth(key) })).json();
      expect((await get()).areaId).toBeNull();

      // Another process (its own SQLite connection) adds an area: no areas:changed call here.
      const other = new Database(t.config.databasePath);
      const now = t.clock.now().toISOString();
      other
        .prepare(
          `INSERT INTO areas (id, name, side, agency_code, kind, geometry, min_lng, min_lat, max_lng, max_lat, area_size, created_at, updated_at, version)
           VALUES ('area-new', 'new', 'corps', 'XPCC-D8', 'grid', ?, 87, 45, 87.1, 45.1, 0.01, ?, ?, 1)`,
        )
        .run(JSON.stringify({ type: 'Polygon', coordinates: [box(87, 45, 87.1, 45.1)] }), now, now);
      const builds = svc.builds;
      expect((await get()).areaId).toBe('area-new');
      expect(svc.builds).toBe(builds + 1);
      // Unchanged areas: no rebuild.
      await get();
      expect(svc.builds).toBe(builds + 1);

      // Through the reference API (same process): it calls areas:changed.
      other.prepare(`DELETE FROM areas WHERE id = 'area-new'`).run();
      other.close();
      expect((await get()).areaId).toBeNull();
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/areas',
        headers: t.auth(t.admin),
        payload: { name: 'api grid', side: 'region', agencyCode: 'CJS', kind: 'grid', geometry: { type: 'Polygon', coordinates: [box(87, 45, 87.1, 45.1)] } },
      });
      expect(created.statusCode).toBe(201);
      expect(await get()).toMatchObject({ areaId: created.json().id, side: 'region' });
    } finally {
      await t.close();
    }
  });
});
