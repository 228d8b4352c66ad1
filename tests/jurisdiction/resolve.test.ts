import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeApp, type TestApp } from '../support/app.js';
import { P, box, keys, seedMap } from './fixture.js';
import { SpatialIndex, spatialService } from '../../src/jurisdiction/spatial-index.js';
import { areaGeometries } from '../../src/reference/areas.js';

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

describe('spatial index updates', () => {
  it('follows areas:changed, and writes by another process', async () => {
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
      const updates = svc.updates;
      expect((await get()).areaId).toBe('area-new');
      // Applied to the index as it stands: no build over every area.
      expect(svc.builds).toBe(builds);
      expect(svc.updates).toBe(updates + 1);
      // Unchanged areas: nothing to apply.
      await get();
      expect(svc.updates).toBe(updates + 1);

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

describe('spatial index: area writes update it in place', () => {
  const geometry = (minLng: number, minLat: number, maxLng: number, maxLat: number) => ({
    type: 'Polygon',
    coordinates: [box(minLng, minLat, maxLng, maxLat)],
  });

  it('POST, PATCH of the geometry and DELETE of an area each apply that area only, never a build over every area', async () => {
    const t = await makeApp({ workers: false });
    try {
      seedMap(t);
      const svc = spatialService(t.app.deps);
      const key = t.key({ role: 'intake' });
      const at = async (lat: number, lng: number) =>
        (await t.app.inject({ url: `/v1/jurisdictions/resolve?lat=${lat}&lng=${lng}`, headers: t.auth(key) })).json();
      expect((await at(45.05, 87.05)).areaId).toBeNull();
      const builds = svc.builds;
      const updates = svc.updates;

      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/areas',
        headers: t.auth(t.admin),
        payload: { name: 'grid', side: 'region', agencyCode: 'CJS', kind: 'grid', geometry: geometry(87, 45, 87.1, 45.1) },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json().id as string;
      expect((await at(45.05, 87.05)).areaId).toBe(id);
      expect([svc.builds, svc.updates]).toEqual([builds, updates + 1]);

      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/v1/areas/${id}`,
        headers: { ...t.auth(t.admin), 'if-match': created.headers.etag as string },
        payload: { geometry: geometry(88, 45, 88.1, 45.1) },
      });
      expect(patched.statusCode).toBe(200);
      expect((await at(45.05, 87.05)).areaId).toBeNull();
      expect((await at(45.05, 88.05)).areaId).toBe(id);
      expect([svc.builds, svc.updates]).toEqual([builds, updates + 2]);

      const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/areas/${id}`, headers: t.auth(t.admin) });
      expect(deleted.statusCode).toBe(204);
      expect((await at(45.05, 88.05)).areaId).toBeNull();
      expect([svc.builds, svc.updates]).toEqual([builds, updates + 3]);
      // The seeded map is untouched.
      expect((await at(P.grid.lat, P.grid.lng)).areaId).toBe('area-g1');
    } finally {
      await t.close();
    }
  });

  it('after creates, patches and deletes here and in another process, it answers like an index built afresh', async () => {
    const t = await makeApp({ workers: false });
    const other = new Database(t.config.databasePath);
    try {
      seedMap(t);
      const svc = spatialService(t.app.deps);
      svc.current();
      const builds = svc.builds;
      let seed = 20260302;
      const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const W = 85.9;
      const S = 43.95;
      const SPAN = 0.5;
      const OWNERS = [
        ['region', 'CJS'],
        ['region', 'CJ'],
        ['corps', 'XPCC-D8'],
        ['corps', 'XPCC-D8-R121'],
      ] as const;
      const KINDS = ['grid', 'jurisdiction', 'protected'] as const;
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
      const randomGeometry = () => {
        const w = 0.005 + rand() * 0.08;
        const h = 0.005 + rand() * 0.06;
        const x = W + rand() * (SPAN - w);
        const y = S + rand() * (SPAN / 2 - h);
        if (rand() < 0.7) return geometry(x, y, x + w, y + h);
        // a MultiPolygon: a part with a hole and a second part to the east
        return {
          type: 'MultiPolygon',
          coordinates: [[box(x, y, x + w, y + h), box(x + w / 4, y + h / 4, x + w / 2, y + h / 2)], [box(x + w + 0.01, y, x + w + 0.02, y + h)]],
        };
      };
      const live = new Map<string, string>(); // id → etag of areas written through the API
      const viaOther = new Set<string>();
      const insertOther = other.prepare(
        `INSERT INTO areas (id, name, side, agency_code, kind, geometry, min_lng, min_lat, max_lng, max_lat, area_size, created_at, updated_at, version)
         VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?, ?, 1)`,
      );
      const patchOther = other.prepare(`UPDATE areas SET geometry = ?, kind = ?, updated_at = ?, version = version + 1 WHERE id = ?`);
      const deleteOther = other.prepare(`DELETE FROM areas WHERE id = ?`);

      const points = Array.from({ length: 1500 }, () => ({ lat: S + rand() * (SPAN / 2), lng: W + rand() * SPAN }));
      const expectSameAsFresh = () => {
        const fresh = new SpatialIndex(areaGeometries(t.app.deps.db));
        const index = svc.current();
        for (const p of points)
          expect(index.resolve(p.lat, p.lng, t.config.jointBufferMeters)).toEqual(fresh.resolve(p.lat, p.lng, t.config.jointBufferMeters));
      };

      for (let step = 0; step < 80; step++) {
        t.clock.advance(1000);
        const now = t.clock.now().toISOString();
        const op = rand();
        const [side, agencyCode] = pick(OWNERS);
        if (op < 0.3 || live.size === 0) {
          const r = await t.app.inject({
            method: 'POST',
            url: '/v1/areas',
            headers: t.auth(t.admin),
            payload: { name: `a${step}`, side, agencyCode, kind: pick(KINDS), geometry: randomGeometry() },
          });
          expect(r.statusCode).toBe(201);
          live.set(r.json().id, r.headers.etag as string);
        } else if (op < 0.5) {
          const id = pick([...live.keys()]);
          const r = await t.app.inject({
            method: 'PATCH',
            url: `/v1/areas/${id}`,
            headers: { ...t.auth(t.admin), 'if-match': live.get(id)! },
            payload: rand() < 0.5 ? { geometry: randomGeometry() } : { side, agencyCode, kind: pick(KINDS) },
          });
          expect(r.statusCode).toBe(200);
          live.set(id, r.headers.etag as string);
        } else if (op < 0.6) {
          const id = pick([...live.keys()]);
          expect((await t.app.inject({ method: 'DELETE', url: `/v1/areas/${id}`, headers: t.auth(t.admin) })).statusCode).toBe(204);
          live.delete(id);
        } else if (op < 0.75 || viaOther.size === 0) {
          const id = `other-${step}`;
          insertOther.run(id, id, side, agencyCode, pick(KINDS), JSON.stringify(randomGeometry()), now, now);
          viaOther.add(id);
        } else if (op < 0.85) {
          patchOther.run(JSON.stringify(randomGeometry()), pick(KINDS), now, pick([...viaOther]));
        } else if (op < 0.93) {
          const id = pick([...viaOther]);
          deleteOther.run(id);
          viaOther.delete(id);
        } else {
          // deleted and created again under the same id, version 1 again
          const id = pick([...viaOther]);
          deleteOther.run(id);
          insertOther.run(id, id, side, agencyCode, pick(KINDS), JSON.stringify(randomGeometry()), now, now);
        }
        // Read now and then, so that changes reach the index one by one and in batches.
        if (rand() < 0.4) svc.resolve(pick(points).lat, pick(points).lng);
        if (step % 20 === 19) expectSameAsFresh();
      }
      expectSameAsFresh();
      expect(svc.builds).toBe(builds);
      expect(svc.current().size).toBe(6 + live.size + viaOther.size);
    } finally {
      other.close();
      await t.close();
    }
  });
});
