import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { expectProblem, polygonAt, square, walkPages } from './helpers.js';

describe('reference: areas', () => {
  let t: TestApp;
  let changed = 0;
  const h = () => t.auth(t.admin);
  const post = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/areas', headers: h(), payload });
  const importFc = (features: unknown[], query = '') =>
    t.app.inject({ method: 'POST', url: `/v1/areas/import${query}`, headers: h(), payload: { type: 'FeatureCollection', features } });
  const feature = (properties: Record<string, unknown>, geometry: unknown = polygonAt(87.6, 43.8)) => ({ type: 'Feature', properties, geometry });
  const allAreas = () => walkPages(t, '/v1/areas', 500);
  const base = { name: '乌鲁木齐 网格', side: 'region', agencyCode: '650100', kind: 'grid' };

  beforeAll(async () => {
    t = await makeApp();
    for (const a of [
      { code: '650100', name: '乌鲁木齐市', side: 'region', level: 'prefecture' },
      { code: 'XPCC-D8', name: '第八师', side: 'corps', level: 'division' },
    ]) {
      expect((await t.app.inject({ method: 'POST', url: '/v1/agencies', headers: h(), payload: a })).statusCode).toBe(201);
    }
    // stands in for the jurisdiction capability's spatial index
    t.app.deps.services.onAreasChanged = () => changed++;
  });
  afterAll(() => t.close());

  it('creates a Polygon area with bbox and planar size, and calls areas:changed after commit', async () => {
    const before = changed;
    const r = await post({ id: 'area-grid-1', ...base, geometry: { type: 'Polygon', coordinates: [square(87.6, 43.8, 0.1)] } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.headers.location).toBe('/v1/areas/area-grid-1');
    expect(r.headers.etag).toBe('"1"');
    const a = r.json();
    expect(a).toMatchObject({ id: 'area-grid-1', side: 'region', agencyCode: '650100', kind: 'grid', version: 1 });
    expect(a.bbox.map((x: number) => +x.toFixed(6))).toEqual([87.6, 43.8, 87.7, 43.9]);
    expect(a.areaSize).toBeCloseTo(0.01, 8);
    expect(a.geometry).toEqual({ type: 'Polygon', coordinates: [square(87.6, 43.8, 0.1)] });
    expect(changed).toBe(before + 1);
  });

  it('creates a MultiPolygon area (generated id)', async () => {
    const geometry = { type: 'MultiPolygon', coordinates: [[square(86.0, 44.2, 0.1)], [square(85.4, 44.8, 0.1)]] };
    const r = await post({ name: '第八师', side: 'corps', agencyCode: 'XPCC-D8', kind: 'jurisdiction', geometry });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.json().areaSize).toBeCloseTo(0.02, 8);
    expect(r.json().bbox.map((x: number) => +x.toFixed(6))).toEqual([85.4, 44.2, 86.1, 44.9]);
  });

  it('bad geometry is 400 naming the field, stores nothing and does not signal a change', async () => {
    const before = (await allAreas()).length;
    const c = changed;
    const unclosed = square(87, 43)
      .slice(0, 4)
      .concat([[87, 43.001]]);
    expectProblem(await post({ ...base, geometry: { type: 'Polygon', coordinates: [unclosed] } }), 400, 'body/geometry/coordinates/0');
    const far = square(87, 43);
    far[2] = [187, 43.01];
    expectProblem(await post({ ...base, geometry: { type: 'Polygon', coordinates: [far] } }), 400, 'body/geometry/coordinates/0/2/0');
    expectProblem(await post({ ...base, geometry: { type: 'Point', coordinates: [87, 43] } }), 400, 'body/geometry/type');
    expectProblem(
      await post({
        ...base,
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [87, 43],
              [88, 43],
              [87, 43],
            ],
          ],
        },
      }),
      400,
      'body/geometry/coordinates/0',
    );
    expectProblem(await post({ ...base, geometry: { type: 'Polygon', coordinates: [square(87, 43)], crs: 'x' } }), 400, 'body/geometry/crs');
    expectProblem(await post({ ...base, kind: 'zone', geometry: polygonAt(87, 43) }), 400, 'body/kind');
    expectProblem(await post({ ...base, owner: 'x', geometry: polygonAt(87, 43) }), 400, 'body/owner');
    expect((await allAreas()).length).toBe(before);
    expect(changed).toBe(c);
  });

  it('unknown agency is 404; side different from the agency side is 422', async () => {
    const before = (await allAreas()).length;
    expect(expectProblem(await post({ ...base, agencyCode: '999999', geometry: polygonAt(87, 43) }), 404).detail).toContain('999999');
    const p = expectProblem(await post({ ...base, side: 'corps', geometry: polygonAt(87, 43) }), 422, 'body/side');
    expect(p.type).toMatch(/area-side-mismatch$/);
    expect((await allAreas()).length).toBe(before);
  });

  it('duplicate id is 409', async () => {
    expectProblem(await post({ id: 'area-grid-1', ...base, geometry: polygonAt(87, 43) }), 409);
  });

  it('PATCH: If-Match 428/412, geometry recomputed, side/agency rule re-checked', async () => {
    const url = '/v1/areas/area-grid-1';
    const patch = (payload: unknown, ifMatch?: string) =>
      t.app.inject({ method: 'PATCH', url, headers: { ...h(), ...(ifMatch ? { 'if-match': ifMatch } : {}) }, payload: payload as object });
    expectProblem(await patch({ name: 'x' }), 428);
    expect(expectProblem(await patch({ name: 'x' }, '"5"'), 412).currentVersion).toBe(1);
    const c = changed;
    const ok = await patch({ geometry: { type: 'Polygon', coordinates: [square(87.6, 43.8, 0.2)] } }, '"1"');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json().areaSize).toBeCloseTo(0.04, 8);
    expect(ok.json().bbox[2]).toBeCloseTo(87.8, 8);
    expect(changed).toBe(c + 1);
    // moving to a corps agency without changing side: 422; with side: fine
    expectProblem(await patch({ agencyCode: 'XPCC-D8' }, '"2"'), 422, 'body/side');
    expectProblem(
      await patch(
        {
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [87, 43],
                [88, 43],
                [87, 43],
              ],
            ],
          },
        },
        '"2"',
      ),
      400,
      'body/geometry/coordinates/0',
    );
    const moved = await patch({ agencyCode: 'XPCC-D8', side: 'corps' }, '"2"');
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ side: 'corps', agencyCode: 'XPCC-D8', version: 3 });
    const g = await t.app.inject({ url, headers: h() });
    expect(g.headers.etag).toBe('"3"');
  });

  it('DELETE: 412 on a stale If-Match, 204, then 404', async () => {
    const r = await post({ id: 'area-del', ...base, geometry: polygonAt(87.1, 43.1) });
    expect(r.statusCode).toBe(201);
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/v1/areas/area-del', headers: { ...h(), 'if-match': '"2"' } }), 412);
    const c = changed;
    const d = await t.app.inject({ method: 'DELETE', url: '/v1/areas/area-del', headers: h() });
    expect(d.statusCode).toBe(204);
    expect(changed).toBe(c + 1);
    expectProblem(await t.app.inject({ url: '/v1/areas/area-del', headers: h() }), 404);
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/v1/areas/area-del', headers: h() }), 404);
  });

  describe('import', () => {
    it('imports every feature in one go and returns the ids', async () => {
      const c = changed;
      const r = await importFc([
        feature({ id: 'imp-1', name: '网格 A', side: 'region', agencyCode: '650100', kind: 'grid', adcode: 650102 }),
        feature({ name: '网格 B', side: 'region', agencyCode: '650100', kind: 'grid' }, polygonAt(87.7, 43.8)),
        feature(
          { id: 'imp-3', name: '石河子', side: 'corps', agencyCode: 'XPCC-D8', kind: 'jurisdiction' },
          { type: 'MultiPolygon', coordinates: [[square(86, 44.2)]] },
        ),
      ]);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json();
      expect(body.imported).toBe(3);
      expect(body.ids[0]).toBe('imp-1');
      expect(body.ids[2]).toBe('imp-3');
      expect(changed).toBe(c + 1);
      const a = (await t.app.inject({ url: `/v1/areas/${body.ids[1]}`, headers: h() })).json();
      expect(a).toMatchObject({ name: '网格 B', side: 'region', kind: 'grid', version: 1 });
    });

    it('one bad feature and nothing is stored (400 naming body/features/<i>/...)', async () => {
      const before = (await allAreas()).length;
      const c = changed;
      const unclosed = square(87, 43)
        .slice(0, 4)
        .concat([[87, 43.001]]);
      const r = await importFc([
        feature({ id: 'ok-1', name: 'fine', side: 'region', agencyCode: '650100', kind: 'grid' }),
        feature({ id: 'bad-geom', name: 'unclosed', side: 'region', agencyCode: '650100', kind: 'grid' }, { type: 'Polygon', coordinates: [unclosed] }),
        feature({ id: 'ok-2', name: 'fine too', side: 'corps', agencyCode: 'XPCC-D8', kind: 'grid' }),
      ]);
      const p = expectProblem(r, 400, 'body/features/1/geometry/coordinates/0');
      expect(p.errors).toHaveLength(1);
      expect((await allAreas()).length).toBe(before);
      expect((await t.app.inject({ url: '/v1/areas/ok-1', headers: h() })).statusCode).toBe(404);
      expect(changed).toBe(c);
    });

    it('lists every bad feature in one response, schema and rule problems together', async () => {
      const before = (await allAreas()).length;
      const r = await importFc([
        feature({ name: 'no agency', side: 'region', agencyCode: 'nope', kind: 'grid' }),
        feature({ side: 'region', agencyCode: '650100', kind: 'grid' }),
        feature({ name: 'wrong side', side: 'corps', agencyCode: '650100', kind: 'grid' }),
        feature({ name: 'fine', side: 'region', agencyCode: '650100', kind: 'grid' }),
        feature({ name: 'far', side: 'region', agencyCode: '650100', kind: 'grid' }, polygonAt(190, 43)),
        feature({ name: 'point', side: 'region', agencyCode: '650100', kind: 'grid' }, { type: 'Point', coordinates: [87, 43] }),
        feature({ id: 'imp-1', name: 'exists', side: 'region', agencyCode: '650100', kind: 'grid' }),
        feature({ id: 'twice', name: 'a', side: 'region', agencyCode: '650100', kind: 'grid' }),
        feature({ id: 'twice', name: 'b', side: 'region', agencyCode: '650100', kind: 'grid' }),
      ]);
      const p = expectProblem(r, 400);
      const fields: string[] = p.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'body/features/0/properties/agencyCode',
          'body/features/1/properties/name',
          'body/features/2/properties/side',
          'body/features/4/geometry/coordinates/0/1/0',
          'body/features/5/geometry/type',
          'body/features/6/properties/id',
          'body/features/8/properties/id',
        ]),
      );
      expect(fields.some((f) => f.startsWith('body/features/3/'))).toBe(false);
      expect(fields.some((f) => f.startsWith('body/features/7/'))).toBe(false);
      expect(p.detail).toMatch(/Nothing was imported/);
      expect((await allAreas()).length).toBe(before);
    });

    it('upsert=true replaces areas with the same id (version + 1) in the same all-or-nothing way', async () => {
      const r = await importFc(
        [feature({ id: 'imp-1', name: '网格 A（实测）', side: 'region', agencyCode: '650100', kind: 'grid' }, polygonAt(87.6, 43.8, 0.05))],
        '?upsert=true',
      );
      expect(r.statusCode, r.body).toBe(200);
      const a = (await t.app.inject({ url: '/v1/areas/imp-1', headers: h() })).json();
      expect(a).toMatchObject({ name: '网格 A（实测）', version: 2 });
      expect(a.areaSize).toBeCloseTo(0.0025, 8);
    });

    it('accepts a boundary file larger than the general body limit (AREA_IMPORT_BODY_LIMIT_BYTES)', async () => {
      // a 40 000-vertex ring (~1.5 MB of JSON): over BODY_LIMIT_BYTES (1 MiB) but under the import limit
      const n = 40_000;
      const ring = Array.from({ length: n }, (_, i) => {
        const a = (2 * Math.PI * i) / n;
        return [+(85 + 0.1 * Math.cos(a)).toFixed(9), +(45.5 + 0.1 * Math.sin(a)).toFixed(9)];
      });
      ring.push(ring[0]);
      const geometry = { type: 'Polygon', coordinates: [ring] };
      const big = feature({ id: 'big-ring', name: '大边界', side: 'region', agencyCode: '650100', kind: 'grid' }, geometry);
      expect(JSON.stringify(big).length).toBeGreaterThan(t.config.bodyLimitBytes);
      const single = await post({ id: 'big-ring', name: '大边界', side: 'region', agencyCode: '650100', kind: 'grid', geometry });
      expectProblem(single, 413);
      const r = await importFc([big]);
      expect(r.statusCode, r.body.slice(0, 500)).toBe(200);
      const a = (await t.app.inject({ url: '/v1/areas/big-ring', headers: h() })).json();
      expect(a.areaSize).toBeCloseTo(Math.PI * 0.01, 5);
    });

    it('rejects a body that is not a FeatureCollection, and an empty one', async () => {
      expectProblem(await t.app.inject({ method: 'POST', url: '/v1/areas/import', headers: h(), payload: { type: 'Feature' } }), 400, 'body/type');
      expectProblem(await importFc([]), 400, 'body/features');
    });
  });

  it('filters by side, agencyCode and kind', async () => {
    const corps = await walkPages(t, '/v1/areas?side=corps', 50);
    expect(corps.length).toBeGreaterThan(0);
    expect(corps.every((a) => a.side === 'corps')).toBe(true);
    const grids = await walkPages(t, '/v1/areas?kind=grid&agencyCode=650100', 50);
    expect(grids.length).toBeGreaterThan(0);
    expect(grids.every((a) => a.kind === 'grid' && a.agencyCode === '650100')).toBe(true);
    const juris = await walkPages(t, '/v1/areas?kind=jurisdiction&side=region', 50);
    expect(juris).toEqual([]);
  });

  it('paginates across pages without skipping or repeating (ties on createdAt included)', async () => {
    // same clock instant for all: the id breaks the tie
    const r = await importFc(
      Array.from({ length: 13 }, (_, i) => feature({ id: `page-${i}`, name: `p${i}`, side: 'region', agencyCode: '650100', kind: 'protected' })),
    );
    expect(r.statusCode).toBe(200);
    t.clock.advance(1000);
    for (let i = 0; i < 3; i++) expect((await post({ id: `later-${i}`, ...base, geometry: polygonAt(87, 43) })).statusCode).toBe(201);
    const every = await allAreas();
    expect(new Set(every.map((a) => a.id)).size).toBe(every.length);
    for (const size of [1, 4, 6]) expect((await walkPages(t, '/v1/areas', size)).map((a) => a.id)).toEqual(every.map((a) => a.id));
    expect((await walkPages(t, '/v1/areas?kind=protected', 5)).length).toBe(13);
  });
});
